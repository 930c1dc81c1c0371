"""MMRM (closed-form REML for monotone dropout) against independent implementations.

1. A direct REML likelihood over a Cholesky-parameterised unstructured Σ, maximised with SciPy
   (BFGS), GLS fixed effects, Satterthwaite df from its numerical Hessian and the numerical
   gradient of the contrast variance — written from the textbook definitions (Harville 1974;
   Satterthwaite 1946), sharing no code with `ldn.trials.mmrm`.
2. With no missing data, the unstructured MMRM's last-visit effect is the last-visit ANCOVA
   (identical regressors at every visit), checked against statsmodels OLS.
"""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize

from ldn.trials.mmrm import DF_MIN, mmrm

T, P = 3, 3


def _data(seed: int, n: int = 40, visits: int = T):
    rng = np.random.default_rng(seed)
    arm = (np.arange(n) % 2).astype(float)
    base = rng.normal(0, 1, n)
    x = np.column_stack([np.ones(n), arm, base])
    a = rng.normal(0, 0.6, (visits, visits))
    sigma = a @ a.T + np.eye(visits)
    y = x @ rng.normal(0, 1, (P, visits)) + rng.multivariate_normal(np.zeros(visits), sigma, n)
    seen = np.full(n, visits)
    seen[rng.random(n) < 0.25] = visits - 1
    seen[rng.random(n) < 0.15] = 1
    return x, y, seen


class DirectReml:
    """REML for y_i ~ N(X_i β, Σ[:k_i, :k_i]) written out patient by patient."""

    def __init__(self, x, y, seen) -> None:
        self.x, self.y, self.seen = x, y, seen

    @staticmethod
    def sigma(theta):
        low = np.zeros((T, T))
        low[np.tril_indices(T)] = theta
        low[np.diag_indices(T)] = np.exp(np.diag(low))
        return low @ low.T

    def parts(self, theta):
        sig = self.sigma(theta)
        h = np.zeros((T * P, T * P))
        b = np.zeros(T * P)
        logdet = 0.0
        blocks = []
        for xi, yi, k in zip(self.x, self.y, self.seen, strict=True):
            design = np.kron(np.eye(T)[:k], xi[None])
            v_inv = np.linalg.inv(sig[:k, :k])
            h += design.T @ v_inv @ design
            b += design.T @ v_inv @ yi[:k]
            logdet += np.linalg.slogdet(sig[:k, :k])[1]
            blocks.append((design, v_inv, yi[:k]))
        beta = np.linalg.solve(h, b)
        quad = sum((r - d @ beta) @ v @ (r - d @ beta) for d, v, r in blocks)
        return h, beta, logdet, quad

    def neg_loglik(self, theta) -> float:
        h, _, logdet, quad = self.parts(theta)
        return 0.5 * (logdet + np.linalg.slogdet(h)[1] + quad)

    def fit(self):
        theta = minimize(self.neg_loglik, np.zeros(6), method="BFGS", options={"gtol": 1e-9}).x
        c = (T - 1) * P + 1

        def var(th):
            return np.linalg.inv(self.parts(th)[0])[c, c]

        hess = _hessian(self.neg_loglik, theta)
        grad = np.array([(var(theta + e) - var(theta - e)) / 2e-5 for e in np.eye(6) * 1e-5])
        df = 2 * var(theta) ** 2 / (grad @ np.linalg.inv(hess) @ grad)
        return self.parts(theta)[1][c], np.sqrt(var(theta)), df


def _hessian(f, x, h=1e-4):
    d = x.size
    out = np.zeros((d, d))
    for i in range(d):
        for j in range(d):
            ei, ej = np.eye(d)[i] * h, np.eye(d)[j] * h
            out[i, j] = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)) / (
                4 * h * h
            )
    return out


@pytest.mark.parametrize("seed", [5, 17])
def test_matches_direct_reml_with_scipy(seed: int) -> None:
    x, y, seen = _data(seed)
    res, order = mmrm(x[None], y[None], seen[None])
    assert order[0] == T - 1  # unstructured
    est, se, df = DirectReml(x, y, seen).fit()
    np.testing.assert_allclose(res.estimate[0], est, rtol=1e-5)
    np.testing.assert_allclose(res.se[0], se, rtol=1e-5)
    np.testing.assert_allclose(res.df[0], df, rtol=1e-3)


def test_complete_data_equals_last_visit_ancova() -> None:
    x, y, _ = _data(3, n=60, visits=4)
    res, _ = mmrm(x[None], y[None], np.full((1, 60), 4))
    fit = sm.OLS(y[:, -1], x).fit()
    np.testing.assert_allclose(res.estimate[0], fit.params[1], rtol=1e-10)
    np.testing.assert_allclose(res.se[0], fit.bse[1], rtol=1e-10)
    # Satterthwaite df of an unstructured fit with complete data: close to n − p
    assert abs(res.df[0] - 57) < 0.1 * 57


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 10_000))
def test_vectorised_equals_one_replicate_at_a_time(seed: int) -> None:
    fits = [_data(seed + r, n=30) for r in range(4)]
    x, y, seen = (np.stack(v) for v in zip(*fits, strict=True))
    res, _ = mmrm(x, y, seen)
    for r in range(4):
        one, _ = mmrm(x[r : r + 1], y[r : r + 1], seen[r : r + 1])
        np.testing.assert_allclose(res.estimate[r], one.estimate[0], rtol=1e-12)
        np.testing.assert_allclose(res.p_value[r], one.p_value[0], rtol=1e-10)


def test_few_patients_fall_back_to_antedependence() -> None:
    """12 visits, 8 patients seen at the last one: UN is not estimable, ANTE(r) is used."""
    x, y, _ = _data(1, n=16, visits=12)
    seen = np.full(16, 12)
    seen[:8] = 6
    res, order = mmrm(x[None], y[None], seen[None])
    assert order[0] == max(8 - P - DF_MIN, 0)
    assert np.isfinite(res.p_value[0])
    x, y, _ = _data(1, n=40, visits=12)
    seen = np.full(40, 12)
    seen[:24] = 6  # 16 at the last visit: 16 − 3 − 5 = 8 < 11 lags
    _, order = mmrm(x[None], y[None], seen[None])
    assert order[0] == 8


def test_unanalysable_replicate_is_not_significant() -> None:
    x, y, _ = _data(2, n=6)
    res, order = mmrm(x[None], y[None], np.array([[3, 3, 3, 3, 1, 1]]))
    assert res.p_value[0] == 1.0 and order[0] == -1
