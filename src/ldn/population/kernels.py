"""Numba kernels of the population engine (see `ldn.population.engine` for the method).

`_pk_drive` advances the exact PK of one patient by a half-step and gives its drive;
`propagate_pk` runs it over the whole half-step grid; `_chain_from_pk_pairs` fuses it with the
chain's RK4 step per patient pair.
"""

from __future__ import annotations

from typing import Any, Final, NamedTuple

import numpy as np

from ldn.compile_options import _jit, run_in_threads
from ldn.model import chain
from ldn.model.receptors import occupancy_fraction
from ldn.population.layout import PEAK_NAMES, ROW_NAMES, STAT_NAMES
from ldn.solve.compiled import rk4_step_pair
from ldn.types import BoolArray, FloatArray, IntArray

_ACTIVITY: Final = chain.ACTIVITY_INDEX
_NO_INPUTS: Final = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)  # stage inputs before the first drive
# Rows of `PKArrays.rows` by name (`ldn.population.patient_pk.output_rows`); the unbound nM is
# the last row and present only with TLR4, so `rows.shape[1] > _R_UNBOUND` says TLR4 is on.
_R_RATIO_NTX, _R_RATIO_NOL, _R_UNBOUND = map(ROW_NAMES.index, (
    "mor_ratio_naltrexone", "mor_ratio_naltrexol", "unbound_nM",
))  # fmt: skip
# Columns of the outputs `stats` and `peak` (the peak of each PEAK_NAMES row in its column).
_S_MEAN, _S_PEAK, _S_TROUGH = map(STAT_NAMES.index, ("mor_mean", "mor_peak", "mor_trough"))
_PEAK_ROWS: Final = tuple(ROW_NAMES.index(name) for name in PEAK_NAMES)
_D_MOR, _D_UNBOUND = chain.DRIVE_MOR, chain.DRIVE_UNBOUND


class PKArrays(NamedTuple):
    """Per-patient linear PK recursion on the half-step grid, as the kernels take it (fields
    read by name; `ldn.population.engine.pk_recursion` builds it).

    Modal patients (`dense` False): x_m ← x_m·e^{λ_m Δ}, a dose adds D to every mode (b = 1).
    Others: x ← Φ x with Φ = expm(A·Δ), a dose adds D to the gut (b = e_gut). Outputs y = rows·x
    (`ldn.population.patient_pk.output_rows`).
    """

    phi: FloatArray
    b: FloatArray
    dense: BoolArray
    lam_half: FloatArray
    rows: FloatArray
    dose_at: IntArray
    dose_mg: FloatArray
    taken: BoolArray


# MOR occupancy from the binding ratios r = L/K of naltrexone and 6β-naltrexol (one formula).
_occupancy = _jit(occupancy_fraction)


@_jit(inline=True)
def _pk_drive(  # noqa: C901, PLR0912 (Numba kernel: branches unrolled for speed)
    i: int,
    j: int,
    kd: int,
    x: FloatArray,
    nx: FloatArray,
    decay: FloatArray,
    rec: PKArrays,
    window_from: int,
    stats: FloatArray,
    peak: FloatArray,
) -> tuple[float, float, int]:
    """(MOR occupancy, unbound nM, next dose) of patient i at half-step j; then x advances
    one half-step (so the fused kernel's drive is identical to `propagate_pk`'s and
    `exposure_grid`'s). MOR occupancy is `ldn.model.receptors.occupancy_fraction` compiled into
    the kernel ((r1 + r2)/(1 + r1 + r2), tested against `receptors.occupancy`), evaluated here
    because a NumPy pass over the (patients × half-steps) arrays costs more than the PK. From
    half-step `window_from` on it accumulates the occupancy sum/max/min in `stats` and the
    plasma maxima in `peak`."""
    phi, b, dense, rows = rec.phi, rec.b, rec.dense, rec.rows
    dose_at, dose_mg, taken = rec.dose_at, rec.dose_mg, rec.taken
    n_x = x.shape[0]
    tlr4 = rows.shape[1] > _R_UNBOUND
    while kd < dose_at.shape[0] and dose_at[kd] == j:
        if taken[i, kd]:
            for s in range(n_x):
                x[s] += dose_mg[kd] * b[i, s]
        kd += 1
    r0 = 0.0
    r1 = 0.0
    for s in range(n_x):
        r0 += rows[i, _R_RATIO_NTX, s] * x[s]
    for s in range(n_x):
        r1 += rows[i, _R_RATIO_NOL, s] * x[s]
    occ = _occupancy(r0, r1)
    unbound = 0.0
    if tlr4:
        for s in range(n_x):
            unbound += rows[i, _R_UNBOUND, s] * x[s]
    if j >= window_from:
        stats[i, _S_MEAN] += occ
        stats[i, _S_PEAK] = max(stats[i, _S_PEAK], occ)
        stats[i, _S_TROUGH] = min(stats[i, _S_TROUGH], occ)
        for q in range(len(PEAK_NAMES)):
            acc = 0.0
            for s in range(n_x):
                acc += rows[i, _PEAK_ROWS[q], s] * x[s]
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


@_jit(nogil=True)
def _propagate_patients(
    lo: int,
    hi: int,
    rec: PKArrays,
    n_grid: int,
    peak_from: int,
    out: FloatArray,
    peak: FloatArray,
    stats: FloatArray,
) -> None:
    """Drive (MOR occupancy, unbound nM) of patients lo <= i < hi at every point of the grid
    into `out` (n, n_grid, 2), with `_pk_drive`; plasma peaks from `peak_from` on into `peak`."""
    n_x = rec.lam_half.shape[1]
    nx = np.empty(n_x)
    for i in range(lo, hi):
        decay = np.exp(rec.lam_half[i])
        x = np.zeros(n_x)
        kd = 0
        for j in range(n_grid):
            occ, unbound, kd = _pk_drive(i, j, kd, x, nx, decay, rec, peak_from, stats, peak)
            out[i, j, _D_MOR] = occ
            out[i, j, _D_UNBOUND] = unbound


def propagate_pk(
    rec: PKArrays, n_grid: int, peak_from: int, out: FloatArray, peak: FloatArray
) -> None:
    """The exact PK of every patient of `rec` on the half-step grid: x_m ← x_m·e^{λ_m Δ} for modal
    patients, x ← Φ x for the others (`dense`; ill-conditioned eigenvectors), + D·b at a taken
    dose. Writes the drive (MOR occupancy from the binding ratios of y = rows·x, and the unbound
    nM when the rows have it (TLR4), else 0) into `out` (n, n_grid, 2) and the running maxima of
    the plasma rows (PEAK_NAMES) from half-step `peak_from` on into `peak` (n, 2).
    Patients split among threads (`run_in_threads`), as `_chain_from_pk_pairs`."""
    stats = np.zeros((out.shape[0], len(STAT_NAMES)))  # the fused kernel's window, unused here
    run_in_threads(_propagate_patients, out.shape[0], rec, n_grid, peak_from, out, peak, stats)


@_jit(inline=True)
def _stage_inputs(
    t_h: float, j: int, clock: FloatArray, mor: float, unbound: float, k: tuple[float, ...]
) -> tuple[float, float, float, float, float, float, float]:
    """`chain.stage_inputs` at half-step j, reading the circadian factor from `clock` (shared by
    all patients, `chain.circadian_table`) when given, else computing it."""
    if clock.shape[0] > 0:
        return chain.stage_inputs_clocked(clock[j], mor, unbound, k)
    return chain.stage_inputs(t_h, mor, unbound, k)


@_jit(nogil=True)
def _simulate_pairs(
    lo: int,
    hi: int,
    rec: PKArrays,
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
    """PK → occupancy → chain for the patient pairs 2q, 2q + 1 with lo <= q < hi, one pair at a
    time (see `_chain_from_pk_pairs`)."""
    lam_half = rec.lam_half
    n_x = lam_half.shape[1]
    n_s = y_init.shape[0]
    for q in range(lo, hi):
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
        kd_a = 0
        kd_b = 0
        fa0 = fa_mid = fa_end = fb0 = fb_mid = fb_end = _NO_INPUTS
        for k in range(n_steps + 1):
            if k % record_every == 0:
                activity[a, k // record_every] = ya[_ACTIVITY]
                activity[b, k // record_every] = yb[_ACTIVITY]
            if k == n_steps:
                break
            # the drive and stage inputs at half-steps 2k + 1 (middle) and 2k + 2 (end), and at
            # 0 (start) in the first step; a step's start is the previous step's end
            for j in range(2 * k if k == 0 else 2 * k + 1, 2 * k + 3):
                t_j = 0.0 if j == 0 else (k * dt_h + 0.5 * dt_h if j % 2 else (k + 1) * dt_h)
                m, u, kd_a = _pk_drive(a, j, kd_a, xa, nx, decay_a, rec, window_from, stats, peak)
                fa = _stage_inputs(t_j, j, clock, m, u, pa)
                m, u, kd_b = _pk_drive(b, j, kd_b, xb, nx, decay_b, rec, window_from, stats, peak)
                fb = _stage_inputs(t_j, j, clock, m, u, pb)
                if j == 0:
                    fa0, fb0 = fa, fb
                elif j % 2:
                    fa_mid, fb_mid = fa, fb
                else:
                    fa_end, fb_end = fa, fb
            rk4_step_pair(ya, yb, (fa0, fa_mid, fa_end), (fb0, fb_mid, fb_end), pa, pb, dt_h,
                          ka, kb)  # fmt: skip
            fa0 = fa_end
            fb0 = fb_end


def fused_kernel_compiled() -> bool:
    """True once the fused kernel (`_simulate_pairs`) is compiled or loaded in this process."""
    return bool(getattr(_simulate_pairs, "signatures", ()))  # a Numba dispatcher's


def _chain_from_pk_pairs(rec: PKArrays, params: FloatArray, *args: Any) -> None:
    """PK → occupancy → chain in one pass per pair of patients 2q, 2q + 1 (the number of
    patients must be even), the pairs split among threads (`run_in_threads`); `args`: clock,
    y_init, dt_h, n_steps, record_every, window_from, activity, stats, peak (`_simulate_pairs`).

    The drive of each half-step is computed when the RK4 stages need it (`_pk_drive`), so no
    (patients × half-steps) drive array is stored. The chain step is
    `ldn.solve.compiled.rk4_step_pair`: `rk4_step` (the step of `integrate_chain`) for two
    patients, interleaved so that their independent dependency chains overlap in the CPU.
    Records the latent activity every `record_every` steps into `activity`. `clock`: the
    circadian factor at every half-step when all patients share its parameters (one cosine per
    half-step for the whole population instead of one per patient), else empty.

    A serial `nogil` kernel on threads rather than a `prange` loop: same run time, and the cold
    compile takes a fraction of the time (`ldn.compile_options`)."""
    run_in_threads(_simulate_pairs, params.shape[0] // 2, rec, params, *args)
