"""Concentrations and receptor occupancy of a regimen under any PK structural variant.

Equilibrium variants: the closed form (`regimen_response`) at the requested times, then the
algebraic competitive-binding formula.  Kinetic variant (`binding_kinetics`): the closed form on
a fine internal grid (≤ `KINETIC_STEP_H`, output times included), then the exact piecewise
integration of `ldn.model.binding_kinetics`, read back at the requested times.  A steady-state
history (NONMEM SS=1) is represented by starting the binding integration `burn-in` hours before
the first dose, where the closed form already contains the periodic history.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import numpy as np

from ldn.model.binding_kinetics import kinetic_occupancy
from ldn.model.pk import Y_NOL, Y_NOL_E, Y_NTX, Y_NTX_E, LinearSystem
from ldn.model.pk_models import get_model
from ldn.model.receptors import (
    RECEPTORS,
    BindingParams,
    competitive_occupancy,
    unbound_effect_nm,
    unbound_plasma_nm,
)
from ldn.model.superposition import EventsLike, regimen_response
from ldn.types import FloatArray, FloatLike, IndexArray

KINETIC_STEP_H: Final = 0.05
# hours of binding history simulated before t0 for a steady-state start (≥ 10 dissociation t½)
_MAX_BURN_IN_H: Final = 5000.0


@dataclass(frozen=True)
class Series:
    """Outputs (…, 4, n_t) of the PK system and occupancies (…, n_t) by site and receptor."""

    y: FloatArray
    brain: dict[str, FloatArray]
    plasma: dict[str, FloatArray]


def _col(v: FloatLike) -> FloatArray:
    a = np.asarray(v, dtype=float)
    return a[..., None] if a.ndim else a


def _equilibrium(l1: FloatArray, l2: FloatArray, b: BindingParams) -> dict[str, FloatArray]:
    out = {}
    for rec in RECEPTORS:
        k1, k2 = b.k_nm(rec)
        out[rec] = competitive_occupancy(l1, _col(k1), l2, _col(k2))[0]
    return out


def _brain_nm(y: FloatArray, b: BindingParams) -> tuple[FloatArray, FloatArray]:
    """Unbound effect-site naltrexone and 6β-naltrexol (nM) from PK outputs y (…, 4, n_t)."""
    return unbound_effect_nm(y[..., Y_NTX_E, :], y[..., Y_NOL_E, :], b)


def _plasma_nm(y: FloatArray, b: BindingParams) -> tuple[FloatArray, FloatArray]:
    """Unbound plasma naltrexone and 6β-naltrexol (nM) from PK outputs y (…, 4, n_t)."""
    return unbound_plasma_nm(y[..., Y_NTX, :], y[..., Y_NOL, :], b)


def brain_occupancy(y: FloatArray, b: BindingParams) -> dict[str, FloatArray]:
    """Equilibrium brain occupancy by receptor from PK outputs y (…, 4, n_t)."""
    return _equilibrium(*_brain_nm(y, b), b)


def _kinetic(
    t: FloatArray, l1: FloatArray, l2: FloatArray, b: BindingParams, koff: FloatLike
) -> dict[str, FloatArray]:
    lead = np.broadcast_shapes(l1.shape[:-1], l2.shape[:-1], np.shape(koff))
    n_p = int(np.prod(lead)) if lead else 1
    l1_2d = np.broadcast_to(l1, (*lead, t.size)).reshape(n_p, t.size)
    l2_2d = np.broadcast_to(l2, (*lead, t.size)).reshape(n_p, t.size)
    kf = np.broadcast_to(np.asarray(koff, dtype=float), lead).reshape(n_p)
    out = {}
    for rec in RECEPTORS:
        k1, k2 = (
            np.broadcast_to(np.asarray(k, dtype=float), lead).reshape(n_p) for k in b.k_nm(rec)
        )
        occ = kinetic_occupancy(
            t,
            np.ascontiguousarray(l1_2d),
            np.ascontiguousarray(l2_2d),
            np.ascontiguousarray(k1),
            np.ascontiguousarray(k2),
            np.ascontiguousarray(kf),
        )
        out[rec] = occ.reshape(*lead, t.size) if lead else occ[0]
    return out


def _fine_grid(events: EventsLike, t: FloatArray, koff_min: float) -> tuple[FloatArray, IndexArray]:
    """Internal grid covering the history and every output time; index of each output time."""
    t_d = np.asarray(events.t_h, dtype=float)
    start = min(float(t[0]), float(t_d[0]) if t_d.size else float(t[0]))
    ss = events.steady_state
    if ss is not None and t_d.size:
        burn = min(_MAX_BURN_IN_H, 10.0 * np.log(2.0) / koff_min)
        start = float(t_d[0]) - np.ceil(burn / ss.tau_h) * ss.tau_h
    n = int(np.ceil((float(t[-1]) - start) / KINETIC_STEP_H)) + 1
    grid = np.union1d(start + KINETIC_STEP_H * np.arange(n), t).astype(np.float64)
    return grid, np.searchsorted(grid, t)


def series(
    model: str,
    system: LinearSystem,
    binding: BindingParams,
    extra: Mapping[str, FloatLike],
    events: EventsLike,
    t_h: FloatArray,
    *,
    left: bool = False,
) -> Series:
    """Outputs and brain/plasma occupancy of `events` at `t_h` under variant `model`."""
    spec = get_model(model)
    t = np.atleast_1d(np.asarray(t_h, dtype=float))
    if not spec.kinetic_binding:
        y = _clean(regimen_response(system, events, t, left=left))
        brain = _equilibrium(*_brain_nm(y, binding), binding)
        return Series(y, brain, _equilibrium(*_plasma_nm(y, binding), binding))
    koff = extra["koff_per_h"]
    grid, idx = _fine_grid(events, t, float(np.min(koff)))
    yg = _clean(regimen_response(system, events, grid, left=left))
    brain = _kinetic(grid, *_brain_nm(yg, binding), binding, koff)
    plasma = _kinetic(grid, *_plasma_nm(yg, binding), binding, koff)
    return Series(
        yg[..., idx],
        {k: v[..., idx] for k, v in brain.items()},
        {k: v[..., idx] for k, v in plasma.items()},
    )


def _clean(y: FloatArray) -> FloatArray:
    """Zero the rounding residue of cancelling modes (|y| < 1e-13 × the series maximum)."""
    scale = np.max(np.abs(y), axis=-1, keepdims=True)
    return np.where(y > 1e-13 * scale, y, 0.0)
