"""Multiple imputation for monotone dropout, vectorised over replicate trials.

The imputation model is the MMRM's (`ldn.trials.mmrm`): y_t | y_<t ~ N(μ_t + Σ_s φ_ts (y_s − μ_s),
σ²_t) with μ_t = x'β_t per arm and baseline. Each imputation draws the parameters of every
visit's regression from their posterior under the usual non-informative prior (σ²_t = RSS_t/χ²,
coefficients normal around the REML fit; "proper" MI, Rubin 1987), then fills the missing
visits in order. Every randomised patient is analysed: ANCOVA of the last visit's change on arm
and baseline in each completed data set, combined by Rubin's rules with Barnard–Rubin (1999)
degrees of freedom.

- `mi`: missing at random (the mean path μ is the patient's own arm's).
- `jump-to-reference`: after a treated patient's last visit μ switches to the control arm's
  mean, conditioning on the observed history (Carpenter, Roger & Kenward 2013, J Biopharm Stat
  23:1352).
- `tipping-point`: MAR imputation, then δ (in score points, worse direction) is added to the
  imputed last-visit value of every treated dropout, for δ on `DELTA_GRID_SD` × the score's SD;
  the tipping point of a trial is the smallest δ at which it is no longer significant
  (Ratitch, O'Kelly & Tosiello 2013, Pharm Stat 12:337).
"""

from __future__ import annotations

from typing import Final

import numpy as np

from ldn.trials.analysis import TestResult, ancova, t_result
from ldn.trials.mmrm import SequentialFit, sequential_fit
from ldn.types import FloatArray, IntArray

N_IMPUTATIONS: Final = 20
DELTA_GRID_SD: Final = (0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0)


def _draw(fit: SequentialFit, rng: np.random.Generator) -> tuple[FloatArray, FloatArray]:
    """One posterior draw of (coef (M, T, p+T), σ² (M, T))."""
    m, t_n = fit.sigma2.shape
    p = fit.p
    coef = np.zeros_like(fit.coef)
    sigma2 = np.ones_like(fit.sigma2)
    for t in range(t_n):
        lags = np.minimum(fit.order, t)
        df = np.maximum(fit.n_t[:, t] - p - lags, 1.0)
        rss = fit.sigma2[:, t] * (fit.n_t[:, t] - p)
        s2 = rss / rng.chisquare(df)
        sigma2[:, t] = np.where(fit.ok, s2, 1.0)
        cov = fit.cov_unscaled[t]
        masked = np.all(cov == 0.0, axis=2)
        chol = np.linalg.cholesky(cov + np.eye(p + t)[None] * masked[:, :, None] * 1.0)
        z = rng.standard_normal((m, p + t)) * ~masked
        draw = fit.coef[:, t, : p + t] + np.sqrt(s2)[:, None] * np.einsum("mij,mj->mi", chol, z)
        coef[:, t, : p + t] = np.where(fit.ok[:, None], draw, 0.0)
    return coef, sigma2


def _marginal(coef: FloatArray, p: int) -> FloatArray:
    """(M, T, p) B from γ and φ by back-substitution."""
    m, t_n, _ = coef.shape
    beta = np.zeros((m, t_n, p))
    for t in range(t_n):
        beta[:, t] = coef[:, t, :p] + np.einsum("ms,msj->mj", coef[:, t, p : p + t], beta[:, :t])
    return beta


def _impute(
    x: FloatArray, y: FloatArray, n_seen: IntArray, coef: FloatArray, sigma2: FloatArray,
    rng: np.random.Generator, *, reference: FloatArray | None,
) -> FloatArray:  # fmt: skip
    """Completed y (M, n, T): own-arm mean path (MAR) or jump to `reference` covariates."""
    m, n, t_n = y.shape
    p = x.shape[2]
    beta = _marginal(coef, p)
    own = np.einsum("mnj,mtj->mnt", x, beta)
    mean = own
    if reference is not None:
        ref = np.einsum("mnj,mtj->mnt", reference, beta)
        mean = np.where(np.arange(t_n) < n_seen[..., None], own, ref)
    out = y.copy()
    for t in range(t_n):
        resid = out[..., :t] - mean[..., :t]
        cond = mean[..., t] + np.einsum("mns,ms->mn", resid, coef[:, t, p : p + t])
        draw = cond + np.sqrt(sigma2[:, t])[:, None] * rng.standard_normal((m, n))
        out[..., t] = np.where(n_seen > t, y[..., t], draw)
    return out


def rubin(estimates: FloatArray, variances: FloatArray, df_complete: FloatArray) -> TestResult:
    """Rubin's rules over imputations (axis 0), Barnard–Rubin degrees of freedom."""
    j = estimates.shape[0]
    qbar = estimates.mean(axis=0)
    within = variances.mean(axis=0)
    between = estimates.var(axis=0, ddof=1)
    total = within + (1.0 + 1.0 / j) * between
    with np.errstate(invalid="ignore", divide="ignore"):
        lam = (1.0 + 1.0 / j) * between / total
        nu_old = (j - 1.0) / lam**2
        nu_obs = (df_complete + 1.0) / (df_complete + 3.0) * df_complete * (1.0 - lam)
        df = 1.0 / (1.0 / nu_old + 1.0 / nu_obs)
    df = np.where(np.isfinite(df), df, df_complete)
    return t_result(qbar, np.sqrt(total), df)


def multiple_imputation(
    x: FloatArray, y: FloatArray, n_seen: IntArray, baseline: FloatArray, *,
    seed: int, method: str = "mar", deltas: tuple[float, ...] = (0.0,),
    n_imputations: int = N_IMPUTATIONS,
) -> list[TestResult]:  # fmt: skip
    """MI analysis per replicate: one TestResult per δ (δ added to treated dropouts' last visit).

    `x` (M, n, p) with the arm in column 1; `method` "mar" or "j2r" (jump to reference).
    """
    fit = sequential_fit(x, y, n_seen)
    rng = np.random.default_rng([seed, 7919])
    treated = x[..., 1] > 0.5
    reference = None
    if method == "j2r":
        reference = x.copy()
        reference[..., 1] = 0.0
    dropout_t = treated & (n_seen < y.shape[2])
    everyone = np.ones_like(treated)
    est = np.empty((len(deltas), n_imputations, y.shape[0]))
    var = np.empty_like(est)
    df = np.zeros(y.shape[0])
    for k in range(n_imputations):
        coef, sigma2 = _draw(fit, rng)
        done = _impute(x, y, n_seen, coef, sigma2, rng, reference=reference)
        for d, delta in enumerate(deltas):
            last = done[..., -1] + delta * dropout_t
            res = ancova(last, baseline, treated, everyone)
            est[d, k], var[d, k], df = res.estimate, res.se**2, res.df
    out = []
    for d in range(len(deltas)):
        res = rubin(est[d], var[d], df)
        bad = ~fit.ok
        out.append(
            TestResult(
                np.where(bad, np.nan, res.estimate),
                res.se,
                res.statistic,
                np.where(bad, 1.0, res.p_value),
                res.df,
            )
        )
    return out
