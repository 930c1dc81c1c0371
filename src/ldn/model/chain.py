"""The LDN hypothesis as one model: occupancy → rebound → immune → disease (public API).

This module is the single definition of the chain's nonlinear ODE: state names, parameter
vector, right-hand side `rhs` and observables `observe`. The compiled solver
(`ldn.solve.compiled`), the SciPy reference (`ldn.solve.chain_reference`), the docs
(docs/model.md part II) and a future SBML export all read it from here.

The ODE is driven by two inputs sampled on the solver's time grid (the PK and receptor occupancy
stay analytic, computed by `ldn.model.exposure.exposure`):

    d0  MOR occupancy (fraction 0–1)
    d1  unbound naltrexone + 6β-naltrexol (nmol/L), used only by the switchable TLR4 path

States (all relative to the untreated steady state, which is exactly 1 for every state):

    0 mor_density_rel          dR/dt   = adaptation(R; o, G_R, τ_R↑, τ_R↓)
    1 ogfr_density_rel         dRo/dt  = adaptation(Ro; o_ogfr, G_Ro, τ_R↑, τ_R↓)
    2 beta_endorphin_rel       dPb/dt  = adaptation(Pb; o, G_b, τ_L↑, τ_L↓)
    3 ogf_rel                  dPo/dt  = adaptation(Po; o_ogfr, G_o, τ_L↑, τ_L↓)
    4 lymphocyte_proliferation_rel, 5 cytokine_index   (ldn.model.immune)
    6 disease_activity_rel     (ldn.model.disease.base)
    7 signalling_integral_h    dQ/dt = S_net  (quadrature for daily means)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import numpy as np

from ldn.compile_options import _jit
from ldn.errors import InputError
from ldn.model.disease import CONDITION_MODULES, ScaleParams, get_condition
from ldn.model.disease.base import (
    H_PER_WEEK,
    activity_rate_scaled,
    activity_slope,
)
from ldn.model.immune import immune_rates_scaled, inverse_free_fraction, tlr4_occupancy
from ldn.model.rebound import (
    adaptation_cap,
    adaptation_rate_capped,
    circadian,
    ogfr_occupancy,
    signalling,
)
from ldn.parameters import ParameterSet
from ldn.types import FloatArray
from ldn.units import H_PER_DAY

if TYPE_CHECKING:
    from ldn.model.exposure import Exposure

CONDITIONS: Final[tuple[str, ...]] = tuple(CONDITION_MODULES)

STATE_NAMES: Final = (
    "mor_density_rel",
    "ogfr_density_rel",
    "beta_endorphin_rel",
    "ogf_rel",
    "lymphocyte_proliferation_rel",
    "cytokine_index",
    "disease_activity_rel",
    "signalling_integral_h",
)
OBSERVABLE_NAMES: Final = (
    "mor_signalling_rel",
    "ogf_signalling_rel",
    "net_signalling_rel",
    "ogfr_occupancy",
    "tlr4_occupancy",
)
DRIVE_NAMES: Final = ("mor_occupancy", "unbound_nM")
N_STATES: Final = len(STATE_NAMES)
ACTIVITY_INDEX: Final = STATE_NAMES.index("disease_activity_rel")
"""Position of the latent disease activity in a state vector."""
N_OBSERVABLES: Final = len(OBSERVABLE_NAMES)

# (kernel name, parameter file name, factor from file unit to kernel unit). Kernel times are hours.
_PARAM_SPEC: Final[tuple[tuple[str, str, float], ...]] = (
    ("be_amplitude", "rebound.be_circadian_amplitude", 1.0),
    ("be_acrophase_h", "rebound.be_acrophase_h", 1.0),
    ("mor_gain", "rebound.mor_upregulation", 1.0),
    ("ogfr_gain", "rebound.ogfr_upregulation", 1.0),
    ("be_gain", "rebound.be_production_upregulation", 1.0),
    ("ogf_gain", "rebound.ogf_production_upregulation", 1.0),
    ("receptor_tau_up_h", "rebound.receptor_tau_up_d", H_PER_DAY),
    ("receptor_tau_down_h", "rebound.receptor_tau_down_d", H_PER_DAY),
    ("ligand_tau_up_h", "rebound.ligand_tau_up_d", H_PER_DAY),
    ("ligand_tau_down_h", "rebound.ligand_tau_down_d", H_PER_DAY),
    ("ogfr_affinity_rel", "rebound.ogfr_affinity_rel", 1.0),
    ("mor_weight", "rebound.mor_signalling_weight", 1.0),
    ("prolif_emax", "immune.proliferation_emax", 1.0),
    ("prolif_s50", "immune.proliferation_s50_rel", 1.0),
    ("lymph_tau_h", "immune.lymphocyte_tau_d", H_PER_DAY),
    ("cytokine_gamma", "immune.cytokine_gamma", 1.0),
    ("cytokine_tau_h", "immune.cytokine_tau_d", H_PER_DAY),
    ("tlr4_emax", "immune.tlr4_emax", 1.0),
    ("tlr4_ic50_nM", "immune.tlr4_ic50_nM", 1.0),
    ("effect_gain", "{prefix}.effect_gain", 1.0),
    ("disease_tau_h", "{prefix}.tau_weeks", H_PER_WEEK),
    ("activity_max", "disease.activity_max_rel", 1.0),
)
PARAM_NAMES: Final = tuple(s[0] for s in _PARAM_SPEC)
N_PARAMS: Final = len(PARAM_NAMES)
# Indices into the parameter vector, looked up by name (compile-time constants for Numba).
_AMP, _ACRO, _GR, _GRO, _GB, _GO, _RUP, _RDN, _LUP, _LDN = map(PARAM_NAMES.index, (
    "be_amplitude", "be_acrophase_h", "mor_gain", "ogfr_gain", "be_gain", "ogf_gain",
    "receptor_tau_up_h", "receptor_tau_down_h", "ligand_tau_up_h", "ligand_tau_down_h",
))  # fmt: skip
# The rebound's upregulation gains (file names): freed by calibration, scaled by rebound.gain_scale
UPREGULATION_GAINS: Final = tuple(_PARAM_SPEC[i][1] for i in (_GR, _GRO, _GB, _GO))
_AFF, _W, _EMAX, _S50, _TL, _GAM, _TC, _TE, _TIC, _BETA, _TD, _AMAX = map(PARAM_NAMES.index, (
    "ogfr_affinity_rel", "mor_weight", "prolif_emax", "prolif_s50", "lymph_tau_h",
    "cytokine_gamma", "cytokine_tau_h", "tlr4_emax", "tlr4_ic50_nM", "effect_gain",
    "disease_tau_h", "activity_max",
))  # fmt: skip

# Names of the values in the tuple of `chain_constants` (parameters and per-patient
# combinations of them), in the order it returns them; the indices below are looked up here.
CONSTANT_NAMES: Final = (
    "be_amplitude", "be_acrophase_h", "ogfr_affinity_rel", "mor_weight", "tlr4_ic50_nM",
    "prolif_emax", "prolif_s50", "cytokine_gamma", "tlr4_emax",
    "k_receptor_up", "k_receptor_down", "k_ligand_up", "k_ligand_down",
    "cap_mor", "cap_ogfr", "cap_be", "cap_ogf",
    "k_lymph", "k_cytokine", "activity_slope", "k_disease", "activity_max",
)  # fmt: skip
_K_AMP, _K_ACRO, _K_AFF, _K_W, _K_TIC, _K_EMAX, _K_S50, _K_GAM, _K_TE = map(CONSTANT_NAMES.index, (
    "be_amplitude", "be_acrophase_h", "ogfr_affinity_rel", "mor_weight", "tlr4_ic50_nM",
    "prolif_emax", "prolif_s50", "cytokine_gamma", "tlr4_emax",
))  # fmt: skip
_K_RUP, _K_RDN, _K_LUP, _K_LDN, _K_CAP_R, _K_CAP_RO, _K_CAP_B, _K_CAP_O = map(
    CONSTANT_NAMES.index, (
        "k_receptor_up", "k_receptor_down", "k_ligand_up", "k_ligand_down",
        "cap_mor", "cap_ogfr", "cap_be", "cap_ogf",
    ),
)  # fmt: skip
_K_LYMPH, _K_CYTO, _K_SLOPE, _K_DIS, _K_AMAX = map(CONSTANT_NAMES.index, (
    "k_lymph", "k_cytokine", "activity_slope", "k_disease", "activity_max",
))  # fmt: skip


@_jit
def chain_constants(p: FloatArray) -> tuple[float, ...]:
    """Per-patient constants of `stage_inputs`/`stage_rates` from a parameter row, computed once.

    Rate constants k = 1/τ (the rates multiply instead of divide), the adaptation ceilings
    (`ldn.model.rebound.adaptation_cap`), the activity exponent's slope
    (`ldn.model.disease.base.activity_slope`) and the parameters used as they are. As a tuple
    they stay in registers inside the kernels' time loops.
    """
    k_rup, k_rdn = 1.0 / p[_RUP], 1.0 / p[_RDN]
    k_lup, k_ldn = 1.0 / p[_LUP], 1.0 / p[_LDN]
    return (
        p[_AMP], p[_ACRO], p[_AFF], p[_W], p[_TIC], p[_EMAX], p[_S50], p[_GAM], p[_TE],
        k_rup, k_rdn, k_lup, k_ldn,
        adaptation_cap(p[_GR], k_rup, k_rdn), adaptation_cap(p[_GRO], k_rup, k_rdn),
        adaptation_cap(p[_GB], k_lup, k_ldn), adaptation_cap(p[_GO], k_lup, k_ldn),
        1.0 / p[_TL], 1.0 / p[_TC], activity_slope(p[_BETA], p[_AMAX]), 1.0 / p[_TD],
        p[_AMAX],
    )  # fmt: skip


@_jit
def stage_inputs(
    t_h: float, mor_occ: float, unbound_nM: float, k: tuple[float, ...]
) -> tuple[float, float, float, float, float, float, float]:
    """The part of `rhs` that depends only on time and drive, not on the states.

    `k` is `chain_constants` of the patient. Returns (o, o_ogfr, s_mor_unit, s_ogf_unit, s_base,
    inv_free_base, tlr4_factor): MOR and OGFr occupancy, the signalling per unit ligand and
    receptor density (`ldn.model.rebound.signalling` with all four densities 1, i.e. c(t)·(1 − o)
    and 1 − o_ogfr), the untreated signal S_base(t), 1/(1 − I(S_base(t)))
    (`ldn.model.immune.inverse_free_fraction`) and 1 − E_tlr4·θ_tlr4. The RK4 kernels evaluate
    it once per distinct stage time (two per step instead of four: the middle stages share a
    time, and a step's end is the next step's start), which takes the circadian cosine and the
    occupancy and baseline divisions out of the per-stage work.
    """
    return stage_inputs_clocked(circadian(t_h, k[_K_AMP], k[_K_ACRO]), mor_occ, unbound_nM, k)


@_jit
def stage_inputs_clocked(
    c: float, mor_occ: float, unbound_nM: float, k: tuple[float, ...]
) -> tuple[float, float, float, float, float, float, float]:
    """`stage_inputs` given the circadian factor `c = circadian(t_h, …)` at the stage's time
    (patients who share the rhythm's parameters can share it: `circadian_table`)."""
    o = min(max(mor_occ, 0.0), 1.0)
    w = k[_K_W]
    o_ogfr = ogfr_occupancy(o, k[_K_AFF])
    s_base = w * c + (1.0 - w)
    theta = tlr4_occupancy(unbound_nM, k[_K_TIC])
    return (
        o, o_ogfr, c * (1.0 - o), 1.0 - o_ogfr, s_base,
        inverse_free_fraction(s_base, k[_K_EMAX], k[_K_S50]), 1.0 - k[_K_TE] * theta,
    )  # fmt: skip


@_jit(inline=True)
def stage_rates(
    y: FloatArray, inputs: tuple[float, float, float, float, float, float, float],
    k: tuple[float, ...], dy: FloatArray,
) -> None:  # fmt: skip
    """Write dy/dt (1/h) of the states `y` into `dy`, given `stage_inputs` at the same time.

    `k` is `chain_constants` of the patient. Signalling is ligand × free receptors
    (`ldn.model.rebound`), bilinear in the densities, so S_mor = P_be·R_mor·s_mor_unit and
    S_ogf = P_ogf·R_ogfr·s_ogf_unit. Per stage this leaves two divisions (the proliferation
    inhibition by S_net and the activity target) and one exp; tests/model/test_chain_stages.py
    checks the result against the chain written out from docs/model.md to 1e-12.
    """
    o, o_ogfr, s_mor_unit, s_ogf_unit, s_base, inv_free_base, tlr4_factor = inputs
    k_rup, k_rdn, k_lup, k_ldn = k[_K_RUP], k[_K_RDN], k[_K_LUP], k[_K_LDN]
    dy[0] = adaptation_rate_capped(y[0], o, k[_K_CAP_R], k_rup, k_rdn)
    dy[1] = adaptation_rate_capped(y[1], o_ogfr, k[_K_CAP_RO], k_rup, k_rdn)
    dy[2] = adaptation_rate_capped(y[2], o, k[_K_CAP_B], k_lup, k_ldn)
    dy[3] = adaptation_rate_capped(y[3], o_ogfr, k[_K_CAP_O], k_lup, k_ldn)
    w = k[_K_W]
    s_net = w * (y[2] * y[0] * s_mor_unit) + (1.0 - w) * (y[3] * y[1] * s_ogf_unit)
    dp, dc = immune_rates_scaled(
        y[4], y[5], s_net, s_base, inv_free_base, tlr4_factor, k[_K_EMAX], k[_K_S50], k[_K_GAM],
        k[_K_LYMPH], k[_K_CYTO],
    )  # fmt: skip
    dy[4] = dp
    dy[5] = dc
    dy[6] = activity_rate_scaled(y[6], y[5], k[_K_SLOPE], k[_K_DIS], k[_K_AMAX])
    dy[7] = s_net


@_jit
def circadian_table(amplitude: float, acrophase_h: float, dt_h: float, n_steps: int) -> FloatArray:
    """`circadian` at the RK4 stage times k·dt_h and k·dt_h + dt_h/2 (half-step j = 2k, 2k + 1)
    of `n_steps` steps, computed as the kernels compute those times (identical values)."""
    out = np.empty(2 * n_steps + 1)
    for k in range(n_steps + 1):
        out[2 * k] = circadian(k * dt_h, amplitude, acrophase_h)
        if k < n_steps:
            out[2 * k + 1] = circadian(k * dt_h + 0.5 * dt_h, amplitude, acrophase_h)
    return out


@_jit
def rhs(t_h: float, y: FloatArray, mor_occ: float, unbound_nM: float, p: FloatArray,
        dy: FloatArray) -> None:  # fmt: skip
    """Write dy/dt (1/h) of the chain's states `y` at time `t_h` into `dy`."""
    k = chain_constants(p)
    stage_rates(y, stage_inputs(t_h, mor_occ, unbound_nM, k), k, dy)


@_jit
def observe(t_h: float, y: FloatArray, mor_occ: float, unbound_nM: float, p: FloatArray,
            out: FloatArray) -> None:  # fmt: skip
    """Write the algebraic outputs (OBSERVABLE_NAMES) at time `t_h` into `out`."""
    o = min(max(mor_occ, 0.0), 1.0)
    s_mor, s_ogf, s_net, _ = signalling(
        t_h, o, y[0], y[1], y[2], y[3], p[_AFF], p[_W], p[_AMP], p[_ACRO]
    )
    out[0] = s_mor
    out[1] = s_ogf
    out[2] = s_net
    out[3] = ogfr_occupancy(o, p[_AFF])
    out[4] = tlr4_occupancy(unbound_nM, p[_TIC])


def initial_state(n_patients: int = 1) -> FloatArray:
    """The untreated steady state (all relative states 1, quadrature 0), shape (n, N_STATES)."""
    y0 = np.ones((n_patients, N_STATES))
    y0[:, 7] = 0.0
    return y0


def file_parameter_names(condition: str) -> tuple[str, ...]:
    """Dotted parameter-file names of the kernel's parameter vector, in kernel order."""
    prefix = get_condition(condition).prefix
    return tuple(s[1].format(prefix=prefix) for s in _PARAM_SPEC)


def parameter_matrix(
    params: ParameterSet,
    condition: str,
    *,
    tlr4: bool = False,
    overrides: dict[str, FloatArray | float] | None = None,
    n_patients: int = 1,
) -> FloatArray:
    """Kernel parameter matrix (n_patients, N_PARAMS) in kernel units (hours).

    `overrides` maps dotted file names (in file units) to floats or arrays of shape
    (n_patients,); `tlr4=False` switches the TLR4 path off (`tlr4_emax` = 0).
    """
    names = file_parameter_names(condition)
    overrides = dict(overrides or {})
    unknown = set(overrides) - set(names)
    if unknown:
        raise InputError(
            f"cannot override {sorted(unknown)}: not a chain parameter of {condition!r}; "
            f"known: {', '.join(names)}"
        )
    for val in overrides.values():
        n = np.size(val)
        if n > 1:
            n_patients = max(n_patients, n)
    out = np.empty((n_patients, N_PARAMS))
    for j, (name, (_, _, factor)) in enumerate(zip(names, _PARAM_SPEC, strict=True)):
        raw = overrides.get(name, params.value(name))
        out[:, j] = np.asarray(raw, dtype=np.float64) * factor
    if not tlr4:
        out[:, PARAM_NAMES.index("tlr4_emax")] = 0.0
    return out


def scale_parameters(params: ParameterSet, condition: str) -> dict[str, ScaleParams]:
    """`ScaleParams` of each scale of `condition`, keyed by column name (hours for times)."""
    cond = get_condition(condition)
    out = {}
    for scale in cond.scales:
        head = f"{cond.prefix}.{scale.column}"
        out[scale.column] = ScaleParams(
            baseline=params.value(f"{head}.baseline"),
            placebo_change=params.value(f"{head}.placebo_change"),
            placebo_tau_h=params.value(f"{head}.placebo_tau_weeks") * H_PER_WEEK,
            drift_per_week=params.value(f"{head}.drift_per_week"),
            noise_sd=params.value(f"{head}.noise_sd"),
            readout_h=cond.readout_weeks * H_PER_WEEK,
        )
    return out


@dataclass(frozen=True)
class Drive:
    """The chain's inputs on a half-step grid: `t_h` (n,), and arrays (n,) or (n_patients, n)."""

    t_h: FloatArray
    mor_occupancy: FloatArray
    unbound_nM: FloatArray

    def stacked(self) -> FloatArray:
        """(n_patients or 1, n, 2) array in DRIVE_NAMES order, as the kernel takes it."""
        mor = np.atleast_2d(np.asarray(self.mor_occupancy, dtype=np.float64))
        unb = np.atleast_2d(np.asarray(self.unbound_nM, dtype=np.float64))
        mor, unb = np.broadcast_arrays(mor, unb)
        return np.ascontiguousarray(np.stack([mor, unb], axis=-1))


def drive_from_exposure(exposure: Exposure) -> tuple[FloatArray, FloatArray]:
    """(MOR occupancy, unbound naltrexone + 6β-naltrexol nM) from an exposure (`Exposure`)."""
    mor = np.asarray(exposure.mor_occupancy, dtype=np.float64)
    unbound = np.asarray(exposure.naltrexone_unbound_nM, dtype=np.float64)
    unbound = unbound + np.asarray(exposure.naltrexol_unbound_nM, dtype=np.float64)
    return mor, unbound
