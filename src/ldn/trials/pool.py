"""The virtual-patient pool's own uncertainty, for the Monte-Carlo interval of power.

Trial patients are drawn from a finite pool of P simulated virtual patients per arm, so every
replicate shares the pool's sampling error: the pool's mean response differs from the
population's by about SD_member/√P, a bias the replicate-to-replicate spread does not show
(e.g. a pool of 50 with 200 patients per arm). Estimated from the replicates themselves:

1. per trial patient, the outcome the estimate averages (`outcome`): the last visit's change
   (parallel; response for the responder endpoint), half the period difference (crossover),
   the mean paired difference (N-of-1), all before dropout;
2. per arm, the between-member variance V_a of the members' mean outcome, less the
   within-member part (baseline severity, noise: drawn fresh for every trial patient);
3. the variance of the pool-mean effect, Σ_a V_a / P;
4. divided by the SD of the replicate estimates: power = Φ(μ/SD − z) for a z-type test, so a
   pool bias of b moves power to Φ(Φ⁻¹(power) + b/SD); `ldn.trials.analysis.estimate_power`
   widens the Wilson interval by that shift on the probit scale.
"""

from __future__ import annotations

import numpy as np

from ldn.trials import primary
from ldn.trials.primary import TrialOutcomes
from ldn.types import FloatArray, IntArray

SMALL_POOL_FACTOR = 10
"""A pool smaller than this many times the patients per arm draws a warning."""


def outcome(out: TrialOutcomes) -> FloatArray:
    """(M, arms, n_max) per-patient outcome that the effect estimate averages (see above)."""
    d = out.design
    s = out.scores
    if d.kind == "parallel":
        if d.endpoint == "responder":
            return out.endpoint.responder(s[..., 0], s[..., -1]).astype(np.float64)
        return s[..., -1] - s[..., 0]
    if d.kind == "crossover":
        p1, p2 = primary.crossover_visits(d.weeks, d.washout_weeks)
        return 0.5 * (s[..., p1] - s[..., p2])
    assert out.drug_first is not None
    ends = primary.n_of_1_visits(d.weeks, d.washout_weeks, d.n_periods)
    sign = np.where(out.drug_first, 1.0, -1.0)
    diffs = [
        sign[..., c] * (s[:, 0, :, ends[2 * c]] - s[:, 0, :, ends[2 * c + 1]])
        for c in range(d.cycles)
    ]
    return np.mean(diffs, axis=0)[:, None, :]


def _member_variance(y: FloatArray, member: IntArray, pool_size: int) -> float:
    """Between-member variance of the members' expected outcome (within part removed)."""
    count = np.bincount(member, minlength=pool_size).astype(np.float64)
    total = np.bincount(member, weights=y, minlength=pool_size)
    squares = np.bincount(member, weights=y * y, minlength=pool_size)
    used = count > 0
    mean = total[used] / count[used]
    within_ss = (squares[used] - count[used] * mean**2).sum()
    dof = count.sum() - used.sum()
    if used.sum() < 2 or dof < 1:
        return 0.0
    within = within_ss / dof
    between = float(mean.var(ddof=1))
    return max(between - within * float(np.mean(1.0 / count[used])), 0.0)


def mean_effect_variance(out: TrialOutcomes) -> float:
    """Variance of the pool-mean effect, Σ over simulated arms of V_a / P (0 without a pool)."""
    if out.pool_size is None or out.pool_member is None:
        return 0.0
    y = outcome(out)
    total = 0.0
    for a in range(y.shape[1]):
        if not out.arm_simulated[a]:
            continue
        v = _member_variance(y[:, a].ravel(), out.pool_member[:, a].ravel(), out.pool_size)
        total += v / out.pool_size
    return total


def shift_in_sd(sd_effect: float, effect_var: float) -> float:
    """SD of the pool-mean effect in units of the SD of the replicate estimates."""
    if effect_var <= 0.0 or not np.isfinite(sd_effect) or sd_effect <= 0.0:
        return 0.0
    return float(np.sqrt(effect_var) / sd_effect)
