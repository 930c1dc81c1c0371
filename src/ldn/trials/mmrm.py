"""MMRM for monotone dropout, vectorised over replicate trials: closed-form REML, Satterthwaite df.

Model (the usual primary analysis of a repeated continuous endpoint): change from baseline at
post-baseline visits t = 1..T, y_i = B'x_i + e_i, with visit-specific intercept, arm and
baseline effects (x_i = (1, arm_i, baseline_i), B is p × T) and e_i ~ N(0, Σ), Σ unstructured;
REML; the treatment effect is the arm coefficient at the last visit, tested with Satterthwaite
degrees of freedom (Mallinckrodt et al. 2008, Drug Inf J 42:303; the `mmrm` R package's
defaults apart from Kenward–Roger).

Why closed form: in the virtual trials dropout is monotone (a patient seen at visit t was seen
at every earlier visit). Write Σ through its modified Cholesky factors, y_t | y_<t ~
N(x'γ_t + Σ_s φ_ts y_s, σ²_t) (Pourahmadi 1999). The map B → γ is unit-triangular, so
integrating B out (REML, Harville 1974) integrates each γ_t out of its own regression, and the
REML likelihood factorises over visits: φ_t is the OLS coefficient of y_t on (x, y_<t) among
the n_t patients seen at t, and σ²_t = RSS_t / (n_t − p). B follows by back-substitution, its
covariance from the GLS information X'V⁻¹X = Σ_k (L_k' D_k⁻¹ L_k) ⊗ Σ_{i in pattern k} x_i x_i'.
For the Satterthwaite df the REML information is block-diagonal over visits (σ²_t: (n_t − p)/
(2σ⁴_t); φ_t: Z'MZ/σ²_t) and the gradient of the contrast variance is analytic.

Structure: unstructured when the last visit keeps at least `DF_MIN` residual degrees of freedom
(n_T − p − (T − 1) ≥ DF_MIN); otherwise antedependence of the highest order r that does
(ANTE(r): φ_ts = 0 for s < t − r; ANTE(T−1) = UN), per replicate. A replicate with fewer than
2 + p patients at the last visit is not analysable (p = 1, never significant).

`tests/trials/test_mmrm.py` checks it against a direct REML likelihood maximised with SciPy
(estimate, SE and Satterthwaite df) and, with complete data, against ANCOVA (statsmodels OLS).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

from ldn.trials.analysis import TestResult, t_result
from ldn.types import BoolArray, FloatArray, IntArray

DF_MIN: Final = 5


@dataclass(frozen=True)
class SequentialFit:
    """REML fit in modified-Cholesky form, per replicate (M) and visit (T)."""

    coef: FloatArray  # (M, T, p + T): γ_t then φ_t,s for s < t (0 elsewhere)
    cov_unscaled: list[FloatArray]  # per t: (M, p + t, p + t) inverse cross-product
    sigma2: FloatArray  # (M, T)
    n_t: FloatArray  # (M, T) patients seen at visit t
    order: IntArray  # (M,) antedependence order r (T − 1 = unstructured)
    ok: BoolArray  # (M,) analysable
    cross: FloatArray  # (T + 1, M, q, q) cross products of (x, y) over patients seen at t
    p: int

    @property
    def n_visits(self) -> int:
        """T, the number of post-baseline visits."""
        return int(self.sigma2.shape[1])

    def phi(self) -> FloatArray:
        """(M, T, T) strictly lower-triangular φ."""
        t = self.n_visits
        return self.coef[:, :, self.p : self.p + t]

    def marginal_b(self) -> FloatArray:
        """(M, T, p) visit-wise coefficients B by back-substitution β_t = γ_t + Σ φ_ts β_s."""
        m, t_n = self.sigma2.shape
        beta = np.zeros((m, t_n, self.p))
        phi = self.phi()
        for t in range(t_n):
            beta[:, t] = self.coef[:, t, : self.p] + np.einsum(
                "ms,msj->mj", phi[:, t, :t], beta[:, :t]
            )
        return beta


def sequential_fit(
    x: FloatArray, y: FloatArray, n_seen: IntArray, *, max_order: int | None = None
) -> SequentialFit:
    """REML fit: `x` (M, n, p) covariates, `y` (M, n, T), `n_seen` (M, n) visits attended."""
    m, _n, t_n = y.shape
    p = x.shape[2]
    seen = n_seen[..., None] > np.arange(t_n)
    z = np.concatenate([x, np.where(seen, y, 0.0)], axis=2)
    q = p + t_n
    cross = np.zeros((t_n + 1, m, q, q))
    for t in range(t_n):
        zw = z * seen[..., t, None]
        cross[t] = np.matmul(zw.transpose(0, 2, 1), z)
    n_t = seen.sum(axis=1).astype(np.float64)
    last = n_t[:, -1]
    ok = last - p >= 2
    top = t_n - 1 if max_order is None else min(max_order, t_n - 1)
    order = np.clip(last - p - DF_MIN, 0, top).astype(np.int64)
    coef = np.zeros((m, t_n, q))
    sigma2 = np.ones((m, t_n))
    covs = []
    for t in range(t_n):
        idx = list(range(p)) + [p + s for s in range(t)]
        a = cross[t][:, idx][:, :, idx]
        b = cross[t][:, idx, p + t]
        keep = np.ones((m, p + t), dtype=bool)
        keep[:, p:] = np.arange(t)[None, :] >= (t - order)[:, None]
        keep &= ok[:, None]
        a = np.where(keep[:, :, None] & keep[:, None, :], a, 0.0)
        a = a + np.eye(p + t)[None] * (~keep)[:, :, None]
        b = np.where(keep, b, 0.0)
        inv = np.linalg.inv(a)
        beta = np.einsum("mij,mj->mi", inv, b)
        rss = cross[t][:, p + t, p + t] - np.einsum("mi,mi->m", beta, b)
        with np.errstate(invalid="ignore", divide="ignore"):
            s2 = np.maximum(rss, 0.0) / (n_t[:, t] - p)
        sigma2[:, t] = np.where(ok, s2, 1.0)
        coef[:, t, : p + t] = beta
        covs.append(np.where(keep[:, :, None] & keep[:, None, :], inv, 0.0))
    return SequentialFit(coef, covs, sigma2, n_t, order, ok, cross, p)


def _pattern_xx(fit: SequentialFit) -> FloatArray:
    """(M, T, p, p): Σ x x' over patients whose last visit is exactly k + 1 (k = 0..T−1)."""
    p = fit.p
    xx = fit.cross[:, :, :p, :p]
    return np.moveaxis(xx[:-1] - xx[1:], 0, 1)


def _information(fit: SequentialFit) -> tuple[FloatArray, FloatArray, FloatArray]:
    """GLS information H = X'V⁻¹X (M, Tp, Tp), L (M, T, T) and the pattern x x' sums."""
    m, t_n = fit.sigma2.shape
    p = fit.p
    lower = np.eye(t_n)[None] - fit.phi()
    contrib = lower[:, :, :, None] * lower[:, :, None, :] / fit.sigma2[:, :, None, None]
    a_k = np.cumsum(contrib, axis=1)  # a_k[:, k] = Σ_{t <= k} → pattern with k + 1 visits
    sxx = _pattern_xx(fit)
    h = np.einsum("mkab,mkij->maibj", a_k, sxx).reshape(m, t_n * p, t_n * p)
    h[~fit.ok] = np.eye(t_n * p)
    return h, lower, sxx


def mmrm(
    x: FloatArray, y: FloatArray, n_seen: IntArray, *, column: int = 1
) -> tuple[TestResult, IntArray]:
    """Arm effect at the last visit (x column `column`), SE, Satterthwaite t-test; and order r."""
    fit = sequential_fit(x, y, n_seen)
    m, t_n = fit.sigma2.shape
    p = fit.p
    h, lower, sxx = _information(fit)
    h_inv: FloatArray = np.linalg.inv(h).astype(np.float64)
    c = (t_n - 1) * p + column
    g = h_inv[:, c, c]
    u = h_inv[:, :, c].reshape(m, t_n, p)
    estimate = fit.marginal_b()[:, -1, column]
    df = _satterthwaite(fit, g, u, lower, sxx)
    ok = fit.ok & (g > 0)
    res = t_result(
        np.where(ok, estimate, np.nan), np.where(ok, np.sqrt(np.abs(g)), np.nan),
        np.where(ok, df, 0.0),
    )  # fmt: skip
    return res, np.where(fit.ok, fit.order, -1)


def _satterthwaite(
    fit: SequentialFit, g: FloatArray, u: FloatArray, lower: FloatArray, sxx: FloatArray
) -> FloatArray:
    """2 g² / (∇g' I⁻¹ ∇g) with the block-diagonal REML information over visits."""
    p = fit.p
    w_k = np.einsum("mai,mkij,mbj->mkab", u, sxx, u)
    w_bar = np.flip(np.cumsum(np.flip(w_k, axis=1), axis=1), axis=1)  # Σ_{k >= t}
    wl = np.einsum("mtab,mtb->mta", w_bar, lower)  # W̄_t l_t
    q = np.einsum("mta,mta->mt", lower, wl)
    s2 = fit.sigma2
    with np.errstate(invalid="ignore", divide="ignore"):
        var = (q / s2**2) ** 2 * 2.0 * s2**2 / (fit.n_t - p)
        total = np.nansum(var, axis=1)
        for t in range(1, fit.n_visits):
            grad = 2.0 * wl[:, t, :t] / s2[:, t, None]
            cov = s2[:, t, None, None] * fit.cov_unscaled[t][:, p:, p:]
            total += np.einsum("ms,msr,mr->m", grad, cov, grad)
        return 2.0 * g**2 / total
