"""Population engine: exact PK and occupancy on a grid, then the compiled chain for many patients.

For one chunk of patients (a `Population`) and a dose schedule shared by all of them, with a
per-patient mask of doses actually taken:

1. PK: each patient's linear system (a fitted structural variant with equilibrium binding,
   `ldn.model.pk_setup.linear_setup`: by default the package's default variant, the one PK of
   every output; `PKChoice` picks another and/or one shipped posterior draw per patient;
   per-patient parameter arrays) is decomposed into modes (`ldn.model.superposition.modes`) and
   propagated exactly on the chain's half-step grid, z ← z·e^{λΔ} (+ D at a taken dose);
   patients whose eigenvectors are ill-conditioned use the transition matrix Φ = expm(A·Δ)
   instead (`scipy.linalg.expm`).
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
(`_chain_from_pk_pairs`, pairs on threads): the PK state advances half-step by half-step as
the RK4 stages need the drive, so no (patients × half-steps) drive array is built and memory
per patient does not grow with time steps. `pk_recursion`, `exposure_grid` (the drive array,
tested against `ldn.model.exposure.exposure`) and then `integrate_chain` are the two-pass form of
the same computation; tests/population/test_engine_fused.py checks that both agree to rounding.

Default step 0.5 h: on the benchmark's 84-day runs the latent activity is within 2e-4
(absolute) of a CVODE reference at rtol 1e-10; 1 h (used for trials) is within 1.5e-3.

Patients who take no dose at all stay exactly at the untreated steady state (activity 1), so
they skip steps 1–3.

Between-patient variability enters through the `Population` factors: F (`f_sys`), CL, V_c and
V_deep, ka, CL and volumes of 6β-naltrexol, flows (allometry), the chain's disease `effect_gain`
(response factor) and its immune/disease time constants (turnover factor). With
`PKChoice(posterior=True)` each patient's typical PK values (and binding/variant parameters) are
one draw of the shipped PK posterior (`ldn calibrate-pk`), picked by a uniform keyed on (seed,
patient index): parameter uncertainty on top of between-patient variability, chunk-invariant.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

from ldn.errors import InputError
from ldn.model import chain
from ldn.model.disease import get_condition
from ldn.parameters import ParameterSet
from ldn.population.kernels import PKArrays, _chain_from_pk_pairs, propagate_pk
from ldn.population.layout import PEAK_NAMES, STAT_NAMES
from ldn.population.patient_pk import (
    DEFAULT_PK,
    PKChoice,
    output_rows,
    patient_pk,
    patient_setup,
    pk_parameters,
    scaled_pk,
)
from ldn.population.rng import Stream, patient_uniforms
from ldn.population.sampling import Population
from ldn.regimen.schedule import Regimen
from ldn.types import BoolArray, FloatArray, IntArray
from ldn.units import H_PER_DAY

__all__ = [  # the per-patient PK lives in ldn.population.patient_pk; re-exported for callers
    "PKChoice",
    "PatientOutputs",
    "Schedule",
    "adherence_mask",
    "chain_parameters",
    "exposure_grid",
    "patient_regimen",
    "patient_setup",
    "pk_parameters",
    "pk_recursion",
    "scaled_pk",
    "simulate_patients",
]

DEFAULT_DT_H: Final = 0.5
# chain time constants scaled by a patient's turnover factor (file names without the prefix)
_TURNOVER_PARAMS: Final = ("immune.lymphocyte_tau_d", "immune.cytokine_tau_d", "{prefix}.tau_weeks")
_ACTIVITY: Final = chain.ACTIVITY_INDEX


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


def chain_parameters(
    pop: Population, params: ParameterSet, condition: str, *, tlr4: bool = False
) -> FloatArray:
    """Per-patient chain parameter matrix (n, N_PARAMS): effect gain × response factor, time
    constants of the immune and disease modules × turnover factor; TLR4 path on if `tlr4`."""
    prefix = get_condition(condition).prefix
    overrides: dict[str, FloatArray | float] = {
        f"{prefix}.effect_gain": params.value(f"{prefix}.effect_gain") * pop.response_factor
    }
    for name in _TURNOVER_PARAMS:
        full = name.format(prefix=prefix)
        overrides[full] = params.value(full) * pop.turnover_factor
    return chain.parameter_matrix(
        params, condition, tlr4=tlr4, overrides=overrides, n_patients=pop.n
    )


def _grid_index(t_h: FloatArray, step_h: float, what: str) -> IntArray:
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
    doses_taken: IntArray

    @classmethod
    def from_kernel(
        cls, t_obs_h: FloatArray, activity_rel: FloatArray, stats: FloatArray, peak: FloatArray,
        doses_taken: IntArray,
    ) -> PatientOutputs:  # fmt: skip
        """The outputs from the kernels' occupancy statistics `stats` (n, STAT_NAMES) and
        plasma peaks `peak` (n, PEAK_NAMES), read by name (`ldn.population.kernels`)."""
        mor = dict(zip(STAT_NAMES, stats.T, strict=True))
        cmax = dict(zip(PEAK_NAMES, peak.T, strict=True))
        return cls(
            t_obs_h=t_obs_h, activity_rel=activity_rel, mor_mean=mor["mor_mean"],
            mor_peak=mor["mor_peak"], mor_trough=mor["mor_trough"],
            naltrexone_cmax_ng_per_ml=cmax["naltrexone_ng_per_ml"],
            naltrexol_cmax_ng_per_ml=cmax["naltrexol_ng_per_ml"], doses_taken=doses_taken,
        )  # fmt: skip


def pk_recursion(
    pop: Population,
    schedule: Schedule,
    taken: BoolArray,
    params: ParameterSet,
    *,
    dt_h: float,
    n_steps: int,
    tlr4: bool,
    pk_choice: PKChoice = DEFAULT_PK,
) -> PKArrays:
    """The per-patient PK recursion (`PKArrays`) of patients `pop` on the schedule's doses
    `taken` (n, n_doses), for `n_steps` steps of `dt_h` h: what `exposure_grid` and
    `_chain_from_pk_pairs` advance half-step by half-step."""
    from scipy.linalg import expm

    half = 0.5 * dt_h
    n = pop.n
    p = patient_pk(pop, params, pk_choice)
    ns = p.system.a.shape[-1]
    keep = schedule.t_h < n_steps * dt_h + half
    rows = np.array(output_rows(p.coef, p.factors, tlr4))
    b = np.ones((n, ns))
    phi = np.zeros((n, ns, ns))
    if not np.all(p.ok):
        bad = ~p.ok
        a, c = p.dense(bad)
        phi[bad] = expm(a * half)
        rows[bad] = output_rows(c, p.factors[bad], tlr4)
        b[bad] = 0.0
        b[bad, 0] = 1.0  # a dose enters the gut compartment
    return PKArrays(
        lam_half=np.ascontiguousarray(p.lam * half),
        phi=phi,
        dense=~p.ok,
        b=b,
        rows=np.ascontiguousarray(rows),
        dose_at=_grid_index(schedule.t_h[keep], half, "a dose"),
        dose_mg=np.ascontiguousarray(schedule.dose_mg[keep]),
        taken=np.ascontiguousarray(taken[:, keep]),
    )


def _last_day_from(n_steps: int, dt_h: float) -> int:
    """Half-step index where the last 24 h of an `n_steps`-step run of `dt_h` h begin (0 for a
    shorter run): the window of the occupancy statistics and plasma peaks."""
    return max(0, 2 * n_steps - round(2 * H_PER_DAY / dt_h))


def exposure_grid(
    r: PKArrays, dt_h: float, n_steps: int, rows: FloatArray | None = None
) -> tuple[FloatArray, FloatArray]:
    """Chain drive and plasma peaks on the half-step grid of `n_steps` steps of `dt_h` h.

    Reads the recursion `r` (`pk_recursion`) through `rows` (n, 4 or 5, n_x; default `r.rows`,
    or a family's own in `ldn.population.families`) with the kernel `propagate_pk`. Returns
    (drive (n, 2·n_steps+1, 2) = MOR occupancy and unbound naltrexone + 6β-naltrexol nM (zeros
    unless the recursion was built with `tlr4`), in `chain.DRIVE_NAMES` order; highest plasma
    naltrexone and 6β-naltrexol ng/mL over the last 24 h (n, 2)).
    """
    n_half = 2 * n_steps + 1
    drive = np.zeros((r.dense.size, n_half, 2))
    peak = np.zeros((r.dense.size, 2))
    rec = r._replace(rows=np.ascontiguousarray(r.rows if rows is None else rows))
    propagate_pk(rec, n_half, _last_day_from(n_steps, dt_h), drive, peak)
    return drive, peak


def _shared_clock(p: FloatArray, dt_h: float, n_steps: int) -> FloatArray:
    """`chain.circadian_table` when every patient has the same rhythm parameters, else empty."""
    amp = p[:, chain.PARAM_NAMES.index("be_amplitude")]
    acro = p[:, chain.PARAM_NAMES.index("be_acrophase_h")]
    if np.all(amp == amp[0]) and np.all(acro == acro[0]):
        return chain.circadian_table(float(amp[0]), float(acro[0]), dt_h, n_steps)
    return np.empty(0)


def _observation_steps(t_obs_h: FloatArray, dt_h: float) -> tuple[FloatArray, IntArray, int, int]:
    """Observation times (h, checked), their indices on the `dt_h` grid, the last step and the
    recording interval in steps (the largest that hits every observation)."""
    t_obs_h = np.asarray(t_obs_h, dtype=np.float64)
    if t_obs_h.size == 0 or t_obs_h[0] < 0 or np.any(np.diff(t_obs_h) <= 0):
        raise InputError("observation times must be non-negative and strictly increasing")
    obs_idx = _grid_index(t_obs_h, dt_h, "an observation")
    end = int(obs_idx[-1])
    if end < 1:
        raise InputError("the last observation must be after t = 0; simulate at least one step")
    record = int(np.gcd.reduce(obs_idx[obs_idx > 0])) if np.any(obs_idx > 0) else end
    return t_obs_h, obs_idx, end, record


def _chain_pairs(
    r: PKArrays, p: FloatArray, dt_h: float, end: int, record: int
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """The fused kernel over the patients of recursion `r` with chain parameters `p` (n, ...):
    activity every `record` steps (n, end // record + 1), MOR occupancy mean, peak and trough
    over the last 24 h (n, STAT_NAMES), and the plasma peaks of the last 24 h (n, PEAK_NAMES)."""
    n = p.shape[0]
    # the kernel takes patients in pairs: an odd count simulates the last patient twice
    rows = np.r_[np.arange(n), n - 1] if n % 2 else np.arange(n)
    window_from = _last_day_from(end, dt_h)
    recorded = np.empty((rows.size, end // record + 1))
    stats = np.zeros((rows.size, len(STAT_NAMES)))
    stats[:, STAT_NAMES.index("mor_peak")] = -np.inf
    stats[:, STAT_NAMES.index("mor_trough")] = np.inf
    peak = np.zeros((rows.size, len(PEAK_NAMES)))
    rec = r._replace(
        phi=r.phi[rows], b=r.b[rows], dense=r.dense[rows], lam_half=r.lam_half[rows],
        rows=r.rows[rows], taken=r.taken[rows],
    )  # fmt: skip
    _chain_from_pk_pairs(
        rec, p[rows], _shared_clock(p, dt_h, end), chain.initial_state(1)[0], dt_h, end, record,
        window_from, recorded, stats, peak,
    )  # fmt: skip
    stats[:, STAT_NAMES.index("mor_mean")] /= 2 * end + 1 - window_from  # the sum, so far
    return recorded[:n], stats[:n], peak[:n]


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
    pk_choice: PKChoice = DEFAULT_PK,
) -> PatientOutputs:
    """Run PK → occupancy → chain for every patient of `pop`; outputs per patient.

    `pk_choice` picks the PK structural variant and whether each patient's typical PK values
    are a posterior draw (`PKChoice`; default: the fitted default variant, ML values).
    `t_obs_h` must be multiples of a common recording interval on the `dt_h` grid, starting at
    0 (e.g. weekly visits); the run ends at the last observation.
    """
    t_obs_h, obs_idx, end, record = _observation_steps(t_obs_h, dt_h)
    n = pop.n
    activity = np.ones((n, t_obs_h.size))
    mor = np.zeros((n, len(STAT_NAMES)))  # mean, peak, trough over the last 24 h
    cmax = np.zeros((n, len(PEAK_NAMES)))
    ntaken = taken.sum(axis=1).astype(np.int64)
    dosed = ntaken > 0
    if np.any(dosed):
        sub = pop.take(np.flatnonzero(dosed))
        r = pk_recursion(
            sub, schedule, taken[dosed], params, dt_h=dt_h, n_steps=end, tlr4=tlr4,
            pk_choice=pk_choice,
        )  # fmt: skip
        p = chain_parameters(sub, params, condition, tlr4=tlr4)
        recorded, mor[dosed], cmax[dosed] = _chain_pairs(r, p, float(dt_h), end, record)
        activity[dosed] = recorded[:, obs_idx // record]
    return PatientOutputs.from_kernel(t_obs_h, activity, mor, cmax, ntaken)
