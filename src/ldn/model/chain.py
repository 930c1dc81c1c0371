"""The LDN hypothesis as one model: occupancy → rebound → immune → disease (public API).

This module is the single definition of the chain's nonlinear ODE: state names, parameter
vector (its names and file names in `ldn.model.chain_params`, re-exported here), right-hand side
`rhs` and observables `observe`; the kernels index every vector by names defined here. The
compiled solver
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
from ldn.model.chain_params import N_PARAMS as N_PARAMS
from ldn.model.chain_params import PARAM_NAMES as PARAM_NAMES
from ldn.model.chain_params import UPREGULATION_GAINS as UPREGULATION_GAINS
from ldn.model.chain_params import file_parameter_names as file_parameter_names
from ldn.model.chain_params import parameter_matrix as parameter_matrix
from ldn.model.chain_params import scale_parameters as scale_parameters
from ldn.model.disease import CONDITION_MODULES
from ldn.model.disease.base import activity_rate_scaled, activity_slope
from ldn.model.immune import immune_rates_scaled, inverse_free_fraction, tlr4_occupancy
from ldn.model.rebound import (
    adaptation_cap,
    adaptation_rate_capped,
    circadian,
    ogfr_occupancy,
    signalling,
)
from ldn.types import FloatArray

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
SIGNALLING_INTEGRAL_INDEX: Final = STATE_NAMES.index("signalling_integral_h")
"""Position of the quadrature of net signalling (for means over a window) in a state vector."""
N_OBSERVABLES: Final = len(OBSERVABLE_NAMES)
DRIVE_MOR: Final = DRIVE_NAMES.index("mor_occupancy")
DRIVE_UNBOUND: Final = DRIVE_NAMES.index("unbound_nM")
"""Positions of the two inputs on the last axis of a drive array."""
# Positions in a state vector and in `observe`'s output, looked up by name (Numba constants).
_Y_R, _Y_RO, _Y_PB, _Y_PO, _Y_LYMPH, _Y_CYTO = map(STATE_NAMES.index, (
    "mor_density_rel", "ogfr_density_rel", "beta_endorphin_rel", "ogf_rel",
    "lymphocyte_proliferation_rel", "cytokine_index",
))  # fmt: skip
_Y_ACT, _Y_Q = ACTIVITY_INDEX, SIGNALLING_INTEGRAL_INDEX
_O_MOR, _O_OGF, _O_NET, _O_OGFR, _O_TLR4 = map(OBSERVABLE_NAMES.index, (
    "mor_signalling_rel", "ogf_signalling_rel", "net_signalling_rel", "ogfr_occupancy",
    "tlr4_occupancy",
))  # fmt: skip

# Indices into the parameter vector, looked up by name (compile-time constants for Numba).
_AMP, _ACRO, _GR, _GRO, _GB, _GO, _RUP, _RDN, _LUP, _LDN = map(PARAM_NAMES.index, (
    "be_amplitude", "be_acrophase_h", "mor_gain", "ogfr_gain", "be_gain", "ogf_gain",
    "receptor_tau_up_h", "receptor_tau_down_h", "ligand_tau_up_h", "ligand_tau_down_h",
))  # fmt: skip
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


# Names of the values in the tuple of `stage_inputs`, in the order it returns them.
STAGE_INPUT_NAMES: Final = (
    "mor_occupancy", "ogfr_occupancy", "s_mor_unit", "s_ogf_unit", "s_base", "inv_free_base",
    "tlr4_factor",
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
    r, ro, pb, po = y[_Y_R], y[_Y_RO], y[_Y_PB], y[_Y_PO]
    dy[_Y_R] = adaptation_rate_capped(r, o, k[_K_CAP_R], k_rup, k_rdn)
    dy[_Y_RO] = adaptation_rate_capped(ro, o_ogfr, k[_K_CAP_RO], k_rup, k_rdn)
    dy[_Y_PB] = adaptation_rate_capped(pb, o, k[_K_CAP_B], k_lup, k_ldn)
    dy[_Y_PO] = adaptation_rate_capped(po, o_ogfr, k[_K_CAP_O], k_lup, k_ldn)
    w = k[_K_W]
    s_net = w * (pb * r * s_mor_unit) + (1.0 - w) * (po * ro * s_ogf_unit)
    dp, dc = immune_rates_scaled(
        y[_Y_LYMPH], y[_Y_CYTO], s_net, s_base, inv_free_base, tlr4_factor, k[_K_EMAX],
        k[_K_S50], k[_K_GAM], k[_K_LYMPH], k[_K_CYTO],
    )  # fmt: skip
    dy[_Y_LYMPH] = dp
    dy[_Y_CYTO] = dc
    dy[_Y_ACT] = activity_rate_scaled(y[_Y_ACT], y[_Y_CYTO], k[_K_SLOPE], k[_K_DIS], k[_K_AMAX])
    dy[_Y_Q] = s_net


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
        t_h, o, y[_Y_R], y[_Y_RO], y[_Y_PB], y[_Y_PO], p[_AFF], p[_W], p[_AMP], p[_ACRO]
    )
    out[_O_MOR] = s_mor
    out[_O_OGF] = s_ogf
    out[_O_NET] = s_net
    out[_O_OGFR] = ogfr_occupancy(o, p[_AFF])
    out[_O_TLR4] = tlr4_occupancy(unbound_nM, p[_TIC])


def initial_state(n_patients: int = 1) -> FloatArray:
    """The untreated steady state (all relative states 1, quadrature 0), shape (n, N_STATES)."""
    y0 = np.ones((n_patients, N_STATES))
    y0[:, SIGNALLING_INTEGRAL_INDEX] = 0.0
    return y0


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
        by_name = {"mor_occupancy": mor, "unbound_nM": unb}
        return np.ascontiguousarray(np.stack([by_name[n] for n in DRIVE_NAMES], axis=-1))


def drive_from_exposure(exposure: Exposure) -> tuple[FloatArray, FloatArray]:
    """(MOR occupancy, unbound naltrexone + 6β-naltrexol nM) from an exposure (`Exposure`)."""
    mor = np.asarray(exposure.mor_occupancy, dtype=np.float64)
    unbound = np.asarray(exposure.naltrexone_unbound_nM, dtype=np.float64)
    unbound = unbound + np.asarray(exposure.naltrexol_unbound_nM, dtype=np.float64)
    return mor, unbound
