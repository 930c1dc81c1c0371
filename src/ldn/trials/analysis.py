"""Trial analyses as trialists run them, vectorised over many replicate trials at once.

Every function takes arrays whose first axis is the replicate trial (shape (M, n) for M trials
of n patients) and a boolean `observed` mask (False = missing, e.g. dropped out without LOCF),
and returns one estimate, standard error and p-value per replicate.

- `ancova`: change from baseline ~ arm + baseline (ordinary least squares, the usual primary
  analysis of a parallel-group trial with a continuous endpoint; EMA guideline on adjustment for
  baseline covariates, 2015). Normal equations are solved in closed form per replicate (3×3).
- `two_proportions`: responder analysis; difference in proportions with the pooled-variance
  z-test (equivalent to the uncorrected χ² test).
- `crossover`: AB/BA two-period crossover; the period-adjusted treatment effect is half the
  difference of the mean within-patient period differences of the two sequences, tested with a
  two-sample t-test (Jones & Kenward, Design and Analysis of Cross-Over Trials, ch. 2).
- `one_sample`: one-sample t-test of per-patient effects (N-of-1 series, summary measures).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class TestResult:
    """One estimate per replicate trial: effect (treatment − control), SE, statistic, p, df."""

    estimate: FloatArray
    se: FloatArray
    statistic: FloatArray
    p_value: FloatArray
    df: FloatArray

    def significant(self, alpha: float, *, benefit_sign: float) -> BoolArray:
        """Two-sided p < alpha with the test statistic in the beneficial direction (sign ±1)."""
        return (self.p_value < alpha) & (np.sign(self.statistic) == np.sign(benefit_sign))


def t_result(estimate: FloatArray, se: FloatArray, df: FloatArray) -> TestResult:
    with np.errstate(divide="ignore", invalid="ignore"):
        t = estimate / se
        p = 2.0 * stats.t.sf(np.abs(t), np.maximum(df, 1.0))
    p = np.where(np.isfinite(p) & (df >= 1.0), p, 1.0)
    return TestResult(estimate, se, t, p, df)


def ancova(
    change: FloatArray, baseline: FloatArray, treated: BoolArray, observed: BoolArray
) -> TestResult:
    """ANCOVA of change from baseline on arm (treated = 1) and baseline, per replicate.

    Shapes (M, n). Returns the adjusted treatment difference (treated − control).
    """
    w = observed.astype(np.float64)
    x1 = treated.astype(np.float64)
    # centre baseline per replicate (does not change the arm coefficient, improves conditioning)
    nobs = w.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        centre = (w * baseline).sum(axis=1) / nobs
    x2 = np.where(observed, baseline - centre[:, None], 0.0)
    y = np.where(observed, change, 0.0)
    cols = (w, x1 * w, x2)
    xtx = np.empty((change.shape[0], 3, 3))
    xty = np.empty((change.shape[0], 3))
    for i, ci in enumerate(cols):
        xty[:, i] = (ci * y).sum(axis=1)
        for j, cj in enumerate(cols):
            xtx[:, i, j] = (ci * cj).sum(axis=1)
    df = nobs - 3.0
    ok = (df >= 1.0) & (np.abs(np.linalg.det(xtx)) > 1e-12)
    xtx[~ok] = np.eye(3)
    inv = np.linalg.inv(xtx)
    beta = np.einsum("mij,mj->mi", inv, xty)
    rss = (y * y).sum(axis=1) - np.einsum("mi,mi->m", beta, xty)
    with np.errstate(invalid="ignore", divide="ignore"):
        sigma2 = np.maximum(rss, 0.0) / df
    se = np.sqrt(sigma2 * inv[:, 1, 1])
    est = np.where(ok, beta[:, 1], np.nan)
    return t_result(est, np.where(ok, se, np.nan), np.where(ok, df, 0.0))


def two_proportions(responder: BoolArray, treated: BoolArray, observed: BoolArray) -> TestResult:
    """Difference in responder proportions (treated − control) with the pooled z-test.

    Patients who are not observed count as non-responders (the usual conservative imputation);
    pass `observed` all True and set `responder` False for dropouts to do the same explicitly.
    """
    r = responder & observed
    t = treated
    n1 = t.sum(axis=1).astype(np.float64)
    n0 = (~t).sum(axis=1).astype(np.float64)
    x1 = (r & t).sum(axis=1)
    x0 = (r & ~t).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        p1, p0 = x1 / n1, x0 / n0
        pooled = (x1 + x0) / (n1 + n0)
        se = np.sqrt(pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n0))
        z = (p1 - p0) / se
    p = np.where(np.isfinite(z), 2.0 * stats.norm.sf(np.abs(z)), 1.0)
    return TestResult(p1 - p0, se, z, p, np.full_like(p1, np.inf))


def crossover(
    period1: FloatArray, period2: FloatArray, sequence_ab: BoolArray, observed: BoolArray
) -> TestResult:
    """Period-adjusted effect (A − B) of an AB/BA crossover, per replicate.

    `period1`, `period2`: end-of-period scores (M, n); `sequence_ab`: True if the patient got A
    (active) first. Effect = (mean d_AB − mean d_BA) / 2 with d = period1 − period2.
    """
    d = period1 - period2
    w_ab = (observed & sequence_ab).astype(np.float64)
    w_ba = (observed & ~sequence_ab).astype(np.float64)
    n_ab, n_ba = w_ab.sum(axis=1), w_ba.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        m_ab = (w_ab * d).sum(axis=1) / n_ab
        m_ba = (w_ba * d).sum(axis=1) / n_ba
        ss = (w_ab * (d - m_ab[:, None]) ** 2).sum(axis=1) + (w_ba * (d - m_ba[:, None]) ** 2).sum(
            axis=1
        )
        df = n_ab + n_ba - 2.0
        s2 = ss / df
        se = 0.5 * np.sqrt(s2 * (1.0 / n_ab + 1.0 / n_ba))
    return t_result(0.5 * (m_ab - m_ba), se, df)


def one_sample(effects: FloatArray, observed: BoolArray) -> TestResult:
    """One-sample t-test of per-patient effects against 0, per replicate (N-of-1 series)."""
    w = observed.astype(np.float64)
    n = w.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (w * effects).sum(axis=1) / n
        var = (w * (effects - mean[:, None]) ** 2).sum(axis=1) / (n - 1.0)
        se = np.sqrt(var / n)
    return t_result(mean, se, n - 1.0)


@dataclass(frozen=True, slots=True)
class Power:
    """Power estimated from replicate trials, with its Monte-Carlo error.

    `pool_se`: the part of `mc_se` due to the finite virtual-patient pool (0 without a pool).
    """

    power: float
    n_trials: int
    n_significant: int
    mc_se: float
    ci_low: float
    ci_high: float
    pool_se: float = 0.0


def estimate_power(
    significant: BoolArray, *, confidence: float = 0.95, pool_shift_sd: float = 0.0
) -> Power:
    """Fraction of significant replicates, Monte-Carlo SE and interval.

    Binomial SE and the Wilson interval. `pool_shift_sd` is the SD of the bias a finite
    virtual-patient pool puts on the mean effect, in units of the SD of the replicate
    estimates (`ldn.trials.pool`): power = Φ(μ/SD − z) moves by Φ(Φ⁻¹(·) ± z·shift), so each
    Wilson bound is moved outward on the probit scale by z·shift (adding the two errors, which
    is conservative); the reported SE adds the linearised pool part φ(Φ⁻¹(power))·shift in
    quadrature.
    """
    from statsmodels.stats.proportion import proportion_confint

    m = int(significant.size)
    k = int(significant.sum())
    p = k / m
    low, high = proportion_confint(k, m, alpha=1.0 - confidence, method="wilson")
    pool_se = 0.0
    if pool_shift_sd > 0.0:
        z = float(stats.norm.ppf(0.5 + confidence / 2.0))
        shift = z * pool_shift_sd
        low = float(stats.norm.cdf(stats.norm.ppf(low) - shift)) if low > 0.0 else 0.0
        high = float(stats.norm.cdf(stats.norm.ppf(high) + shift)) if high < 1.0 else 1.0
        centre = float(np.clip(p, 0.5 / m, 1.0 - 0.5 / m))
        pool_se = float(stats.norm.pdf(stats.norm.ppf(centre)) * pool_shift_sd)
    se = float(np.sqrt(p * (1.0 - p) / m + pool_se**2))
    return Power(p, m, k, se, float(low), float(high), pool_se)
