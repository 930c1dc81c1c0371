"""Numba kernels of the population engine (see `ldn.population.engine` for the method).

`_propagate_modal`/`_propagate_matrix` advance the exact PK on the half-step grid;
`_chain_from_pk_pairs` fuses that PK with occupancy and the chain's RK4 step per patient pair.
"""

from __future__ import annotations

from typing import Final

import numba
import numpy as np
import numpy.typing as npt

from ldn.compile_options import _jit
from ldn.model import chain
from ldn.solve.compiled import rk4_step_pair

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
_ACTIVITY: Final = chain.STATE_NAMES.index("disease_activity_rel")


# (phi, b, dense, lam_half, rows, dose_at, dose_mg, taken) of a `_PKRecursion`, as kernels take it
_PKTuple = tuple[
    FloatArray,
    FloatArray,
    BoolArray,
    FloatArray,
    FloatArray,
    npt.NDArray[np.int64],
    FloatArray,
    BoolArray,
]


@_jit
def _store(y: FloatArray, i: int, j: int, in_peak: bool, out: FloatArray, peak: FloatArray) -> None:
    """Drive and peaks from the kernel rows y = (L1/K1, L2/K2[, unbound nM], C_ntx, C_nol).

    MOR occupancy is the two-ligand competitive formula of `ldn.model.receptors`
    ((r1 + r2)/(1 + r1 + r2), tested against `receptors.occupancy`), evaluated here because a
    NumPy pass over the (patients × half-steps) arrays costs more than the whole PK kernel.
    """
    occ = (y[0] + y[1]) / (1.0 + y[0] + y[1])
    out[i, j, 0] = occ
    if out.shape[2] > 1:
        out[i, j, 1] = y[2] if y.shape[0] > 4 else 0.0
    if in_peak:
        n = y.shape[0]
        if y[n - 2] > peak[i, 0]:
            peak[i, 0] = y[n - 2]
        if y[n - 1] > peak[i, 1]:
            peak[i, 1] = y[n - 1]


@_jit(parallel=True)
def _propagate_modal(
    lam_half: FloatArray,
    coef: FloatArray,
    dose_at: npt.NDArray[np.int64],
    dose_mg: FloatArray,
    taken: BoolArray,
    n_grid: int,
    peak_from: int,
    out: FloatArray,
    peak: FloatArray,
) -> None:
    """Modal superposition on the grid: z_m ← z_m·e^{λ_m Δ} (+ D at a taken dose); rows
    y_r = Σ_m coef[i, r, m]·z_m. Writes the drive (MOR occupancy from the binding ratios y_0, y_1;
    then y_2 if present) and running maxima of the last two rows (plasma peaks)."""
    n_p, n_m = lam_half.shape
    n_rows = coef.shape[1]
    n_d = dose_at.shape[0]
    for i in numba.prange(n_p):
        decay = np.exp(lam_half[i])
        z = np.zeros(n_m)
        y = np.empty(n_rows)
        k = 0
        for j in range(n_grid):
            while k < n_d and dose_at[k] == j:
                if taken[i, k]:
                    for m in range(n_m):
                        z[m] += dose_mg[k]
                k += 1
            in_peak = j >= peak_from
            for r in range(n_rows if in_peak else n_rows - 2):  # peaks: last day only
                acc = 0.0
                for m in range(n_m):
                    acc += coef[i, r, m] * z[m]
                y[r] = acc
            _store(y, i, j, in_peak, out, peak)
            for m in range(n_m):
                z[m] *= decay[m]


@_jit(parallel=True)
def _propagate_matrix(
    phi: FloatArray,
    rows: FloatArray,
    dose_at: npt.NDArray[np.int64],
    dose_mg: FloatArray,
    taken: BoolArray,
    n_grid: int,
    peak_from: int,
    out: FloatArray,
    peak: FloatArray,
) -> None:
    """Same outputs as `_propagate_modal` from the state recursion x ← Φ x (+ D·e_gut), with
    y = rows·x; used for patients whose eigenvectors are ill-conditioned (valid for any A)."""
    n_p, n_s = phi.shape[0], phi.shape[1]
    n_rows = rows.shape[1]
    n_d = dose_at.shape[0]
    for i in numba.prange(n_p):
        x = np.zeros(n_s)
        nx = np.empty(n_s)
        y = np.empty(n_rows)
        k = 0
        for j in range(n_grid):
            while k < n_d and dose_at[k] == j:
                if taken[i, k]:
                    x[0] += dose_mg[k]  # a dose enters the gut compartment (b = e_gut)
                k += 1
            in_peak = j >= peak_from
            for r in range(n_rows if in_peak else n_rows - 2):  # peaks: last day only
                acc = 0.0
                for s in range(n_s):
                    acc += rows[i, r, s] * x[s]
                y[r] = acc
            _store(y, i, j, in_peak, out, peak)
            for r in range(n_s):
                acc = 0.0
                for s in range(n_s):
                    acc += phi[i, r, s] * x[s]
                nx[r] = acc
            for r in range(n_s):
                x[r] = nx[r]


@_jit(inline=True)
def _pk_drive(
    i: int,
    j: int,
    kd: int,
    x: FloatArray,
    nx: FloatArray,
    decay: FloatArray,
    rec: _PKTuple,
    window_from: int,
    stats: FloatArray,
    peak: FloatArray,
) -> tuple[float, float, int]:
    """(MOR occupancy, unbound nM, next dose) of patient i at half-step j; then x advances
    one half-step. Same operations, in the same order, as `_propagate_modal`/`_propagate_matrix`
    with `_store` (so the drive is identical to `exposure_grid`'s). Over the last 24 h it
    accumulates the occupancy sum/max/min in `stats` and the plasma maxima in `peak`."""
    phi, b, dense, _, rows, dose_at, dose_mg, taken = rec
    n_x = x.shape[0]
    n_rows = rows.shape[1]
    while kd < dose_at.shape[0] and dose_at[kd] == j:
        if taken[i, kd]:
            for s in range(n_x):
                x[s] += dose_mg[kd] * b[i, s]
        kd += 1
    r0 = 0.0
    r1 = 0.0
    for s in range(n_x):
        r0 += rows[i, 0, s] * x[s]
    for s in range(n_x):
        r1 += rows[i, 1, s] * x[s]
    occ = (r0 + r1) / (1.0 + r0 + r1)
    unbound = 0.0
    if n_rows > 4:
        for s in range(n_x):
            unbound += rows[i, 2, s] * x[s]
    if j >= window_from:
        stats[i, 0] += occ
        stats[i, 1] = max(stats[i, 1], occ)
        stats[i, 2] = min(stats[i, 2], occ)
        for q in range(2):
            acc = 0.0
            for s in range(n_x):
                acc += rows[i, n_rows - 2 + q, s] * x[s]
            if acc > peak[i, q]:
                peak[i, q] = acc
    if dense[i]:
        for r in range(n_x):
            acc = 0.0
            for s in range(n_x):
                acc += phi[i, r, s] * x[s]
            nx[r] = acc
        for r in range(n_x):
            x[r] = nx[r]
    else:
        for s in range(n_x):
            x[s] *= decay[s]
    return occ, unbound, kd


@_jit(inline=True)
def _stage_inputs(
    t_h: float, j: int, clock: FloatArray, mor: float, unbound: float, k: tuple[float, ...]
) -> tuple[float, float, float, float, float, float, float]:
    """`chain.stage_inputs` at half-step j, reading the circadian factor from `clock` (shared by
    all patients, `chain.circadian_table`) when given, else computing it."""
    if clock.shape[0] > 0:
        return chain.stage_inputs_clocked(clock[j], mor, unbound, k)
    return chain.stage_inputs(t_h, mor, unbound, k)


@_jit(parallel=True)
def _chain_from_pk_pairs(
    rec: _PKTuple,
    params: FloatArray,
    clock: FloatArray,
    y_init: FloatArray,
    dt_h: float,
    n_steps: int,
    record_every: int,
    window_from: int,
    activity: FloatArray,
    stats: FloatArray,
    peak: FloatArray,
) -> None:
    """PK → occupancy → chain in one pass per pair of patients 2q, 2q + 1 (prange over pairs;
    the number of patients must be even).

    The drive of each half-step is computed when the RK4 stages need it (`_pk_drive`), so no
    (patients × half-steps) drive array is stored. The chain step is
    `ldn.solve.compiled.rk4_step_pair`: `rk4_step` (the step of `integrate_chain`) for two
    patients, interleaved so that their independent dependency chains overlap in the CPU.
    Records the latent activity every `record_every` steps into `activity`. `clock`: the
    circadian factor at every half-step when all patients share its parameters (one cosine per
    half-step for the whole population instead of one per patient), else empty."""
    lam_half = rec[3]
    n_x = lam_half.shape[1]
    n_s = y_init.shape[0]
    for q in numba.prange(params.shape[0] // 2):
        a = 2 * q
        b = a + 1
        pa = chain.chain_constants(params[a])
        pb = chain.chain_constants(params[b])
        decay_a = np.exp(lam_half[a])
        decay_b = np.exp(lam_half[b])
        xa = np.zeros(n_x)
        xb = np.zeros(n_x)
        nx = np.empty(n_x)
        ya = y_init.copy()
        yb = y_init.copy()
        ka = np.empty((5, n_s))
        kb = np.empty((5, n_s))
        m, u, kd_a = _pk_drive(a, 0, 0, xa, nx, decay_a, rec, window_from, stats, peak)
        fa0 = _stage_inputs(0.0, 0, clock, m, u, pa)
        m, u, kd_b = _pk_drive(b, 0, 0, xb, nx, decay_b, rec, window_from, stats, peak)
        fb0 = _stage_inputs(0.0, 0, clock, m, u, pb)
        for k in range(n_steps + 1):
            t = k * dt_h
            if k % record_every == 0:
                activity[a, k // record_every] = ya[_ACTIVITY]
                activity[b, k // record_every] = yb[_ACTIVITY]
            if k == n_steps:
                break
            t_mid = t + 0.5 * dt_h
            t_end = (k + 1) * dt_h
            m, u, kd_a = _pk_drive(a, 2 * k + 1, kd_a, xa, nx, decay_a, rec, window_from,
                                   stats, peak)  # fmt: skip
            fa_mid = _stage_inputs(t_mid, 2 * k + 1, clock, m, u, pa)
            m, u, kd_b = _pk_drive(b, 2 * k + 1, kd_b, xb, nx, decay_b, rec, window_from,
                                   stats, peak)  # fmt: skip
            fb_mid = _stage_inputs(t_mid, 2 * k + 1, clock, m, u, pb)
            m, u, kd_a = _pk_drive(a, 2 * k + 2, kd_a, xa, nx, decay_a, rec, window_from,
                                   stats, peak)  # fmt: skip
            fa_end = _stage_inputs(t_end, 2 * k + 2, clock, m, u, pa)
            m, u, kd_b = _pk_drive(b, 2 * k + 2, kd_b, xb, nx, decay_b, rec, window_from,
                                   stats, peak)  # fmt: skip
            fb_end = _stage_inputs(t_end, 2 * k + 2, clock, m, u, pb)
            rk4_step_pair(ya, yb, (fa0, fa_mid, fa_end), (fb0, fb_mid, fb_end), pa, pb, dt_h,
                          ka, kb)  # fmt: skip
            fa0 = fa_end
            fb0 = fb_end
