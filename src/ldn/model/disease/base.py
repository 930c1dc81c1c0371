"""Shared machinery of the disease modules: the latent activity ODE and the clinical scales.

A condition has one latent disease activity `A` (relative to its untreated course, = 1) driven by
the cytokine index `C`:

    dA/dt = (A* − A)/τ_D,   A* = A_max / (1 + (A_max − 1)·exp(−A_max·x/(A_max − 1))),
    x = β·(C − 1)

a logistic map with A*(0) = 1, slope 1 at x = 0 (so A* ≈ 1 + β·(C − 1) for small changes) and
bounds 0 < A* < A_max (for A_max = 2 it is 1 + tanh(x)). `β` (`effect_gain`) is the condition's
effect size, calibrated to its trials where they exist; `A_max` (`disease.activity_max_rel`)
keeps a strong blockade from driving activity without bound.

Each clinical scale of the condition maps `A` to an expected score through the disease burden
`b` (the score itself when higher is worse, `high − score` when higher is better):

    b(t) = b0 · A(t) · (1 + d·t_wk) · (1 − f·(1 − e^{−t/τ_p}) / (1 − e^{−T/τ_p}))   (placebo on)
    b(t) = b0 · A(t) · (1 + d·t_wk)                                              (placebo off)

with baseline burden `b0`, natural drift `d` per week, and a placebo (expectation + regression to
the mean) response that reaches exactly the placebo-arm change `f·b0` at the readout week `T`.
Scores are clipped to the scale's bounds. `noisy_scores` adds measurement noise for a seed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ldn.compile_options import _jit
from ldn.conditions import CalibrationTarget, ConditionEntry
from ldn.errors import InputError
from ldn.scales import Scale
from ldn.types import FloatArray
from ldn.units import H_PER_DAY

H_PER_WEEK = 7.0 * H_PER_DAY


@_jit
def activity_slope(effect_gain: float, activity_max: float) -> float:
    """−A_max·β/(A_max − 1), the exponent of A* per unit (C − 1) (a per-patient constant)."""
    return -activity_max * effect_gain / (activity_max - 1.0)


@_jit
def activity_target_sloped(cytokine: float, slope: float, activity_max: float) -> float:
    """`activity_target` given its exponent's slope (`activity_slope`)."""
    m = activity_max
    return m / (1.0 + (m - 1.0) * math.exp(slope * (cytokine - 1.0)))


@_jit
def activity_target(cytokine: float, effect_gain: float, activity_max: float) -> float:
    """Steady-state relative activity A* for cytokine index `cytokine` (see module docstring)."""
    return activity_target_sloped(cytokine, activity_slope(effect_gain, activity_max), activity_max)


@_jit
def activity_rate_scaled(
    activity: float, cytokine: float, slope: float, k_per_h: float, activity_max: float
) -> float:
    """`activity_rate` with the per-patient constants precomputed: slope = `activity_slope`,
    k_per_h = 1/τ_D."""
    return (activity_target_sloped(cytokine, slope, activity_max) - activity) * k_per_h


@_jit
def activity_rate(
    activity: float, cytokine: float, effect_gain: float, tau_h: float, activity_max: float
) -> float:
    """dA/dt (1/h) of the latent disease activity relative to its untreated course."""
    slope = activity_slope(effect_gain, activity_max)
    return activity_rate_scaled(activity, cytokine, slope, 1.0 / tau_h, activity_max)


@dataclass(frozen=True, slots=True)
class ScaleParams:
    """Numbers of one scale in one condition (score units unless stated)."""

    baseline: float
    placebo_change: float
    placebo_tau_h: float
    drift_per_week: float
    noise_sd: float
    readout_h: float


@dataclass(frozen=True, slots=True)
class Condition:
    """A disease module: its registry entry (`ldn.conditions`: name on the command line, title,
    readout week, the evidence behind it, calibration target) with its scales as `Scale`s."""

    entry: ConditionEntry
    scales: tuple[Scale, ...]

    @property
    def name(self) -> str:
        return self.entry.name

    @property
    def title(self) -> str:
        return self.entry.title

    @property
    def readout_weeks(self) -> float:
        return self.entry.readout_weeks

    @property
    def evidence(self) -> str:
        return self.entry.evidence

    @property
    def target(self) -> CalibrationTarget:
        return self.entry.target

    @property
    def prefix(self) -> str:
        """Prefix of this condition's parameters in parameters_chain.toml."""
        return f"disease.{self.name}"


def _burden(score: FloatArray | float, scale: Scale) -> FloatArray | float:
    return score if scale.higher_is_worse else scale.high - score


def _from_burden(burden: FloatArray | float, scale: Scale) -> FloatArray | float:
    return burden if scale.higher_is_worse else scale.high - burden


def placebo_factor(t_h: FloatArray, sp: ScaleParams, scale: Scale) -> FloatArray:
    """Multiplicative placebo factor on the burden (1 at t = 0, 1 − f at the readout)."""
    b0 = np.asarray(_burden(sp.baseline, scale), dtype=np.float64)
    change_in_burden = np.multiply(sp.placebo_change, 1.0 if scale.higher_is_worse else -1.0)
    frac = -change_in_burden / b0
    tau = np.asarray(sp.placebo_tau_h, dtype=np.float64)
    rise = -np.expm1(-np.maximum(t_h, 0.0) / tau)
    return np.asarray(1.0 - frac * rise / -np.expm1(-sp.readout_h / tau))


def expected_score(
    activity_rel: FloatArray,
    t_h: FloatArray,
    scale: Scale,
    sp: ScaleParams,
    *,
    placebo: bool = True,
) -> FloatArray:
    """Expected score on `scale` at times `t_h` (h from the start) for latent activity `A(t)`.

    Arrays broadcast: `ScaleParams` fields may be arrays (n_samples,) with `activity_rel` and
    `t_h` of the same shape (used by the sensitivity analysis).
    """
    t = np.asarray(t_h, dtype=np.float64)
    b0 = np.asarray(_burden(sp.baseline, scale), dtype=np.float64)
    burden = b0 * np.asarray(activity_rel, dtype=np.float64)
    burden = burden * (1.0 + sp.drift_per_week * t / H_PER_WEEK)
    if placebo:
        burden = burden * placebo_factor(t, sp, scale)
    score = np.clip(np.asarray(_from_burden(burden, scale)), scale.low, scale.high)
    return np.asarray(score, dtype=np.float64)


def noisy_scores(
    expected: FloatArray, scale: Scale, sp: ScaleParams, seed: int | np.random.Generator
) -> FloatArray:
    """Observed scores: expected + Gaussian measurement noise (SD `noise_sd`), clipped to bounds."""
    if sp.noise_sd < 0:
        raise InputError(f"noise_sd {sp.noise_sd} is negative; give a standard deviation >= 0")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    noise = rng.normal(0.0, sp.noise_sd, size=np.shape(expected))
    return np.clip(np.asarray(expected) + noise, scale.low, scale.high)
