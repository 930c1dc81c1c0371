"""Per-study effect sizes and sampling variances, as metafor's `escalc()` computes them.

Every function returns `(yi, vi)` as float64 arrays (or floats for the scalar helpers).

From raw data (metafor measure names, group 1 = LDN / treatment, group 2 = control):
- `effect_size_smd`: Hedges' g = c(m)·(m1 − m2)/s_pooled with the exact bias correction
  c(m) = Γ(m/2) / (√(m/2) Γ((m−1)/2)), m = n1 + n2 − 2 (Hedges 1981, eq. 6e; metafor's
  `cmicalc(method="exact")`), and the large-sample variance 1/n1 + 1/n2 + g²/(2(n1+n2))
  (metafor's default `vtype="LS"`).
- `effect_size_md`: m1 − m2 with variance sd1²/n1 + sd2²/n2 (metafor "MD", vtype "LS").
- `effect_size_2x2`: log RR, log OR or RD from a 2×2 table. Tables with a zero cell get 1/2
  added to all four cells (metafor `add=1/2, to="only0"`, the default); RD is computed from
  the same adjusted counts, as metafor does.

From reported statistics (for papers that give no means/SDs):
- `se_from_ci`: SE = (upper − lower) / (2 z₀.₉₇₅) for a symmetric CI.
- `smd_from_md_ci`: parallel groups, standardise a reported mean difference by the pooled SD
  recovered from its CI: s = SE / √(1/n1 + 1/n2); then as `effect_size_smd`.
- `smd_from_p`: parallel groups, |t| = t⁻¹(1 − p/2; n1+n2−2), d = t·√(1/n1 + 1/n2).
- `smd_crossover_from_p`: within-subject (crossover / paired) comparison of n patients, with an
  assumed within-patient correlation r between periods: d_z = t/√n with t from p on n − 1 df,
  d = d_z·√(2(1 − r)) (standardised by the between-patient SD so it is on the same scale as a
  parallel-group SMD), g = c(n − 1)·d, v = (1/n + g²/(2n))·2(1 − r)
  (Borenstein et al. 2009, Introduction to Meta-Analysis, ch. 4, matched groups).
- `smd_from_log_or`: log OR → SMD by √3/π (Chinn 2000), variance × 3/π².
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike
from scipy import special, stats

from ldn.errors import InputError
from ldn.types import FloatArray

BinaryMeasure = Literal["RR", "OR", "RD"]


def _arr(x: ArrayLike, name: str) -> FloatArray:
    a = np.atleast_1d(np.asarray(x, dtype=np.float64))
    if not np.all(np.isfinite(a)):
        raise InputError(
            f"{name} contains a missing or non-finite value; fill it in or drop the study."
        )
    return a


def hedges_correction(m: ArrayLike) -> FloatArray:
    """Exact small-sample correction c(m) = Γ(m/2)/(√(m/2)·Γ((m−1)/2)), via log-gamma
    (metafor `cmicalc(mi, method="exact")`); m is the degrees of freedom (> 1)."""
    m_ = np.asarray(m, dtype=np.float64)
    if np.any(m_ <= 1):
        raise InputError(f"degrees of freedom m = {m_.min():g} must be > 1 for Hedges' correction.")
    log_c = special.gammaln(m_ / 2) - 0.5 * np.log(m_ / 2) - special.gammaln((m_ - 1) / 2)
    return np.asarray(np.exp(log_c), dtype=np.float64)


def _check_groups(
    n1: FloatArray, n2: FloatArray, sd1: FloatArray | None = None, sd2: FloatArray | None = None
) -> None:
    if np.any(n1 < 1) or np.any(n2 < 1):
        raise InputError("group sizes n1i and n2i must be at least 1.")
    if sd1 is not None and sd2 is not None and (np.any(sd1 < 0) or np.any(sd2 < 0)):
        raise InputError("standard deviations sd1i and sd2i must not be negative.")


def _continuous(
    m1: ArrayLike, sd1: ArrayLike, n1: ArrayLike, m2: ArrayLike, sd2: ArrayLike, n2: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """Means, SDs and sizes of two groups as checked arrays (metafor's argument names)."""
    m1_, sd1_, n1_ = _arr(m1, "m1i"), _arr(sd1, "sd1i"), _arr(n1, "n1i")
    m2_, sd2_, n2_ = _arr(m2, "m2i"), _arr(sd2, "sd2i"), _arr(n2, "n2i")
    _check_groups(n1_, n2_, sd1_, sd2_)
    return m1_, sd1_, n1_, m2_, sd2_, n2_


def effect_size_smd(
    m1: ArrayLike, sd1: ArrayLike, n1: ArrayLike, m2: ArrayLike, sd2: ArrayLike, n2: ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """Hedges' g and its variance (metafor `escalc("SMD")`, exact correction, vtype "LS")."""
    m1_, sd1_, n1_, m2_, sd2_, n2_ = _continuous(m1, sd1, n1, m2, sd2, n2)
    df = n1_ + n2_ - 2
    sp = np.sqrt(((n1_ - 1) * sd1_**2 + (n2_ - 1) * sd2_**2) / df)
    if np.any(sp <= 0):
        raise InputError("the pooled SD is 0 for at least one study; SMD is undefined there.")
    g = hedges_correction(df) * (m1_ - m2_) / sp
    v = 1 / n1_ + 1 / n2_ + g**2 / (2 * (n1_ + n2_))
    return g, v


def effect_size_md(
    m1: ArrayLike, sd1: ArrayLike, n1: ArrayLike, m2: ArrayLike, sd2: ArrayLike, n2: ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """Raw mean difference m1 − m2 and variance sd1²/n1 + sd2²/n2 (metafor `escalc("MD")`)."""
    m1_, sd1_, n1_, m2_, sd2_, n2_ = _continuous(m1, sd1, n1, m2, sd2, n2)
    return m1_ - m2_, sd1_**2 / n1_ + sd2_**2 / n2_


def effect_size_2x2(
    ai: ArrayLike,
    n1: ArrayLike,
    ci: ArrayLike,
    n2: ArrayLike,
    measure: BinaryMeasure = "RR",
    *,
    add: float = 0.5,
) -> tuple[FloatArray, FloatArray]:
    """Log risk ratio, log odds ratio or risk difference from events `ai`/`ci` out of `n1`/`n2`.

    A table with any zero cell gets `add` (default 1/2) added to each of its four cells
    (metafor `add=1/2, to="only0"`).
    """
    a, n1_, c, n2_ = _arr(ai, "ai"), _arr(n1, "n1i"), _arr(ci, "ci"), _arr(n2, "n2i")
    _check_groups(n1_, n2_)
    if np.any(a < 0) or np.any(c < 0) or np.any(a > n1_) or np.any(c > n2_):
        raise InputError("event counts must lie between 0 and their group size (0 <= ai <= n1i).")
    b, d = n1_ - a, n2_ - c
    zero = (a == 0) | (b == 0) | (c == 0) | (d == 0)
    a, b, c, d = (x + np.where(zero, add, 0.0) for x in (a, b, c, d))
    n1a, n2a = a + b, c + d
    if measure == "RR":
        return np.log((a / n1a) / (c / n2a)), 1 / a - 1 / n1a + 1 / c - 1 / n2a
    if measure == "OR":
        return np.log(a * d / (b * c)), 1 / a + 1 / b + 1 / c + 1 / d
    if measure == "RD":
        p1, p2 = a / n1a, c / n2a
        return p1 - p2, p1 * (1 - p1) / n1a + p2 * (1 - p2) / n2a
    raise InputError(f"binary measure {measure!r} must be RR, OR or RD.")


def se_from_ci(lower: float, upper: float, level: float = 0.95) -> float:
    """Standard error from a symmetric (1 − α) confidence interval."""
    if not upper > lower:
        raise InputError(f"confidence interval ({lower}, {upper}) must have lower < upper.")
    return float((upper - lower) / (2 * stats.norm.isf((1 - level) / 2)))


def _g_and_v_parallel(d: float, n1: float, n2: float) -> tuple[float, float]:
    g = float(hedges_correction(n1 + n2 - 2)[()] * d)
    return g, 1 / n1 + 1 / n2 + g**2 / (2 * (n1 + n2))


def smd_from_md_ci(
    md: float, lower: float, upper: float, n1: float, n2: float
) -> tuple[float, float]:
    """Hedges' g from a reported mean difference and its 95 % CI (parallel groups)."""
    _check_groups(np.array([n1]), np.array([n2]))
    sd_pooled = se_from_ci(lower, upper) / np.sqrt(1 / n1 + 1 / n2)
    return _g_and_v_parallel(md / sd_pooled, n1, n2)


def smd_from_p(p: float, n1: float, n2: float, *, sign: float = 1.0) -> tuple[float, float]:
    """Hedges' g from a two-sided p-value of a two-sample t-test (direction from `sign`)."""
    if not 0 < p < 1:
        raise InputError(f"p-value {p} must lie strictly between 0 and 1.")
    _check_groups(np.array([n1]), np.array([n2]))
    t = stats.t.isf(p / 2, n1 + n2 - 2)
    return _g_and_v_parallel(float(np.sign(sign)) * t * np.sqrt(1 / n1 + 1 / n2), n1, n2)


def smd_crossover_from_p(
    p: float, n: float, r: float, *, sign: float = 1.0, t_deflation: float = 1.0
) -> tuple[float, float]:
    """SMD (between-patient SD scale) from a paired/crossover p-value with correlation `r`.

    d_z = t/√n (t on n − 1 df), d = d_z·√(2(1 − r)), g = c(n − 1)·d,
    v = (1/n + g²/(2n))·2(1 − r)  (Borenstein et al. 2009, ch. 4, matched groups).
    `t_deflation` (≥ 1, sensitivity analysis) divides t first: a p-value from a mixed model of
    daily diary entries can carry a larger t than a paired t-test on the period means.
    """
    if not t_deflation >= 1:
        raise InputError(f"t_deflation = {t_deflation} must be at least 1.")
    if not 0 < p < 1:
        raise InputError(f"p-value {p} must lie strictly between 0 and 1.")
    if n < 3:
        raise InputError(f"a crossover needs n >= 3 patients, got {n}.")
    if not -1 < r < 1:
        raise InputError(f"within-patient correlation r = {r} must lie in (-1, 1).")
    t = float(stats.t.isf(p / 2, n - 1)) / t_deflation
    d = float(np.sign(sign)) * t / np.sqrt(n) * np.sqrt(2 * (1 - r))
    g = float(hedges_correction(n - 1)[()] * d)
    return g, (1 / n + g**2 / (2 * n)) * 2 * (1 - r)


def smd_from_log_or(log_or: ArrayLike, v_log_or: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Convert log odds ratios to SMDs: d = ln OR·√3/π, v = v_lnOR·3/π² (Chinn 2000)."""
    lo, vlo = _arr(log_or, "log OR"), _arr(v_log_or, "variance of log OR")
    return lo * np.sqrt(3) / np.pi, vlo * 3 / np.pi**2
