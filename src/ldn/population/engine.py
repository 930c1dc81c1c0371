"""Population engine: exact PK and occupancy on a grid, then the compiled chain for many patients.

For one chunk of patients (a `Population`) and a dose schedule shared by all of them, with a
per-patient mask of doses actually taken:

1. PK: each patient's linear system (`ldn.model.pk.linear_system` with per-patient parameter
   arrays) is decomposed into modes (`ldn.model.superposition.modes`) and propagated exactly on
   the chain's half-step grid, z ← z·e^{λΔ} (+ D at a taken dose); patients whose eigenvectors
   are ill-conditioned use the transition matrix Φ = expm(A·Δ) instead (`scipy.linalg.expm`).
   Both are the closed-form solution of the linear ODE evaluated step by step, so each patient
   can skip different doses (adherence). Written as Numba loops because NumPy would need one
   (patients × modes) update per half-step from Python.
2. Occupancy: the two-ligand competitive formula of `ldn.model.receptors` on the effect-site
   concentrations, with the binding factors read from that module; evaluated inside the same
   loop (tested against `ldn.model.exposure.exposure`).
3. Chain: the RK4 step of `ldn.solve.compiled` (`rk4_step`, the kernel of `integrate_chain`)
   driven by the MOR occupancy and unbound concentration, recording the activity only at the
   requested observation times.

`simulate_patients` fuses 1–3 into one Numba pass per pair of patients
(`_chain_from_pk_pairs`, prange over pairs): the PK state advances half-step by half-step as
the RK4 stages need the drive, so no (patients × half-steps) drive array is built and memory
per patient does not grow with time steps. `exposure_grid` (the drive array, tested against
`ldn.model.exposure.exposure`) followed by `integrate_chain` is the two-pass form of the same
computation; tests/population/test_engine_fused.py checks that both agree to rounding.

Default step 0.5 h: on the benchmark's 84-day runs the latent activity is within 2e-4
(absolute) of a CVODE reference at rtol 1e-10; 1 h (used for trials) is within 1.5e-3.

Patients who take no dose at all stay exactly at the untreated steady state (activity 1), so
they skip steps 1–3.

Between-patient variability enters through the `Population` factors: F (`f_sys`), CL, V_c and
V_deep, ka, CL and volumes of 6β-naltrexol, flows (allometry), the chain's disease `effect_gain`
(response factor) and its immune/disease time constants (turnover factor).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numba
import numpy as np
import numpy.typing as npt

from ldn.compile_options import _jit
from ldn.errors import InputError
from ldn.model import chain, pk, receptors
from ldn.parameters import ParameterSet
from ldn.population.rng import Stream, patient_uniforms
from ldn.population.sampling import Population
from ldn.regimen.schedule import Regimen
from ldn.solve.compiled import rk4_step_pair
from ldn.units import H_PER_DAY

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

DEFAULT_DT_H: Final = 0.5
# chain time constants scaled by a patient's turnover factor (file names without the prefix)
_TURNOVER_PARAMS: Final = ("immune.lymphocyte_tau_d", "immune.cytokine_tau_d", "{prefix}.tau_weeks")
_ACTIVITY: Final = chain.STATE_NAMES.index("disease_activity_rel")


@dataclass(frozen=True)
class Schedule:
    """Scheduled doses shared by a group of patients: times (h) and amounts (mg)."""

    t_h: FloatArray
    dose_mg: FloatArray

    @classmethod
    def from_regimen(cls, regimen: Regimen | None, until_h: float) -> Schedule:
        """The regimen's scheduled doses before `until_h` (its own adherence/missed ignored)."""
        if regimen is None:
            return cls(np.empty(0), np.empty(0))
        t, d = regimen.scheduled(until_h)
        return cls(t, d)

    @property
    def n(self) -> int:
        """Number of scheduled doses."""
        return int(self.t_h.size)


def adherence_mask(pop: Population, schedule: Schedule) -> BoolArray:
    """(n_patients, n_doses): True where patient i takes scheduled dose k.

    Dose k is taken when patient i's k-th uniform from the dose stream is below their adherence
    probability; the stream is keyed on (seed, patient index), so masks are chunk-invariant and a
    longer schedule extends, never reshuffles, a shorter one only if its width is the same.
    """
    if schedule.n == 0:
        return np.zeros((pop.n, 0), dtype=bool)
    u = patient_uniforms(pop.seed, Stream.DOSES, pop.index, schedule.n)
    return u < pop.adherence[:, None]


def patient_regimen(regimen: Regimen, taken: BoolArray) -> Regimen:
    """The regimen one patient actually followed: `regimen` with the untaken doses missed."""
    missed = np.flatnonzero(~np.asarray(taken, dtype=bool))
    return regimen if missed.size == 0 else regimen.with_missed(doses=missed.tolist())


def pk_parameters(pop: Population, params: ParameterSet) -> pk.PKParams:
    """Per-patient PK parameters: typical values (`pk.*`) times the population's factors."""
    g = params.group("pk")
    return pk.PKParams.from_parameters(
        params,
        ka_per_h=g["ka_per_h"] * pop.ka_factor,
        f_sys=np.minimum(g["f_sys"] * pop.f_factor, g["fa"]),
        cl_l_per_h=g["cl_l_per_h"] * pop.cl_factor,
        v_c_l=g["v_c_l"] * pop.v_factor,
        v_deep_l=g["v_deep_l"] * pop.v_factor,
        q_deep_l_per_h=g["q_deep_l_per_h"] * pop.flow_factor,
        cl_m_l_per_h=g["cl_m_l_per_h"] * pop.cl_metabolite_factor,
        v_m_l=g["v_m_l"] * pop.v_metabolite_factor,
        v_mp_l=g["v_mp_l"] * pop.v_metabolite_factor,
        q_m_l_per_h=g["q_m_l_per_h"] * pop.flow_factor,
    )


def chain_parameters(
    pop: Population, params: ParameterSet, condition: str, *, tlr4: bool = False
) -> FloatArray:
    """Per-patient chain parameter matrix (n, N_PARAMS): effect gain × response factor, time
    constants of the immune and disease modules × turnover factor; TLR4 path on if `tlr4`."""
    prefix = chain.get_condition(condition).prefix
    overrides: dict[str, FloatArray | float] = {
        f"{prefix}.effect_gain": params.value(f"{prefix}.effect_gain") * pop.response_factor
    }
    for name in _TURNOVER_PARAMS:
        full = name.format(prefix=prefix)
        overrides[full] = params.value(full) * pop.turnover_factor
    return chain.parameter_matrix(
        params, condition, tlr4=tlr4, overrides=overrides, n_patients=pop.n
    )


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


def _grid_index(t_h: FloatArray, step_h: float, what: str) -> npt.NDArray[np.int64]:
    idx = np.rint(t_h / step_h).astype(np.int64)
    off = np.abs(idx * step_h - t_h)
    if off.size and off.max() > 1e-9:
        bad = float(t_h[np.argmax(off)])
        raise InputError(
            f"{what} at t = {bad:g} h does not fall on the simulation grid of {step_h:g} h; "
            f"choose times that are multiples of {step_h:g} h or a step that divides them"
        )
    return idx


@dataclass(frozen=True)
class PatientOutputs:
    """Per-patient outputs of one run (arrays with one row per patient).

    activity_rel: (n, n_obs) latent disease activity at `t_obs_h`; mor_mean/peak/trough: MOR
    occupancy over the last 24 h of the run (fraction); naltrexone/naltrexol_cmax_ng_per_ml:
    highest plasma concentrations over the last 24 h; doses_taken: count.
    """

    t_obs_h: FloatArray
    activity_rel: FloatArray
    mor_mean: FloatArray
    mor_peak: FloatArray
    mor_trough: FloatArray
    naltrexone_cmax_ng_per_ml: FloatArray
    naltrexol_cmax_ng_per_ml: FloatArray
    doses_taken: npt.NDArray[np.int64]


def _output_rows(out_map: FloatArray, binding: receptors.BindingParams, tlr4: bool) -> FloatArray:
    """Linear maps (…, rows, n) from the PK outputs to the kernel rows: MOR binding ratios
    L1/K1 and L2/K2 (+ unbound effect-site nM when `tlr4`), then plasma naltrexone and
    6β-naltrexol.

    The factors come from `ldn.model.receptors` (unbound effect-site nM per ng/mL, in-vivo K)."""
    l1, l2 = receptors.unbound_effect_nm(1.0, 1.0, binding)
    k1, k2 = binding.k_nm("mor")
    rows = [
        out_map[..., 2, :] * (float(l1) / float(k1)),
        out_map[..., 3, :] * (float(l2) / float(k2)),
    ]
    if tlr4:  # unbound effect-site nM, as `ldn.model.exposure.Exposure.*_unbound_nM`
        rows.append(out_map[..., 2, :] * float(l1) + out_map[..., 3, :] * float(l2))
    rows += [out_map[..., 0, :], out_map[..., 1, :]]
    return np.ascontiguousarray(np.stack(rows, axis=-2))


def exposure_grid(
    pop: Population,
    schedule: Schedule,
    taken: BoolArray,
    params: ParameterSet,
    *,
    dt_h: float,
    n_steps: int,
    tlr4: bool = False,
) -> tuple[FloatArray, FloatArray]:
    """Chain drive and plasma peaks on the half-step grid of `n_steps` steps of `dt_h`.

    Returns (drive (n, 2·n_steps+1, 2) = MOR occupancy and unbound naltrexone + 6β-naltrexol nM
    (zeros unless `tlr4`), in `chain.DRIVE_NAMES` order; highest plasma naltrexone and
    6β-naltrexol ng/mL over the last 24 h (n, 2)).
    """
    from scipy.linalg import expm

    from ldn.model.superposition import modes

    half = 0.5 * dt_h
    n_half = 2 * n_steps + 1
    system = pk.linear_system(pk_parameters(pop, params))
    binding = receptors.BindingParams.from_parameters(params)
    keep = schedule.t_h < n_steps * dt_h + half
    dose_at = _grid_index(schedule.t_h[keep], half, "a dose")
    dose_mg = np.ascontiguousarray(schedule.dose_mg[keep])
    taken_k = np.ascontiguousarray(taken[:, keep])
    drive = np.zeros((pop.n, n_half, 2))
    peak = np.zeros((pop.n, 2))
    peak_from = max(0, n_half - 1 - round(H_PER_DAY / half))
    md = modes(system)
    ok = np.broadcast_to(md.ok, (pop.n,))
    if np.all(ok):
        lam = np.broadcast_to(md.lam, (pop.n, pk.N_STATES)) * half
        coef = np.broadcast_to(md.coef, (pop.n, pk.N_OUTPUTS, pk.N_STATES))
        _propagate_modal(
            np.ascontiguousarray(lam), _output_rows(coef, binding, tlr4), dose_at, dose_mg,
            taken_k, n_half, peak_from, drive, peak,
        )  # fmt: skip
    elif np.any(ok):
        lam = np.broadcast_to(md.lam, (pop.n, pk.N_STATES))[ok] * half
        coef = np.broadcast_to(md.coef, (pop.n, pk.N_OUTPUTS, pk.N_STATES))[ok]
        d_ok, p_ok = drive[ok], peak[ok]
        _propagate_modal(
            np.ascontiguousarray(lam), _output_rows(coef, binding, tlr4), dose_at, dose_mg,
            taken_k[ok], n_half, peak_from, d_ok, p_ok,
        )  # fmt: skip
        drive[ok], peak[ok] = d_ok, p_ok
    if not np.all(ok):
        bad = ~ok
        a = np.broadcast_to(system.a, (pop.n, pk.N_STATES, pk.N_STATES))[bad]
        c = np.broadcast_to(system.c, (pop.n, pk.N_OUTPUTS, pk.N_STATES))[bad]
        d_bad, p_bad = drive[bad], peak[bad]
        _propagate_matrix(
            np.ascontiguousarray(expm(a * half)), _output_rows(c, binding, tlr4), dose_at,
            dose_mg, taken_k[bad], n_half, peak_from, d_bad, p_bad,
        )  # fmt: skip
        drive[bad], peak[bad] = d_bad, p_bad
    return drive, peak


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


@dataclass(frozen=True)
class _PKRecursion:
    """Per-patient linear PK recursion on the half-step grid, as the fused kernel takes it.

    Modal patients (`dense` False): x_m ← x_m·e^{λ_m Δ}, a dose adds D to every mode (b = 1).
    Others: x ← Φ x with Φ = expm(A·Δ), a dose adds D to the gut (b = e_gut). Outputs y = rows·x
    (`_output_rows`).
    """

    lam_half: FloatArray
    phi: FloatArray
    dense: BoolArray
    b: FloatArray
    rows: FloatArray
    dose_at: npt.NDArray[np.int64]
    dose_mg: FloatArray
    taken: BoolArray


def _pk_recursion(
    pop: Population,
    schedule: Schedule,
    taken: BoolArray,
    params: ParameterSet,
    *,
    dt_h: float,
    n_steps: int,
    tlr4: bool,
) -> _PKRecursion:
    """The same PK propagation as `exposure_grid`, packed for `_chain_from_pk_pairs`."""
    from scipy.linalg import expm

    from ldn.model.superposition import modes

    half = 0.5 * dt_h
    n = pop.n
    system = pk.linear_system(pk_parameters(pop, params))
    binding = receptors.BindingParams.from_parameters(params)
    keep = schedule.t_h < n_steps * dt_h + half
    md = modes(system)
    ok = np.array(np.broadcast_to(md.ok, (n,)))
    lam = np.ascontiguousarray(np.broadcast_to(md.lam, (n, pk.N_STATES)) * half)
    coef = np.broadcast_to(md.coef, (n, pk.N_OUTPUTS, pk.N_STATES))
    rows = np.array(_output_rows(coef, binding, tlr4))
    b = np.ones((n, pk.N_STATES))
    phi = np.zeros((n, pk.N_STATES, pk.N_STATES))
    if not np.all(ok):
        bad = ~ok
        a = np.broadcast_to(system.a, (n, pk.N_STATES, pk.N_STATES))[bad]
        c = np.broadcast_to(system.c, (n, pk.N_OUTPUTS, pk.N_STATES))[bad]
        phi[bad] = expm(a * half)
        rows[bad] = _output_rows(c, binding, tlr4)
        b[bad] = 0.0
        b[bad, 0] = 1.0  # a dose enters the gut compartment
    return _PKRecursion(
        lam_half=lam,
        phi=phi,
        dense=~ok,
        b=b,
        rows=np.ascontiguousarray(rows),
        dose_at=_grid_index(schedule.t_h[keep], half, "a dose"),
        dose_mg=np.ascontiguousarray(schedule.dose_mg[keep]),
        taken=np.ascontiguousarray(taken[:, keep]),
    )


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


def _shared_clock(p: FloatArray, dt_h: float, n_steps: int) -> FloatArray:
    """`chain.circadian_table` when every patient has the same rhythm parameters, else empty."""
    amp = p[:, chain.PARAM_NAMES.index("be_amplitude")]
    acro = p[:, chain.PARAM_NAMES.index("be_acrophase_h")]
    if np.all(amp == amp[0]) and np.all(acro == acro[0]):
        return chain.circadian_table(float(amp[0]), float(acro[0]), dt_h, n_steps)
    return np.empty(0)


def simulate_patients(
    pop: Population,
    schedule: Schedule,
    taken: BoolArray,
    t_obs_h: FloatArray,
    *,
    params: ParameterSet,
    condition: str,
    dt_h: float = DEFAULT_DT_H,
    tlr4: bool = False,
) -> PatientOutputs:
    """Run PK → occupancy → chain for every patient of `pop`; outputs per patient.

    `t_obs_h` must be multiples of a common recording interval on the `dt_h` grid, starting at
    0 (e.g. weekly visits); the run ends at the last observation.
    """
    t_obs_h = np.asarray(t_obs_h, dtype=np.float64)
    if t_obs_h.size == 0 or t_obs_h[0] < 0 or np.any(np.diff(t_obs_h) <= 0):
        raise InputError("observation times must be non-negative and strictly increasing")
    obs_idx = _grid_index(t_obs_h, dt_h, "an observation")
    end = int(obs_idx[-1])
    if end < 1:
        raise InputError("the last observation must be after t = 0; simulate at least one step")
    record = int(np.gcd.reduce(obs_idx[obs_idx > 0])) if np.any(obs_idx > 0) else end
    n = pop.n
    activity = np.ones((n, t_obs_h.size))
    mor_mean = np.zeros(n)
    mor_peak = np.zeros(n)
    mor_trough = np.zeros(n)
    cmax = np.zeros((n, 2))
    ntaken = taken.sum(axis=1).astype(np.int64)
    dosed = ntaken > 0
    if np.any(dosed):
        sub = pop.take(np.flatnonzero(dosed))
        r = _pk_recursion(sub, schedule, taken[dosed], params, dt_h=dt_h, n_steps=end, tlr4=tlr4)
        p = chain_parameters(sub, params, condition, tlr4=tlr4)
        # the kernel takes patients in pairs: an odd count simulates the last patient twice
        rows = np.r_[np.arange(sub.n), sub.n - 1] if sub.n % 2 else np.arange(sub.n)
        n_even = rows.size
        window_from = max(0, 2 * end - round(2 * H_PER_DAY / dt_h))  # the last 24 h
        recorded = np.empty((n_even, end // record + 1))
        stats = np.zeros((n_even, 3))
        stats[:, 1], stats[:, 2] = -np.inf, np.inf
        peak = np.zeros((n_even, 2))
        rec = (r.phi[rows], r.b[rows], r.dense[rows], r.lam_half[rows], r.rows[rows], r.dose_at,
               r.dose_mg, r.taken[rows])  # fmt: skip
        _chain_from_pk_pairs(
            rec, p[rows], _shared_clock(p, float(dt_h), end), chain.initial_state(1)[0],
            float(dt_h), end, record, window_from, recorded, stats, peak,
        )  # fmt: skip
        keep = slice(0, sub.n)
        activity[dosed] = recorded[keep, obs_idx // record]
        mor_mean[dosed] = stats[keep, 0] / (2 * end + 1 - window_from)
        mor_peak[dosed] = stats[keep, 1]
        mor_trough[dosed] = stats[keep, 2]
        cmax[dosed] = peak[keep]
    return PatientOutputs(
        t_obs_h=t_obs_h,
        activity_rel=activity,
        mor_mean=mor_mean,
        mor_peak=mor_peak,
        mor_trough=mor_trough,
        naltrexone_cmax_ng_per_ml=cmax[:, 0],
        naltrexol_cmax_ng_per_ml=cmax[:, 1],
        doses_taken=ntaken,
    )
