"""Assurance for crossover designs: one posterior draw per replicate, shared by both sequences."""

from __future__ import annotations

import numpy as np
import pytest

from ldn.mechanisms.assurance import arm_events, draw_trajectories, posterior_hook, supports
from ldn.parameters import default_parameters
from ldn.regimen import daily
from ldn.trials.design import Arm, TrialDesign
from ldn.trials.power import power_analysis

PARAMS = default_parameters()
REG = daily(4.5, "22:00")


def _crossover(condition: str, n: int, weeks: int, washout: int) -> TrialDesign:
    return TrialDesign(condition, "crossover", Arm(REG.describe(), REG), Arm("placebo", None),
                       n_per_arm=n, weeks=weeks, washout_weeks=washout)  # fmt: skip


def test_each_sequence_takes_the_drug_only_in_its_period() -> None:
    d = _crossover("crohns", 10, 3, 1)
    assert supports(d) and not supports(
        TrialDesign("crohns", "n_of_1", Arm("x", REG), Arm("placebo", None), 4, 2)
    )
    first, second = arm_events(d, 0), arm_events(d, 1)
    assert first is not None and second is not None
    assert first.t_h.max() < 3 * 168 and second.t_h.min() >= 4 * 168
    assert second.t_h.max() < 7 * 168 and first.t_h.size == second.t_h.size == 21


def test_both_sequences_share_the_draw_and_the_drug_period_shows() -> None:
    d = _crossover("crohns", 10, 3, 1)
    fams0, a0 = draw_trajectories(d, arm_events(d, 0), PARAMS, 40, 5, family="rebound_brain")
    fams1, a1 = draw_trajectories(d, arm_events(d, 1), PARAMS, 40, 5, family="rebound_brain")
    assert fams0 == fams1 and a0.shape == a1.shape == (40, 8)
    # drug first: week 3 differs from untreated; drug second: untreated until week 4
    np.testing.assert_allclose(a1[:, :5], 1.0, atol=1e-9)
    assert np.all(np.abs(a0[:, 3] - 1.0) > 1e-6)
    assert np.all(np.abs(a1[:, 7] - 1.0) > 1e-6)


@pytest.mark.slow
def test_crossover_assurance_of_the_null_family_is_the_alpha_level() -> None:
    """Under `null` every replicate's mean activity is untreated: the assurance is the chance of a
    significant result in LDN's favour (two-sided α = 0.05, one direction) ≈ α/2."""
    d = _crossover("fibromyalgia", 16, 2, 1)
    n = 400
    hook = posterior_hook(d, PARAMS, n_trials=n, seed=2, family="null")
    res = power_analysis(d, params=PARAMS, n_trials=n, seed=2, pool_size=200, activity_hook=hook)
    s = res.summary()
    assert s["assurance"] == s["power"]
    assert abs(s["assurance"] - 0.025) < 0.02  # ≈ 2.6 Monte Carlo SE at n = 400
    assert s["effect_p2_5"] < 0.0 < s["effect_p97_5"]
    # the same design with the seed chain's fixed parameters has a real effect to find
    fixed = power_analysis(d, params=PARAMS, n_trials=n, seed=2, pool_size=200).summary()
    assert fixed["assurance"] is None and abs(fixed["mean_effect"]) > 3 * abs(s["mean_effect"])


def test_an_alias_gets_the_fitted_weights_and_gain_of_its_condition() -> None:
    """ "fm" is fibromyalgia: its family weights and its fitted log gain, not the pooled ones."""
    from ldn.mechanisms.assurance import _draw_overrides
    from ldn.mechanisms.report import family_weights, load_posterior

    post = load_posterior()
    fitted = family_weights(post, "fibromyalgia")
    assert family_weights(post, "fm") == fitted != post.summary["weights"]["untested"]
    assert family_weights(post, "Crohn's disease") == family_weights(post, "crohns")
    assert "log_gain.fibromyalgia" in post.params["rebound_brain"]
    idx = np.arange(20)
    by_name = _draw_overrides(post, "rebound_brain", "fibromyalgia", idx, np.random.default_rng(1))
    by_alias = _draw_overrides(post, "rebound_brain", "fm", idx, np.random.default_rng(1))
    assert by_alias.keys() == by_name.keys()
    for key, value in by_name.items():
        np.testing.assert_array_equal(by_alias[key], value)
    pooled = _draw_overrides(post, "rebound_brain", "sle", idx, np.random.default_rng(1))
    assert not np.array_equal(  # a condition without a fit draws the pooled gain: different
        pooled["disease.sle.effect_gain"], by_name["disease.fibromyalgia.effect_gain"]
    )
