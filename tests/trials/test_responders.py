"""Responder analyses: logistic regression against statsmodels, Boschloo against SciPy."""

from __future__ import annotations

import numpy as np
import statsmodels.api as sm
from scipy import stats

from ldn.trials import responders


def _tables(seed: int, m: int = 4, n: int = 60):
    rng = np.random.default_rng(seed)
    treated = np.tile(np.arange(n) < n // 2, (m, 1))
    baseline = rng.normal(6.0, 1.3, (m, n))
    logit = -0.5 + 0.8 * treated + 0.4 * (baseline - 6.0)
    responder = rng.random((m, n)) < 1 / (1 + np.exp(-logit))
    return responder, treated, baseline


def test_logistic_matches_statsmodels_logit() -> None:
    responder, treated, baseline = _tables(1)
    res = responders.logistic(responder, treated, baseline)
    for r in range(responder.shape[0]):
        x = sm.add_constant(np.column_stack([treated[r], baseline[r]]).astype(float))
        fit = sm.Logit(responder[r].astype(float), x).fit(disp=0)
        np.testing.assert_allclose(res.statistic[r], fit.tvalues[1], rtol=1e-7)
        np.testing.assert_allclose(res.p_value[r], fit.pvalues[1], rtol=1e-6)
        np.testing.assert_allclose(res.se[r], fit.bse[1], rtol=1e-7)
    rd = responder[:, :30].mean(axis=1) - responder[:, 30:].mean(axis=1)
    np.testing.assert_allclose(res.estimate, rd, rtol=1e-12)


def test_separated_replicate_is_not_significant() -> None:
    treated = np.tile(np.arange(10) < 5, (1, 1))
    responder = treated.copy()  # every treated patient responds, no control patient does
    res = responders.logistic(responder, treated, np.arange(10.0)[None])
    assert res.p_value[0] == 1.0


def test_exact_matches_scipy_boschloo() -> None:
    responder, treated, _ = _tables(2, m=3, n=16)
    res = responders.exact(responder, treated)
    for r in range(3):
        x1 = int(responder[r, treated[r]].sum())
        x0 = int(responder[r, ~treated[r]].sum())
        ref = stats.boschloo_exact([[x1, x0], [8 - x1, 8 - x0]], alternative="two-sided")
        np.testing.assert_allclose(res.p_value[r], ref.pvalue, rtol=1e-12)
        assert np.sign(res.statistic[r]) == np.sign(x1 / 8 - x0 / 8)
