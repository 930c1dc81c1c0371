"""Regimen metrics: pure functions on the closed-form PK and the occupancy time series.

Definitions (used by `SimulationResult.summary()` and documented in docs/model.md):
- window: the final 24 h of a simulation, [T − 24 h, T).  For a periodic daily regimen this is one
  full dosing cycle whatever the dosing clock time.
- Cmax, Tmax: maximum plasma concentration in the window and its time (grid of `GRID_STEP_H`).
- AUC: exact integral of the plasma concentration over the window (closed form, ng·h/mL).
- trough: plasma concentration immediately before the last dose of the simulation (left limit).
- hours above p: hours of the window with MOR occupancy > p (grid of `GRID_STEP_H`, so ±1 min).
- time to steady state (95 %): the time at which one dose has delivered 95 % of its AUC0-∞; by
  superposition it is also the time after which every dosing interval's AUC is within 5 % of its
  steady-state value (AUC over interval n = AUC of one dose over [0, (n+1)τ]).
- dose class: Toljan & Vrooman 2018 bands (ULDN < 1 µg/day; VLDN 1 µg–1 mg; LDN 1–5 mg);
  doses above 5 mg and below the 50 mg standard dose are labelled "intermediate" (no published
  band); 50 mg and above "standard".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

from ldn.model.pk import LinearSystem
from ldn.model.superposition import EventsLike, modes
from ldn.types import FloatArray
from ldn.units import H_PER_DAY

GRID_STEP_H: Final = 1.0 / 60.0
WINDOW_H: Final = H_PER_DAY  # the last day of a simulation (see the module docstring)


@dataclass(frozen=True)
class DoseClassBounds:
    """Upper bounds (mg/day) of the dose classes; from `dose_class.*` in parameters.toml."""

    uldn_max_mg: float
    vldn_max_mg: float
    ldn_max_mg: float
    standard_mg: float


def dose_class(dose_mg: float, bounds: DoseClassBounds) -> str:
    """'ultra-low' | 'very-low' | 'low' | 'intermediate' | 'standard' for a daily dose in mg."""
    if dose_mg < bounds.uldn_max_mg:
        return "ultra-low"
    if dose_mg < bounds.vldn_max_mg:
        return "very-low"
    if dose_mg <= bounds.ldn_max_mg:
        return "low"
    if dose_mg < bounds.standard_mg:
        return "intermediate"
    return "standard"


def hours_above(occupancy: FloatArray, threshold: float, step_h: float = GRID_STEP_H) -> FloatArray:
    """Hours with occupancy > threshold on a uniform grid (last axis) of spacing `step_h`."""
    return np.asarray(np.sum(occupancy > threshold, axis=-1) * step_h)


def single_dose_auc_fraction(system: LinearSystem, t_h: FloatArray) -> FloatArray:
    """Fraction of AUC0-∞ of one dose delivered by t_h, per output: (..., n_outputs, n_t).

    ∫0^t Σ c_i e^{λ_i s} ds = Σ c_i (e^{λ_i t} − 1)/λ_i, and AUC0-∞ = Σ −c_i/λ_i.
    """
    md = modes(system)
    lam = md.lam[..., None, :, None]
    coef = md.coef[..., :, :, None]
    t = np.asarray(t_h, dtype=float)
    part = np.sum(coef * np.expm1(lam * t) / lam, axis=-2)
    total = np.sum(-md.coef / md.lam[..., None, :], axis=-1)[..., None]
    return np.asarray(part / total)


def time_to_steady_state(system: LinearSystem, fraction: float = 0.95) -> FloatArray:
    """Hours until one dose has delivered `fraction` of its AUC0-∞, per output (one patient).

    Root of the exact cumulative-AUC fraction (monotone for non-negative responses), bracketed
    by doubling and solved with `scipy.optimize.brentq`.
    """
    from scipy.optimize import brentq

    if system.a.ndim != 2:
        raise ValueError("time_to_steady_state takes one patient (2-D state matrix)")
    n_out = system.c.shape[-2]
    out = np.empty(n_out)
    for o in range(n_out):

        def gap(t: float, o: int = o) -> float:
            return float(single_dose_auc_fraction(system, np.array([t]))[o, 0]) - fraction

        hi = 24.0
        while gap(hi) < 0 and hi < 1e7:
            hi *= 2.0
        out[o] = brentq(gap, 0.0, hi, xtol=1e-6)
    return out


def last_dose_time(events: EventsLike, before_h: float) -> float | None:
    """Time of the last dose strictly before `before_h`, or None."""
    t = np.asarray(events.t_h, dtype=float)
    t = t[t < before_h]
    return float(t[-1]) if t.size else None
