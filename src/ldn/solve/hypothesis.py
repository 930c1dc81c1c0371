"""Compiled RK4 integration of the chain under a mechanism family's upregulation law.

The right-hand side is the chain's (`ldn.model.chain.stage_rates`) with, for the `linear` and
`threshold` laws, the four adaptation rates replaced by `ldn.model.hypotheses.laws`; the
`saturating` law leaves the chain untouched, so `rebound_brain` integrates exactly the seed's ODE
(tests/solve/test_hypothesis_kernel.py checks it against `ldn.solve.compiled`). Same fixed-step
RK4 with the drive on a half-step grid as `ldn.solve.compiled`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

from ldn.compile_options import _jit, run_in_threads
from ldn.errors import InputError
from ldn.model.chain import (
    DRIVE_MOR,
    DRIVE_UNBOUND,
    N_STATES,
    PARAM_NAMES,
    SIGNALLING_INTEGRAL_INDEX,
    STAGE_INPUT_NAMES,
    STATE_NAMES,
    chain_constants,
    stage_inputs,
    stage_rates,
)
from ldn.model.chain_params import GAIN_NAMES
from ldn.model.disease.base import activity_target_sloped
from ldn.model.hypotheses.laws import law_stimulus, target_rate
from ldn.solve.compiled import chain_inputs
from ldn.types import FloatArray

# The laws' per-patient constants (`law_parameters`): chain gains as they are, the threshold θ,
# and rate constants 1/τ of chain time constants; the kernel reads them by these names.
_RATES: Final = {
    "k_receptor_up": "receptor_tau_up_h", "k_receptor_down": "receptor_tau_down_h",
    "k_ligand_up": "ligand_tau_up_h", "k_ligand_down": "ligand_tau_down_h",
}  # fmt: skip
LAW_PARAM_NAMES: Final = (*GAIN_NAMES, "threshold", *_RATES)
_L_GR, _L_GRO, _L_GB, _L_GO, _L_THETA, _L_RUP, _L_RDN, _L_LUP, _L_LDN = map(LAW_PARAM_NAMES.index, (
    "mor_gain", "ogfr_gain", "be_gain", "ogf_gain", "threshold",
    "k_receptor_up", "k_receptor_down", "k_ligand_up", "k_ligand_down",
))  # fmt: skip
_R, _RO, _PB, _PO = map(STATE_NAMES.index, (
    "mor_density_rel", "ogfr_density_rel", "beta_endorphin_rel", "ogf_rel",
))  # fmt: skip
_F_MOR, _F_OGFR = map(STAGE_INPUT_NAMES.index, ("mor_occupancy", "ogfr_occupancy"))


@_jit(inline=True)
def _stage(
    y: FloatArray, f: tuple[float, float, float, float, float, float, float],
    k: tuple[float, ...], law: int, lp: FloatArray, dy: FloatArray,
) -> None:  # fmt: skip
    stage_rates(y, f, k, dy)
    if law == 0:
        return
    g_mor = law_stimulus(f[_F_MOR], law, lp[_L_THETA])
    g_ogfr = law_stimulus(f[_F_OGFR], law, lp[_L_THETA])
    dy[_R] = target_rate(y[_R], 1.0 + lp[_L_GR] * g_mor, lp[_L_RUP], lp[_L_RDN])
    dy[_RO] = target_rate(y[_RO], 1.0 + lp[_L_GRO] * g_ogfr, lp[_L_RUP], lp[_L_RDN])
    dy[_PB] = target_rate(y[_PB], 1.0 + lp[_L_GB] * g_mor, lp[_L_LUP], lp[_L_LDN])
    dy[_PO] = target_rate(y[_PO], 1.0 + lp[_L_GO] * g_ogfr, lp[_L_LUP], lp[_L_LDN])


@_jit(nogil=True)
def _kernel(
    lo: int, hi: int, drive: FloatArray, params: FloatArray, law: int, law_params: FloatArray,
    dt_h: float, n_steps: int, record_every: int, traj: FloatArray, final: FloatArray,
) -> None:  # fmt: skip
    """Patients lo <= i < hi (blocks run side by side on threads: `run_in_threads`)."""
    for i in range(lo, hi):
        k = chain_constants(params[i])
        lp = law_params[i]
        row = np.int64(i) if drive.shape[0] > 1 else np.int64(0)
        y = np.ones(N_STATES)
        y[SIGNALLING_INTEGRAL_INDEX] = 0.0
        k1 = np.empty(N_STATES)
        k2 = np.empty(N_STATES)
        k3 = np.empty(N_STATES)
        k4 = np.empty(N_STATES)
        tmp = np.empty(N_STATES)
        f0 = stage_inputs(0.0, drive[row, 0, DRIVE_MOR], drive[row, 0, DRIVE_UNBOUND], k)
        for s in range(n_steps + 1):
            if s % record_every == 0:
                traj[i, s // record_every, :] = y
            if s == n_steps:
                break
            t = s * dt_h
            h = 2 * s + 1
            m1, u1 = drive[row, h, DRIVE_MOR], drive[row, h, DRIVE_UNBOUND]
            m2, u2 = drive[row, h + 1, DRIVE_MOR], drive[row, h + 1, DRIVE_UNBOUND]
            f_mid = stage_inputs(t + 0.5 * dt_h, m1, u1, k)
            f_end = stage_inputs(t + dt_h, m2, u2, k)
            _stage(y, f0, k, law, lp, k1)
            for j in range(N_STATES):
                tmp[j] = y[j] + 0.5 * dt_h * k1[j]
            _stage(tmp, f_mid, k, law, lp, k2)
            for j in range(N_STATES):
                tmp[j] = y[j] + 0.5 * dt_h * k2[j]
            _stage(tmp, f_mid, k, law, lp, k3)
            for j in range(N_STATES):
                tmp[j] = y[j] + dt_h * k3[j]
            _stage(tmp, f_end, k, law, lp, k4)
            for j in range(N_STATES):
                y[j] += dt_h / 6.0 * (k1[j] + 2.0 * k2[j] + 2.0 * k3[j] + k4[j])
            f0 = f_end
        final[i] = y


@dataclass(frozen=True)
class FamilySolution:
    """States (n_patients, n_rec, N_STATES) at times `t_h` (n_rec,) and at the end."""

    t_h: FloatArray
    states: FloatArray
    final_state: FloatArray


def law_parameters(params: FloatArray, threshold: FloatArray | float) -> FloatArray:
    """(n, 9) per-patient constants of the laws, in LAW_PARAM_NAMES order: 4 gains, θ, k_up and
    k_down of receptors and ligands."""
    p = np.atleast_2d(params)
    out = np.empty((p.shape[0], len(LAW_PARAM_NAMES)))
    for name in GAIN_NAMES:
        out[:, LAW_PARAM_NAMES.index(name)] = p[:, PARAM_NAMES.index(name)]
    out[:, _L_THETA] = threshold
    for name, tau in _RATES.items():
        out[:, LAW_PARAM_NAMES.index(name)] = 1.0 / p[:, PARAM_NAMES.index(tau)]
    return out


def integrate_family(
    drive: FloatArray,
    params: FloatArray,
    law: int,
    dt_h: float,
    n_steps: int,
    *,
    threshold: FloatArray | float = 0.8,
    record_every: int = 1,
) -> FamilySolution:
    """Integrate the chain under upregulation law `law` (0 saturating, 1 linear, 2 threshold).

    drive: (n_half, 2) or (n_patients, n_half, 2) with n_half = 2·n_steps + 1 (as
    `ldn.solve.compiled.integrate_chain`), params: (n_patients, N_PARAMS); the run starts
    untreated at t = 0. States are recorded every `record_every` steps.
    """
    drive, params = chain_inputs(drive, params)
    if drive.shape[1] < 2 * n_steps + 1 or drive.shape[0] not in (1, params.shape[0]):
        raise InputError(f"drive has shape {drive.shape}; need (1 or n, ≥ {2 * n_steps + 1}, 2)")
    if law not in (0, 1, 2):
        raise InputError(f"unknown upregulation law code {law}; expected 0, 1 or 2")
    n_rec = n_steps // record_every + 1
    traj = np.empty((params.shape[0], n_rec, N_STATES))
    lp = np.ascontiguousarray(law_parameters(params, threshold))
    final = np.empty((params.shape[0], N_STATES))
    run_in_threads(
        _kernel, params.shape[0], np.ascontiguousarray(drive), params, int(law), lp, float(dt_h),
        int(n_steps), int(record_every), traj, final,
    )  # fmt: skip
    return FamilySolution(np.arange(n_rec, dtype=np.float64) * dt_h * record_every, traj, final)


@_jit
def _activity_end(
    cytokine: FloatArray, dt_h: float, slope: FloatArray, k_per_h: float, activity_max: float,
    n_steps: int,
) -> FloatArray:  # fmt: skip
    n = cytokine.shape[0]
    out = np.empty(n)
    for i in range(n):
        a = 1.0
        s_i = slope[i]
        for s in range(n_steps):
            c0 = cytokine[i, s]
            c1 = cytokine[i, s + 1]
            t0 = activity_target_sloped(c0, s_i, activity_max)
            tm = activity_target_sloped(0.5 * (c0 + c1), s_i, activity_max)
            t1 = activity_target_sloped(c1, s_i, activity_max)
            k1 = (t0 - a) * k_per_h
            k2 = (tm - (a + 0.5 * dt_h * k1)) * k_per_h
            k3 = (tm - (a + 0.5 * dt_h * k2)) * k_per_h
            k4 = (t1 - (a + dt_h * k3)) * k_per_h
            a += dt_h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
        out[i] = a
    return out


def activity_after(
    cytokine: FloatArray, dt_h: float, effect_gain: FloatArray, tau_h: float,
    activity_max: float, n_steps: int,
) -> FloatArray:  # fmt: skip
    """Latent disease activity after `n_steps` steps for a recorded cytokine index.

    cytokine: (n, ≥ n_steps + 1) at every step of `dt_h` from the untreated start; the activity
    ODE of `ldn.model.disease.base` is integrated with RK4, the cytokine index interpolated
    linearly between steps. Lets many conditions (gains, τ_D) share one mechanism run; agrees
    with the chain's own activity state to ≤ 1e-3 relative at dt = 2 h (tests).
    """
    c = np.ascontiguousarray(cytokine, dtype=np.float64)
    if c.shape[1] < n_steps + 1:
        raise InputError(f"cytokine has {c.shape[1]} samples; need {n_steps + 1}")
    gain = np.broadcast_to(np.asarray(effect_gain, dtype=np.float64), (c.shape[0],))
    slope = np.ascontiguousarray(-activity_max * gain / (activity_max - 1.0))
    return _activity_end(c, dt_h, slope, 1.0 / tau_h, activity_max, n_steps)
