"""Scenario runs of the model chain: chain columns of a regimen, headline arms, calibration.

The chain itself (states, parameters, right-hand side) is defined in `ldn.model.chain`; this
module integrates it with the compiled solver (`ldn.solve.compiled`) for whole regimens.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, cast

import numpy as np

from ldn.errors import InputError
from ldn.model.chain import (
    ACTIVITY_INDEX,
    N_STATES,
    OBSERVABLE_NAMES,
    STATE_NAMES,
    Drive,
    drive_from_exposure,
    parameter_matrix,
    scale_parameters,
)
from ldn.model.disease import get_condition
from ldn.model.disease.base import H_PER_WEEK, expected_score
from ldn.parameters import ParameterSet
from ldn.types import FloatArray

if TYPE_CHECKING:
    from ldn.model.superposition import EventsLike

DEFAULT_DT_H: Final = 0.125  # RK4 step: ≤ 1e-6 relative error vs solve_ivp (tests/solve)
HEADLINE_WEEKS: Final = 12.0
ARMS: Final = ("ldn_bedtime", "ldn_morning", "high_dose", "placebo")


def _has_doses(events: object) -> bool:
    return events is not None and np.size(getattr(events, "t_h", ())) > 0


def exposure_drive(
    events: object, t_h: FloatArray, params: ParameterSet, pk_model: str | None = None
) -> tuple[FloatArray, FloatArray]:
    """(brain MOR occupancy, unbound nM) of `events` at `t_h` from `ldn.model.exposure.exposure`
    with PK variant `pk_model` (default: the fitted default variant, docs/model.md Part I §4).

    `events=None` or no doses gives zeros (a placebo arm).
    """
    t = np.asarray(t_h, dtype=np.float64)
    if not _has_doses(events):
        return np.zeros_like(t), np.zeros_like(t)
    from ldn.model.exposure import exposure

    return drive_from_exposure(exposure(cast("EventsLike", events), t, params, pk_model=pk_model))


def half_step_grid(t0_h: float, t_end_h: float, dt_h: float) -> tuple[int, FloatArray]:
    """(n_steps, half-step times) covering [t0_h, t_end_h] with RK4 steps of `dt_h`."""
    n_steps = max(1, int(np.ceil((t_end_h - t0_h) / dt_h - 1e-9)))
    return n_steps, t0_h + 0.5 * dt_h * np.arange(2 * n_steps + 1, dtype=np.float64)


def _check_times(t_h: FloatArray) -> FloatArray:
    t = np.asarray(t_h, dtype=np.float64)
    if t.ndim != 1 or t.size < 2 or not np.all(np.isfinite(t)) or np.any(np.diff(t) <= 0):
        raise InputError(
            "t_h must be at least two finite times in hours, strictly increasing "
            "(for example numpy.arange(0, 24 * 14, 1.0))"
        )
    return t


def chain_columns(
    events: object,
    t_h: FloatArray,
    condition: str,
    params: ParameterSet,
    *,
    tlr4: bool = False,
    placebo: bool = True,
    dt_h: float = DEFAULT_DT_H,
    pk_model: str | None = None,
) -> dict[str, FloatArray]:
    """Rebound, immune and disease columns of a dosing regimen at times `t_h` (hours).

    `pk_model`: PK structural variant of the drive (default: the fitted default variant).

    The chain starts untreated at `t_h[0]` and is integrated with RK4 steps of `dt_h`; slow states
    are interpolated onto `t_h` and the algebraic outputs evaluated there exactly. Columns (all
    relative to the untreated state unless stated): STATE_NAMES[:7], OBSERVABLE_NAMES, and one
    expected score per scale of the condition, named after the scale (e.g. `cdai`), including the
    placebo response of a treated (blinded) patient unless `placebo=False`.
    """
    from ldn.solve.compiled import integrate_chain, observe_series

    cond = get_condition(condition)
    t = _check_times(t_h)
    p = parameter_matrix(params, cond.name, tlr4=tlr4)
    n_steps, t_half = half_step_grid(float(t[0]), float(t[-1]), dt_h)
    mor, unbound = exposure_drive(events, t_half, params, pk_model)
    drive = Drive(t_half, mor, unbound).stacked()
    sol = integrate_chain(drive, p, dt_h, n_steps, t0_h=float(t[0]), record_every=1)
    assert sol.trajectory is not None and sol.t_h is not None
    states = np.empty((t.size, N_STATES))
    for j in range(N_STATES):
        states[:, j] = np.interp(t, sol.t_h, sol.trajectory[0, :, j])
    mor_t, unbound_t = exposure_drive(events, t, params, pk_model)
    obs = observe_series(t, states, np.stack([mor_t, unbound_t], axis=-1), p[0])
    out = {name: states[:, j] for j, name in enumerate(STATE_NAMES[:-1])}
    out.update({name: obs[:, j] for j, name in enumerate(OBSERVABLE_NAMES)})
    sps = scale_parameters(params, cond.name)
    for scale in cond.scales:
        out[scale.column] = expected_score(
            states[:, ACTIVITY_INDEX], t - t[0], scale, sps[scale.column], placebo=placebo
        )
    return out


def signalling_note(columns: dict[str, FloatArray], t_h: FloatArray) -> str | None:
    """One line saying the sign of the chain's drug effect in `columns` (from `chain_columns` or
    a family run): daily mean net opioid signalling over the last simulated 24 h, relative to
    untreated. None without a signalling column or with less than a day simulated."""
    sig = columns.get("net_signalling_rel")
    t = np.asarray(t_h, dtype=np.float64)
    if sig is None or t[-1] - t[0] < 24.0:
        return None
    last = t >= t[-1] - 24.0
    mean = float(np.trapezoid(np.asarray(sig)[last], t[last]) / (t[last][-1] - t[last][0]))
    if abs(mean - 1.0) < 1e-6:
        return None
    way = "raises" if mean > 1.0 else "lowers"
    return (f"net opioid signalling over the last day: {mean:.3f} of untreated; at these "
            f"parameters the regimen {way} it, which with a positive effect size is a "
            f"{'benefit' if mean > 1.0 else 'harm'} (one parameter point; intervals: "
            "ldn hypotheses)")  # fmt: skip


def arm_events(arm: str, until_h: float) -> object:
    """Dose events of a headline arm (ARMS): 4.5 mg 22:00, 4.5 mg 08:00, 50 mg 08:00, none."""
    from ldn.regimen import daily

    if arm == "ldn_bedtime":
        return daily(4.5, at="22:00").events(until_h=until_h)
    if arm == "ldn_morning":
        return daily(4.5, at="08:00").events(until_h=until_h)
    if arm == "high_dose":
        return daily(50.0, at="08:00").events(until_h=until_h)
    return None


def arm_drives(
    params: ParameterSet, *, weeks: float = HEADLINE_WEEKS, dt_h: float = DEFAULT_DT_H
) -> tuple[int, dict[str, FloatArray]]:
    """(n_steps, drive (n_half, 2) per arm in ARMS) for the headline comparison."""
    n_steps, t_half = half_step_grid(0.0, weeks * H_PER_WEEK, dt_h)
    drives = {}
    for arm in ARMS:
        mor, unbound = exposure_drive(arm_events(arm, t_half[-1] + 1.0), t_half, params)
        drives[arm] = Drive(t_half, mor, unbound).stacked()[0]
    return n_steps, drives


def score_changes(
    activity_end: FloatArray, condition: str, params: ParameterSet, weeks: float
) -> dict[str, tuple[FloatArray, FloatArray]]:
    """Per scale: (change from baseline, difference vs placebo) at `weeks` for final activity."""
    cond = get_condition(condition)
    sps = scale_parameters(params, cond.name)
    t_end = np.full(np.shape(activity_end), weeks * H_PER_WEEK)
    out = {}
    for scale in cond.scales:
        sp = sps[scale.column]
        score = expected_score(activity_end, t_end, scale, sp)
        placebo = expected_score(np.ones_like(t_end), t_end, scale, sp)
        out[scale.column] = (score - sp.baseline, score - placebo)
    return out


@dataclass(frozen=True)
class Headline:
    """Headline outputs of one condition: daily signalling and score changes per arm.

    signalling: mean net signalling over the last simulated day per arm (relative to the
    untreated 24-h mean; 1 = baseline). change: per scale, per arm, change from baseline at
    `weeks`; vs_placebo: the same minus the placebo arm.
    """

    condition: str
    weeks: float
    signalling: dict[str, float]
    change: dict[str, dict[str, float]]
    vs_placebo: dict[str, dict[str, float]]


def headline(
    condition: str,
    params: ParameterSet,
    *,
    weeks: float = HEADLINE_WEEKS,
    tlr4: bool = False,
    dt_h: float = DEFAULT_DT_H,
) -> Headline:
    """Simulate 4.5 mg at 22:00, 4.5 mg at 08:00, 50 mg at 08:00 and placebo for `weeks`."""
    from ldn.solve.compiled import integrate_chain

    cond = get_condition(condition)
    n_steps, drives = arm_drives(params, weeks=weeks, dt_h=dt_h)
    drive = np.stack([drives[a] for a in ARMS])
    p = np.repeat(parameter_matrix(params, cond.name, tlr4=tlr4), len(ARMS), axis=0)
    sol = integrate_chain(drive, p, dt_h, n_steps)
    changes = score_changes(sol.final_state[:, ACTIVITY_INDEX], cond.name, params, weeks)
    return Headline(
        condition=cond.name,
        weeks=weeks,
        signalling={a: float(s) for a, s in zip(ARMS, sol.mean_signalling, strict=True)},
        change={k: dict(zip(ARMS, map(float, v[0]), strict=True)) for k, v in changes.items()},
        vs_placebo={k: dict(zip(ARMS, map(float, v[1]), strict=True)) for k, v in changes.items()},
    )


def calibrate_effect_gain(
    condition: str, params: ParameterSet, *, dt_h: float = DEFAULT_DT_H
) -> float:
    """Effect size β that reproduces the condition's calibration target at 4.5 mg, 22:00.

    The latent activity is monotone in β, so β is found by bracketing: a batch of trial values
    is simulated at once and the root refined with Brent's method on linear interpolation
    between the bracketing runs, then polished with two more exact runs (secant).
    Used to derive `disease.<condition>.effect_gain`.
    """
    from scipy.optimize import brentq

    from ldn.solve.compiled import integrate_chain

    cond = get_condition(condition)
    target = cond.target
    if target.difference == 0.0:
        return 0.0
    n_steps, drives = arm_drives(params, weeks=target.weeks, dt_h=dt_h)
    scale = next(s for s in cond.scales if s.column == target.column)
    sp = scale_parameters(params, cond.name)[scale.column]
    t_end = np.array([target.weeks * H_PER_WEEK])
    placebo_score = expected_score(np.ones(1), t_end, scale, sp)[0]

    def diff(betas: FloatArray) -> FloatArray:
        p = parameter_matrix(
            params, cond.name, overrides={f"{cond.prefix}.effect_gain": np.asarray(betas)}
        )
        sol = integrate_chain(drives["ldn_bedtime"], p, dt_h, n_steps)
        activity = sol.final_state[:, ACTIVITY_INDEX]
        score = expected_score(activity, np.full(len(betas), t_end[0]), scale, sp)
        return np.asarray(score - placebo_score - target.difference)

    grid = np.concatenate([[0.0], np.geomspace(1e-2, 1e4, 61)])
    values = diff(grid)
    sign_change = np.nonzero(np.sign(values[:-1]) != np.sign(values[1:]))[0]
    if sign_change.size == 0:
        raise InputError(
            f"{cond.name}: no effect size in [0, 1e4] reproduces {target.difference:+g} "
            f"{scale.short_label}; the chain's LDN signal is too weak or has the wrong sign"
        )
    i = int(sign_change[0])
    beta = brentq(lambda b: float(np.interp(b, grid[i : i + 2], values[i : i + 2])),
                  grid[i], grid[i + 1])  # fmt: skip
    for _ in range(3):  # secant polish on exact runs
        b2 = beta * (1.0 + 1e-4)
        v = diff(np.array([beta, b2]))
        if v[1] == v[0]:
            break
        beta = beta - v[0] * (b2 - beta) / (v[1] - v[0])
    return float(beta)
