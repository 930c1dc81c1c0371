"""Integrate a mechanism family for a regimen; LDN − placebo effects on clinical scales."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

from ldn.errors import InputError
from ldn.model.chain import (
    ACTIVITY_INDEX,
    N_STATES,
    STATE_NAMES,
    parameter_matrix,
    scale_parameters,
)
from ldn.model.disease import get_condition
from ldn.model.disease.base import H_PER_WEEK, expected_score
from ldn.model.hypotheses.base import Family
from ldn.parameters import ParameterSet
from ldn.simulation.hypotheses.drive import family_drive
from ldn.simulation.scenarios import half_step_grid
from ldn.solve.hypothesis import integrate_family
from ldn.types import FloatArray

DT_H: Final = 0.5  # RK4 step of family runs: ≤ 1e-4 relative vs 0.125 h on activity (tests)
THRESHOLD_NAME: Final = "hypothesis.threshold_occupancy"
Overrides = dict[str, FloatArray | float]


@dataclass(frozen=True)
class FamilyRun:
    """States (n_rows, n_rec, N_STATES) of a family at times `t_h` (hours from the first day)."""

    family: Family
    condition: str
    t_h: FloatArray
    states: FloatArray

    def state(self, name: str) -> FloatArray:
        """(n_rows, n_rec) of one of `ldn.model.chain.STATE_NAMES`."""
        return self.states[:, :, STATE_NAMES.index(name)]

    def effect(self, column: str, params: ParameterSet) -> FloatArray:
        """LDN − placebo on scale `column` at the run's last time, for each parameter row (n,)."""
        weeks = float(self.t_h[-1]) / H_PER_WEEK
        return scale_effect(
            self.states[:, -1, ACTIVITY_INDEX], self.condition, column, params, weeks
        )


def family_parameters(
    family: Family,
    params: ParameterSet,
    condition: str,
    overrides: Overrides | None = None,
    *,
    tlr4: bool = False,
) -> tuple[FloatArray, FloatArray]:
    """(chain parameter matrix (n, N_PARAMS), threshold occupancy (n,)) of `family`.

    `overrides` (parameter-file names and units; floats or arrays (n,)) replace file values;
    the family's `fixed` values win over both.
    """
    ov = dict(overrides or {})
    thr = np.atleast_1d(np.asarray(ov.pop(THRESHOLD_NAME, params.value(THRESHOLD_NAME)), float))
    ov.update(family.fixed)
    p = parameter_matrix(params, condition, tlr4=tlr4, overrides=ov)
    n = max(p.shape[0], thr.size)
    return np.ascontiguousarray(np.broadcast_to(p, (n, p.shape[1]))), np.broadcast_to(thr, (n,))


def family_run(
    family: Family,
    events: object,
    weeks: float,
    condition: str,
    params: ParameterSet,
    overrides: Overrides | None = None,
    *,
    dt_h: float = DT_H,
    record_every: int = 1,
    tlr4: bool = False,
    drive: FloatArray | None = None,
    pk_model: str | None = None,
) -> FamilyRun:
    """Integrate `family` for dose `events` (None: placebo) over `weeks`, starting untreated.

    `drive` (from `family_drive` on the run's half-step grid) skips recomputing the exposure;
    otherwise it comes from PK variant `pk_model` (default: the fitted default variant).
    """
    if not weeks > 0:
        raise InputError(f"weeks must be positive, got {weeks}")
    cond = get_condition(condition)
    p, thr = family_parameters(family, params, cond.name, overrides, tlr4=tlr4)
    n_steps, t_half = half_step_grid(0.0, weeks * H_PER_WEEK, dt_h)
    if drive is None:
        drive = family_drive(family, events, t_half, params, pk_model)
    sol = integrate_family(
        drive, p, family.law_code, dt_h, n_steps, threshold=thr, record_every=record_every
    )
    return FamilyRun(family, cond.name, sol.t_h, sol.states)


def scale_effect(
    activity_end: FloatArray, condition: str, column: str, params: ParameterSet, weeks: float
) -> FloatArray:
    """LDN − placebo on scale `column` at `weeks` for relative activity `activity_end` (n,).

    Placebo response, drift and baseline as in the disease module (both arms blinded), so the
    sign is the scale's own: negative = lower score on LDN.
    """
    cond = get_condition(condition)
    scale = next((s for s in cond.scales if s.column == column), None)
    if scale is None:
        names = ", ".join(s.column for s in cond.scales)
        raise InputError(f"{cond.name} has no scale {column!r}; scales: {names}")
    sp = scale_parameters(params, cond.name)[column]
    a = np.asarray(activity_end, dtype=np.float64)
    t_end = np.full(a.shape, weeks * H_PER_WEEK)
    return expected_score(a, t_end, scale, sp) - expected_score(np.ones_like(a), t_end, scale, sp)


def family_columns(
    family: Family,
    events: object,
    t_h: FloatArray,
    condition: str,
    params: ParameterSet,
    *,
    dt_h: float = DT_H,
    pk_model: str | None = None,
) -> dict[str, FloatArray]:
    """`ldn simulate --condition --hypothesis` columns at output times `t_h` (from 0), with PK
    variant `pk_model` (default: the fitted default variant).

    The family's driving occupancy (`driving_occupancy`), the chain states and one expected score
    per scale of the condition (blinded patient, placebo response included).
    """
    t = np.asarray(t_h, dtype=np.float64)
    weeks = max(float(t[-1]), dt_h) / H_PER_WEEK
    run = family_run(family, events, weeks, condition, params, dt_h=dt_h, pk_model=pk_model)
    out = {"driving_occupancy": family_drive(family, events, t, params, pk_model)[:, 0]}
    for j, name in enumerate(STATE_NAMES[: N_STATES - 1]):
        out[name] = np.interp(t, run.t_h, run.states[0, :, j])
    cond = get_condition(condition)
    sps = scale_parameters(params, cond.name)
    for scale in cond.scales:
        out[scale.column] = expected_score(out["disease_activity_rel"], t, scale, sps[scale.column])
    return out
