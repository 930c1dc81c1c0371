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
(response factor) and its immune/disease time constants (turnover factor). With
`PKChoice(posterior=True)` each patient's typical PK values (and binding/variant parameters) are
one draw of the shipped PK posterior (`ldn calibrate-pk`), picked by a uniform keyed on (seed,
patient index): parameter uncertainty on top of between-patient variability, chunk-invariant.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from ldn.errors import InputError
from ldn.model import chain, pk, receptors
from ldn.model.pk import LinearSystem
from ldn.model.pk_models import model_system
from ldn.model.pk_setup import ModelSetup, linear_setup
from ldn.parameters import ParameterSet
from ldn.population.kernels import (
    PKArrays,
    _chain_from_pk_pairs,
    _propagate_matrix,
    _propagate_modal,
)
from ldn.population.rng import Stream, patient_uniforms
from ldn.population.sampling import Population
from ldn.regimen.schedule import Regimen
from ldn.types import BoolArray, FloatArray
from ldn.units import H_PER_DAY

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


@dataclass(frozen=True)
class PKChoice:
    """Which PK drives the patients: structural variant `model` (None = the fitted default; a
    variant with kinetic binding is refused) and, with `posterior`, one shipped posterior draw
    per patient instead of the maximum-likelihood values."""

    model: str | None = None
    posterior: bool = False

    def describe(self) -> str:
        """One line for outputs: the variant and whether parameter uncertainty is included."""
        from ldn.model.pk_setup import resolve_name

        what = "one posterior draw per patient" if self.posterior else "maximum-likelihood values"
        return f"PK {resolve_name(self.model)} ({what}) × between-patient variability"


def _per_patient(value: Any, pick: npt.NDArray[np.int64]) -> Any:
    return np.asarray(value)[pick] if np.ndim(value) > 0 else value


def _pick_fields(obj: Any, pick: npt.NDArray[np.int64]) -> Any:
    """Dataclass `obj` with every array field (one value per posterior draw) indexed by `pick`."""
    fields = dataclasses.fields(obj)
    return dataclasses.replace(
        obj, **{f.name: _per_patient(getattr(obj, f.name), pick) for f in fields}
    )


def patient_setup(pop: Population, params: ParameterSet, choice: PKChoice) -> ModelSetup:
    """Per-patient PK (typical or posterior-draw values × the population's factors), binding
    and variant parameters of `choice` for the patients of `pop`."""
    if not choice.posterior:
        s = linear_setup(choice.model, params)
        return dataclasses.replace(s, pk=scaled_pk(s.pk, pop))
    d = linear_setup(choice.model, params, draws=True)
    n_draws = d.n_draws or 1
    u = patient_uniforms(pop.seed, Stream.PK_POSTERIOR, pop.index, 1)[:, 0]
    pick = np.minimum((u * n_draws).astype(np.int64), n_draws - 1)
    typical, binding = (_pick_fields(obj, pick) for obj in (d.pk, d.binding))
    extra = {k: _per_patient(v, pick) for k, v in d.extra.items()}
    return ModelSetup(d.model, scaled_pk(typical, pop), binding, extra)


def pk_parameters(
    pop: Population, params: ParameterSet, pk_model: str | None = None
) -> pk.PKParams:
    """Per-patient PK parameters of variant `pk_model` (default: the fitted default variant):
    its maximum-likelihood typical values times the population's factors."""
    return patient_setup(pop, params, PKChoice(pk_model)).pk


def scaled_pk(typical: pk.PKParams, pop: Population) -> pk.PKParams:
    """Per-patient PK parameters: typical values (scalars, or one value per patient, e.g. posterior
    draws) times the population's factors."""
    g = {
        f.name: np.asarray(getattr(typical, f.name), dtype=float)
        for f in dataclasses.fields(typical)
    }
    return dataclasses.replace(
        typical,
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


def _binding_factors(binding: receptors.BindingParams, n: int) -> FloatArray:
    """(n, 4) per patient: MOR binding ratios per ng/mL (L1/K1, L2/K2) and unbound effect-site
    nM per ng/mL (L1, L2), from `ldn.model.receptors` (scalars or per-patient binding)."""
    values = (*receptors.unbound_effect_nm(1.0, 1.0, binding), *binding.k_nm("mor"))
    l1, l2, k1, k2 = (np.broadcast_to(np.asarray(v, float).reshape(-1), (n,)) for v in values)
    return np.stack((l1 / k1, l2 / k2, l1, l2), axis=1)


def _output_rows(out_map: FloatArray, factors: FloatArray, tlr4: bool) -> FloatArray:
    """Linear maps (n, rows, m) from the PK outputs to the kernel rows: MOR binding ratios
    L1/K1 and L2/K2 (+ unbound effect-site nM when `tlr4`), then plasma naltrexone and
    6β-naltrexol. `factors` (n, 4) from `_binding_factors`."""
    f = factors[:, :, None]
    rows = [out_map[:, 2, :] * f[:, 0], out_map[:, 3, :] * f[:, 1]]
    if tlr4:  # unbound effect-site nM, as `ldn.model.exposure.Exposure.*_unbound_nM`
        rows.append(out_map[:, 2, :] * f[:, 2] + out_map[:, 3, :] * f[:, 3])
    rows += [out_map[:, 0, :], out_map[:, 1, :]]
    return np.ascontiguousarray(np.stack(rows, axis=-2))


@dataclass(frozen=True)
class _PatientPK:
    """Per-patient linear systems, binding factors and modes of a chunk of patients."""

    system: LinearSystem
    factors: FloatArray
    ok: BoolArray  # modal decomposition well conditioned
    lam: FloatArray  # (n, ns) eigenvalues
    coef: FloatArray  # (n, no, ns) output coefficients of the modes

    def dense(self, bad: BoolArray) -> tuple[FloatArray, FloatArray]:
        """(A, C) of the patients `bad` (those that need the transition matrix)."""
        n = self.ok.size
        ns, no = self.system.a.shape[-1], self.system.c.shape[-2]
        a = np.broadcast_to(self.system.a, (n, ns, ns))[bad]
        return a, np.broadcast_to(self.system.c, (n, no, ns))[bad]


def _patient_pk(pop: Population, params: ParameterSet, choice: PKChoice) -> _PatientPK:
    from ldn.model.superposition import modes

    s = patient_setup(pop, params, choice)
    system = model_system(s.model, s.pk, s.extra)
    ns, no = system.a.shape[-1], system.c.shape[-2]
    md = modes(system)
    return _PatientPK(
        system=system,
        factors=_binding_factors(s.binding, pop.n),
        ok=np.array(np.broadcast_to(md.ok, (pop.n,))),
        lam=np.broadcast_to(md.lam, (pop.n, ns)),
        coef=np.broadcast_to(md.coef, (pop.n, no, ns)),
    )


def exposure_grid(
    pop: Population,
    schedule: Schedule,
    taken: BoolArray,
    params: ParameterSet,
    *,
    dt_h: float,
    n_steps: int,
    tlr4: bool = False,
    pk_choice: PKChoice = PKChoice(),
) -> tuple[FloatArray, FloatArray]:
    """Chain drive and plasma peaks on the half-step grid of `n_steps` steps of `dt_h`.

    Returns (drive (n, 2·n_steps+1, 2) = MOR occupancy and unbound naltrexone + 6β-naltrexol nM
    (zeros unless `tlr4`), in `chain.DRIVE_NAMES` order; highest plasma naltrexone and
    6β-naltrexol ng/mL over the last 24 h (n, 2)).
    """
    from scipy.linalg import expm

    half = 0.5 * dt_h
    n_half = 2 * n_steps + 1
    p = _patient_pk(pop, params, pk_choice)
    keep = schedule.t_h < n_steps * dt_h + half
    dose_at = _grid_index(schedule.t_h[keep], half, "a dose")
    dose_mg = np.ascontiguousarray(schedule.dose_mg[keep])
    taken_k = np.ascontiguousarray(taken[:, keep])
    drive = np.zeros((pop.n, n_half, 2))
    peak = np.zeros((pop.n, 2))
    peak_from = max(0, n_half - 1 - round(H_PER_DAY / half))
    ok = p.ok
    if np.any(ok):
        d_ok, p_ok = drive[ok], peak[ok]
        _propagate_modal(
            np.ascontiguousarray(p.lam[ok] * half), _output_rows(p.coef[ok], p.factors[ok], tlr4),
            dose_at, dose_mg, taken_k[ok], n_half, peak_from, d_ok, p_ok,
        )  # fmt: skip
        drive[ok], peak[ok] = d_ok, p_ok
    if not np.all(ok):
        bad = ~ok
        a, c = p.dense(bad)
        d_bad, p_bad = drive[bad], peak[bad]
        _propagate_matrix(
            np.ascontiguousarray(expm(a * half)), _output_rows(c, p.factors[bad], tlr4), dose_at,
            dose_mg, taken_k[bad], n_half, peak_from, d_bad, p_bad,
        )  # fmt: skip
        drive[bad], peak[bad] = d_bad, p_bad
    return drive, peak


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
    pk_choice: PKChoice = PKChoice(),
) -> _PKRecursion:
    """The same PK propagation as `exposure_grid`, packed for `_chain_from_pk_pairs`."""
    from scipy.linalg import expm

    half = 0.5 * dt_h
    n = pop.n
    p = _patient_pk(pop, params, pk_choice)
    ns = p.system.a.shape[-1]
    keep = schedule.t_h < n_steps * dt_h + half
    rows = np.array(_output_rows(p.coef, p.factors, tlr4))
    b = np.ones((n, ns))
    phi = np.zeros((n, ns, ns))
    if not np.all(p.ok):
        bad = ~p.ok
        a, c = p.dense(bad)
        phi[bad] = expm(a * half)
        rows[bad] = _output_rows(c, p.factors[bad], tlr4)
        b[bad] = 0.0
        b[bad, 0] = 1.0  # a dose enters the gut compartment
    return _PKRecursion(
        lam_half=np.ascontiguousarray(p.lam * half),
        phi=phi,
        dense=~p.ok,
        b=b,
        rows=np.ascontiguousarray(rows),
        dose_at=_grid_index(schedule.t_h[keep], half, "a dose"),
        dose_mg=np.ascontiguousarray(schedule.dose_mg[keep]),
        taken=np.ascontiguousarray(taken[:, keep]),
    )


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
    pk_choice: PKChoice = PKChoice(),
) -> PatientOutputs:
    """Run PK → occupancy → chain for every patient of `pop`; outputs per patient.

    `pk_choice` picks the PK structural variant and whether each patient's typical PK values
    are a posterior draw (`PKChoice`; default: the fitted default variant, ML values).
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
        r = _pk_recursion(
            sub, schedule, taken[dosed], params, dt_h=dt_h, n_steps=end, tlr4=tlr4,
            pk_choice=pk_choice,
        )  # fmt: skip
        p = chain_parameters(sub, params, condition, tlr4=tlr4)
        # the kernel takes patients in pairs: an odd count simulates the last patient twice
        rows = np.r_[np.arange(sub.n), sub.n - 1] if sub.n % 2 else np.arange(sub.n)
        n_even = rows.size
        window_from = max(0, 2 * end - round(2 * H_PER_DAY / dt_h))  # the last 24 h
        recorded = np.empty((n_even, end // record + 1))
        stats = np.zeros((n_even, 3))
        stats[:, 1], stats[:, 2] = -np.inf, np.inf
        peak = np.zeros((n_even, 2))
        rec = PKArrays(
            phi=r.phi[rows], b=r.b[rows], dense=r.dense[rows], lam_half=r.lam_half[rows],
            rows=r.rows[rows], dose_at=r.dose_at, dose_mg=r.dose_mg, taken=r.taken[rows],
        )  # fmt: skip
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
