"""Virtual trials with a stand-in response (no PK/chain): designs, dropout, power, sample size."""

from __future__ import annotations

import numpy as np
import pytest

from ldn.errors import InputError
from ldn.model.disease import ScaleParams
from ldn.parameters import default_parameters
from ldn.population.endpoints import EndpointSpec
from ldn.population.engine import adherence_mask
from ldn.population.runner import Scenario
from ldn.regimen.schedule import daily
from ldn.scales import get_scale
from ldn.trials.design import Arm, TrialDesign
from ldn.trials.power import power_from_outcomes, search_sample_size
from ldn.trials.simulate import simulate_trials

PARAMS = default_parameters()
SCALE = get_scale("pain_nrs")  # 0-10, lower is better
SP = ScaleParams(
    baseline=6.0, placebo_change=-0.9, placebo_tau_h=336.0, drift_per_week=0.0, noise_sd=1.0,
    readout_h=12 * 168.0,
)  # fmt: skip
ENDPOINT = EndpointSpec("fibromyalgia", SCALE, SP, baseline_cv=0.2)  # responders: >= 30 % (MID)


def stand_in(effect: float):
    """Activity 1 − effect·response_factor while a dose was taken in the last 24 h, else 1."""

    def simulate(scenario: Scenario, index: np.ndarray) -> np.ndarray:
        pop = scenario.population(index)
        sched = scenario.schedule
        taken = adherence_mask(pop, sched) & scenario.windows.mask(pop, sched)
        t = scenario.t_obs_h
        recent = (sched.t_h[None, :] > t[:, None] - 24.0) & (sched.t_h[None, :] <= t[:, None])
        on = (taken[:, None, :] & recent[None]).any(axis=-1)
        return 1.0 - effect * np.minimum(pop.response_factor, 3.0)[:, None] * on

    return simulate


def design(kind: str = "parallel", **kw) -> TrialDesign:
    base = dict(
        condition="fibromyalgia", kind=kind, treatment=Arm("LDN", daily(4.5, "22:00")),
        control=Arm("placebo", None), n_per_arm=30, weeks=4,
    )  # fmt: skip
    base.update(kw)
    return TrialDesign(**base)


def run(d: TrialDesign, effect: float, n_trials: int = 400, **kw):
    return simulate_trials(
        d, params=PARAMS, n_trials=n_trials, seed=3, endpoint=ENDPOINT,
        simulator=stand_in(effect), **kw,
    )  # fmt: skip


def test_null_effect_keeps_type_one_error_near_alpha() -> None:
    """No drug effect: the significant fraction is alpha/2 (one-sided benefit), ±4 MC SE."""
    pw = run(design(n_per_arm=20), 0.0, n_trials=1000, pool_size=None).power()
    assert abs(pw.power - 0.025) < 4 * np.sqrt(0.025 * 0.975 / 1000)


def test_parallel_estimate_recovers_the_simulated_difference() -> None:
    out = run(design(n_per_arm=60), 0.2, pool_size=None)
    res = power_from_outcomes(out)
    t_end = out.t_obs_h[-1:]
    ones = np.ones((1, 1))
    expected = ENDPOINT.expected(ones * 0.8, t_end, np.ones(1)) - ENDPOINT.expected(
        ones, t_end, np.ones(1)
    )
    # adherence (mean 0.9) and response-factor spread shrink the mean effect a little
    assert res.mean_effect == pytest.approx(float(expected[0, 0]), rel=0.15)
    assert res.power.power > 0.5


def test_pool_and_exact_modes_agree_within_monte_carlo_error() -> None:
    d = design(n_per_arm=25)
    exact = run(d, 0.15, n_trials=600, pool_size=None).power()
    pooled = run(d, 0.15, n_trials=600, pool_size=3000).power()
    se = np.hypot(exact.mc_se, pooled.mc_se)
    assert abs(exact.power - pooled.power) < 4 * se


def test_common_random_numbers_make_slots_independent_of_n_max() -> None:
    a = run(design(), 0.1, n_trials=50, n_max=40)
    b = run(design(), 0.1, n_trials=50, n_max=90)
    np.testing.assert_array_equal(a.analyse(30).estimate, b.analyse(30).estimate)


def test_crossover_and_n_of_1_recover_the_effect() -> None:
    t_end = np.array([4 * 168.0])
    cross = run(design("crossover", washout_weeks=1, n_per_arm=30), 0.2, n_trials=300)
    est = power_from_outcomes(cross).mean_effect
    assert est < 0 and cross.power().power > 0.8
    ref = (
        ENDPOINT.expected(np.array([[0.8]]), t_end, np.ones(1))[0, 0]
        - ENDPOINT.expected(np.array([[1.0]]), t_end, np.ones(1))[0, 0]
    )
    assert est == pytest.approx(ref, rel=0.3)
    nof1 = run(design("n_of_1", cycles=3, weeks=2, n_per_arm=12), 0.2, n_trials=200)
    assert power_from_outcomes(nof1).mean_effect < 0
    assert nof1.drug_first is not None and nof1.drug_first.shape == (200, 12, 3)


def test_dropout_locf_and_complete_case() -> None:
    d = design(dropout_per_week=0.1, analysis="locf-ancova")
    locf = run(d, 0.2, n_trials=100)
    last = locf.last_obs
    assert 0 < (last < 4).mean() < 0.5
    cc = run(design(dropout_per_week=0.1, analysis="ancova"), 0.2, n_trials=100)
    assert np.all(cc.analyse().df <= locf.analyse().df)
    # the deprecated `missing` names map onto the analyses
    assert design(missing="locf").analysis == "locf-ancova"
    assert design(missing="complete_case").analysis == "ancova"


def test_responder_endpoint_runs_and_favours_drug() -> None:
    out = run(design(endpoint="responder", n_per_arm=80), 0.3, n_trials=200)
    res = out.analyse()
    assert np.nanmean(res.estimate) > 0  # more responders on drug


def test_sample_size_search_finds_the_smallest_n() -> None:
    out = run(design(), 0.25, n_trials=300, n_max=120)
    found = search_sample_size(out, 0.8)
    assert found.n_per_arm is not None
    assert out.power(found.n_per_arm).power >= 0.8
    assert out.power(found.n_per_arm - 1).power < 0.8
    assert len(found.curve) >= 5


def test_design_errors_name_the_rule() -> None:
    with pytest.raises(InputError, match="at least 2 patients"):
        design(n_per_arm=1)
    with pytest.raises(InputError, match="dropout"):
        design(dropout_per_week=1.5)
    with pytest.raises(InputError, match="parallel trials only"):
        design("crossover", endpoint="responder")
    with pytest.raises(InputError, match="placebo control"):
        run(design("crossover", control=Arm("3 mg", daily(3.0))), 0.1, n_trials=2)
    with pytest.raises(InputError, match="target power"):
        search_sample_size(run(design(), 0.1, n_trials=5), 1.5)
