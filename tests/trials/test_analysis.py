"""Vectorised trial analyses against statsmodels / scipy, one replicate at a time."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.proportion import proportions_ztest

from ldn.trials import analysis


def _replicates(seed: int, m: int = 5, n: int = 40):
    rng = np.random.default_rng(seed)
    baseline = rng.normal(6.0, 1.3, (m, n))
    treated = np.tile(np.arange(n) % 2 == 0, (m, 1))
    change = -0.5 * treated + 0.3 * (baseline - 6) + rng.normal(0, 1.0, (m, n))
    observed = rng.random((m, n)) > 0.15
    return baseline, treated, change, observed


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10_000))
def test_ancova_matches_statsmodels_ols(seed: int) -> None:
    baseline, treated, change, observed = _replicates(seed)
    res = analysis.ancova(change, baseline, treated, observed)
    for r in range(change.shape[0]):
        keep = observed[r]
        x = sm.add_constant(np.column_stack([treated[r, keep], baseline[r, keep]]).astype(float))
        fit = sm.OLS(change[r, keep], x).fit()
        np.testing.assert_allclose(res.estimate[r], fit.params[1], rtol=1e-9)
        np.testing.assert_allclose(res.se[r], fit.bse[1], rtol=1e-9)
        np.testing.assert_allclose(res.p_value[r], fit.pvalues[1], rtol=1e-7, atol=1e-14)


def test_two_proportions_matches_statsmodels_ztest() -> None:
    rng = np.random.default_rng(1)
    treated = np.tile(np.arange(60) < 30, (4, 1))
    responder = rng.random((4, 60)) < np.where(treated, 0.5, 0.3)
    res = analysis.two_proportions(responder, treated, np.ones_like(treated))
    for r in range(4):
        counts = [responder[r, treated[r]].sum(), responder[r, ~treated[r]].sum()]
        z, p = proportions_ztest(counts, [30, 30])
        np.testing.assert_allclose(res.statistic[r], z, rtol=1e-10)
        np.testing.assert_allclose(res.p_value[r], p, rtol=1e-10)


def test_crossover_matches_ols_with_period_and_subject_effects() -> None:
    """Period-adjusted crossover estimate = treatment coefficient of a fixed-effects OLS."""
    rng = np.random.default_rng(2)
    n = 24
    seq_ab = np.arange(n) < n // 2
    subject = rng.normal(0, 2, n)
    a_first = subject - 1.0 + rng.normal(0, 1, n)
    b_second = subject + 0.4 + rng.normal(0, 1, n)
    p1 = np.where(seq_ab, a_first, subject + rng.normal(0, 1, n))
    p2 = np.where(seq_ab, b_second, subject - 1.0 + 0.4 + rng.normal(0, 1, n))
    res = analysis.crossover(p1[None], p2[None], seq_ab[None], np.ones((1, n), bool))
    y = np.concatenate([p1, p2])
    period = np.r_[np.zeros(n), np.ones(n)]
    active = np.r_[seq_ab, ~seq_ab].astype(float)
    subj = np.eye(n)[np.r_[np.arange(n), np.arange(n)]]
    fit = sm.OLS(y, np.column_stack([active, period, subj])).fit()
    np.testing.assert_allclose(res.estimate[0], fit.params[0], rtol=1e-9)
    np.testing.assert_allclose(res.se[0], fit.bse[0], rtol=1e-9)
    np.testing.assert_allclose(res.p_value[0], fit.pvalues[0], rtol=1e-7)


def test_one_sample_matches_scipy() -> None:
    rng = np.random.default_rng(3)
    eff = rng.normal(-0.3, 1, (3, 15))
    res = analysis.one_sample(eff, np.ones_like(eff, bool))
    for r in range(3):
        ref = stats.ttest_1samp(eff[r], 0.0)
        np.testing.assert_allclose(res.p_value[r], ref.pvalue, rtol=1e-10)


def test_power_wilson_interval_and_mc_error() -> None:
    sig = np.r_[np.ones(900, bool), np.zeros(100, bool)]
    pw = analysis.estimate_power(sig)
    assert pw.power == pytest.approx(0.9)
    assert pw.mc_se == pytest.approx(np.sqrt(0.9 * 0.1 / 1000))
    assert pw.ci_low < 0.9 < pw.ci_high
    # Wilson interval for 900/1000 (standard result, e.g. statsmodels docs): about [0.880, 0.917]
    assert pw.ci_low == pytest.approx(0.8798, abs=5e-4)
    assert pw.ci_high == pytest.approx(0.9171, abs=5e-4)


def test_degenerate_replicate_is_not_significant() -> None:
    change = np.zeros((1, 4))
    res = analysis.ancova(
        change,
        np.ones((1, 4)),
        np.array([[True, True, False, False]]),
        np.array([[True, False, False, False]]),
    )
    assert res.p_value[0] == 1.0
