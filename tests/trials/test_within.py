"""Crossover period/carry-over, the N-of-1 mixed model (vs statsmodels MixedLM), the washout."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy import stats

from ldn.parameters import default_parameters
from ldn.trials.design import DEFAULT_WASHOUT_WEEKS
from ldn.trials.within import crossover_terms, n_of_1_mixed


def test_crossover_recovers_period_and_carryover() -> None:
    rng = np.random.default_rng(4)
    m, n = 400, 40
    seq_ab = np.tile(np.arange(n) < n // 2, (m, 1))
    subject = rng.normal(0, 0.5, (m, n))
    effect, period, carry = -1.0, 0.5, 0.8  # carry-over of A into period 2 of AB
    p1 = subject + np.where(seq_ab, effect, 0.0) + rng.normal(0, 1, (m, n))
    p2 = subject + period + np.where(seq_ab, carry, effect) + rng.normal(0, 1, (m, n))
    terms = crossover_terms(p1, p2, seq_ab, np.ones_like(seq_ab))
    assert terms.period.mean() == pytest.approx(period + carry / 2, abs=0.05)
    assert terms.carryover.mean() == pytest.approx(carry, abs=0.15)
    assert (terms.carryover_p < 0.10).mean() > 0.3
    none = crossover_terms(p1, p2 - np.where(seq_ab, carry, 0.0), seq_ab, np.ones_like(seq_ab))
    assert (none.carryover_p < 0.10).mean() == pytest.approx(0.10, abs=0.04)


def _series(seed: int, n: int = 14, cycles: int = 3):
    rng = np.random.default_rng(seed)
    effect = -0.8 + rng.normal(0, 0.7, n)
    diffs = effect[:, None] + rng.normal(0, 1.0, (n, cycles))
    done = np.ones((n, cycles), bool)
    done[: n // 3, 2] = False
    done[: n // 5, 1] = False
    return diffs, done


@pytest.mark.parametrize("seed", [0, 8])
def test_n_of_1_mixed_matches_statsmodels_mixedlm(seed: int) -> None:
    diffs, done = _series(seed)
    res = n_of_1_mixed(diffs[None], done[None])
    rows = [(i, diffs[i, c]) for i in range(diffs.shape[0]) for c in range(3) if done[i, c]]
    frame = pd.DataFrame(rows, columns=["patient", "d"])
    fit = smf.mixedlm("d ~ 1", frame, groups=frame["patient"]).fit(reml=True)
    np.testing.assert_allclose(res.estimate[0], fit.params["Intercept"], rtol=2e-4)
    np.testing.assert_allclose(res.se[0], fit.bse["Intercept"], rtol=2e-3)
    assert res.df[0] == diffs.shape[0] - 1


def test_n_of_1_mixed_with_complete_cycles_is_the_one_sample_t_test() -> None:
    diffs, _ = _series(2)
    res = n_of_1_mixed(diffs[None], np.ones_like(diffs, bool)[None])
    ref = stats.ttest_1samp(diffs.mean(axis=1), 0.0)
    np.testing.assert_allclose(res.p_value[0], ref.pvalue, rtol=1e-4)


def test_default_washout_is_the_derived_one() -> None:
    """The fixed --washout-weeks default equals the derivation from the chain's parameters."""
    from ldn.trials.washout import derived_washout_weeks

    params = default_parameters()
    derived = max(derived_washout_weeks(params, c) for c in ("fibromyalgia", "ms", "crohns"))
    assert derived == DEFAULT_WASHOUT_WEEKS
