"""Within-patient designs: crossover period and carry-over, N-of-1 series by a mixed model.

Crossover (AB/BA, Jones & Kenward, Design and Analysis of Cross-Over Trials, 3rd ed., ch. 2):
with d = period 1 − period 2 and s = period 1 + period 2 per patient,

- treatment effect (A − B) = (mean d_AB − mean d_BA)/2 (`ldn.trials.analysis.crossover`);
- period effect (period 2 − period 1) = −(mean d_AB + mean d_BA)/2;
- carry-over (A's effect persisting into B after AB, minus the reverse) = mean s_AB − mean s_BA,
  tested with the two-sample t-test on s (Grizzle 1965; conventionally at the 10 % level, and
  only as a description: the test has little power).

N-of-1 series: per-cycle paired differences d_ic (drug − control) of patient i, cycle c, follow
d_ic = δ + b_i + e_ic with b_i ~ N(0, τ²) (how much patients' effects differ) and
e_ic ~ N(0, σ²); REML over λ = τ²/σ² (grid, σ² profiled out), δ̂ the GLS mean; a t-test with
n_patients − 1 degrees of freedom (containment method: δ varies between patients). With every
cycle complete this is the one-sample t-test of the patients' mean differences; with dropout
it weights patients by how many cycles they completed. `tests/trials/test_within.py` checks it
against statsmodels MixedLM.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ldn.trials.analysis import TestResult, t_result

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

CARRYOVER_ALPHA = 0.10


@dataclass(frozen=True)
class CrossoverTerms:
    """Per replicate: period effect, carry-over estimate and its p-value."""

    period: FloatArray
    carryover: FloatArray
    carryover_p: FloatArray


def crossover_terms(
    period1: FloatArray, period2: FloatArray, sequence_ab: BoolArray, observed: BoolArray
) -> CrossoverTerms:
    """Period and carry-over of an AB/BA crossover, per replicate; shapes (M, n)."""

    def means(v: FloatArray, w: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        n = w.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = (w * v).sum(axis=1) / n
        ss = (w * (v - mean[:, None]) ** 2).sum(axis=1)
        return mean, ss, n

    w_ab = (observed & sequence_ab).astype(np.float64)
    w_ba = (observed & ~sequence_ab).astype(np.float64)
    d = period1 - period2
    s = period1 + period2
    md_ab, _, _ = means(d, w_ab)
    md_ba, _, _ = means(d, w_ba)
    ms_ab, ss_ab, n_ab = means(s, w_ab)
    ms_ba, ss_ba, n_ba = means(s, w_ba)
    with np.errstate(invalid="ignore", divide="ignore"):
        df = n_ab + n_ba - 2.0
        se = np.sqrt((ss_ab + ss_ba) / df * (1.0 / n_ab + 1.0 / n_ba))
    carry = t_result(ms_ab - ms_ba, se, df)
    return CrossoverTerms(-(md_ab + md_ba) / 2.0, ms_ab - ms_ba, carry.p_value)


_COARSE = np.r_[0.0, np.logspace(-4, 4, 81)]


def _profile(lam: FloatArray, c: FloatArray, dbar: FloatArray, ss_within: FloatArray) -> tuple[
    FloatArray, FloatArray, FloatArray
]:  # fmt: skip
    """REML log-likelihood (σ² profiled), δ̂ and Var(δ̂) for λ (G, M, 1); data (M, n)."""
    w = c / (1.0 + lam * c)
    sw = w.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        delta = (w * dbar).sum(axis=-1) / sw
        q = ss_within.sum(axis=-1) + (w * (dbar - delta[..., None]) ** 2).sum(axis=-1)
        n_total = c.sum(axis=-1) - 1.0
        sigma2 = q / n_total
        loglik = -0.5 * (np.log1p(lam * c).sum(axis=-1) + np.log(sw) + n_total * np.log(sigma2))
    return loglik, delta, sigma2 / sw


def n_of_1_mixed(diffs: FloatArray, done: BoolArray) -> TestResult:
    """Mixed-model effect of N-of-1 series per replicate: `diffs`, `done` (M, n, cycles)."""
    c = done.sum(axis=-1).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        dbar = np.where(c > 0, (diffs * done).sum(axis=-1) / c, 0.0)
    ss_within = (done * (diffs - dbar[..., None]) ** 2).sum(axis=-1)
    grid = np.broadcast_to(_COARSE[:, None], (_COARSE.size, diffs.shape[0]))
    for _ in range(4):
        ll, delta, var = _profile(grid[:, :, None], c[None], dbar[None], ss_within[None])
        pick = np.nanargmax(np.where(np.isfinite(ll), ll, -np.inf), axis=0)
        cols = np.arange(diffs.shape[0])
        lo = grid[np.maximum(pick - 1, 0), cols]
        hi = grid[np.minimum(pick + 1, grid.shape[0] - 1), cols]
        grid = lo[None] + (hi - lo)[None] * np.linspace(0.0, 1.0, 41)[:, None]
    cols = np.arange(diffs.shape[0])
    n_patients = (c > 0).sum(axis=1).astype(np.float64)
    est = delta[pick, cols]
    se = np.sqrt(var[pick, cols])
    return t_result(est, se, n_patients - 1.0)


def describe_carryover(terms: CrossoverTerms) -> dict[str, float]:
    """Mean period effect, mean carry-over and the fraction of trials flagging carry-over."""
    fin = np.isfinite(terms.carryover)
    return {
        "period_effect_mean": float(np.nanmean(terms.period)),
        "carryover_mean": float(np.nanmean(terms.carryover)),
        "carryover_flagged_fraction": float(
            (terms.carryover_p[fin] < CARRYOVER_ALPHA).mean() if fin.any() else np.nan
        ),
    }
