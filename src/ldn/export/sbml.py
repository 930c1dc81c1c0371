"""SBML Level 3 Version 2 export of the single-patient model (PK → occupancy → chain → score).

One model definition: every number comes from the engine's own objects —
- PK: the state matrix A of a fitted structural variant with equilibrium binding (default: the
  package's default variant, the one PK of every output, `ldn.model.pk_setup.linear_setup`;
  entries written as parameters `a_<i>_<j>`, 1/h), its states as
  species (amounts, mg, or ng/mL for brain sites) in a unit compartment with rate rules
  `dx_i/dt = Σ_j a_ij x_j`;
- occupancy: binding ratios L/K per ng/mL from `ldn.model.receptors` (parameters `r_ntx`,
  `r_nol`), MOR occupancy `(r1 + r2)/(1 + r1 + r2)` as an assignment rule;
- chain: the right-hand side of `ldn.model.chain.rhs` (rebound, immune, disease activity)
  transcribed as rate rules with the kernel's parameter vector (`chain.parameter_matrix`, hours);
- score: the disease module's expected score (`ldn.model.disease.base.expected_score`) of the
  condition's primary scale, with the placebo response off (`placebo_on = 0`) or on (1).

Dosing: one SBML event per dose at its time, adding parameter `dose_<k>` (mg) to the gut; set a
`dose_<k>` to 0 to model a missed dose. Time unit: hour. `tests/export` simulates the file with
libroadrunner and checks it against the engine (≤ 1e-4 relative on occupancy and score).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ldn.errors import InputError
from ldn.model import chain, pk, receptors
from ldn.model.chain import scale_parameters
from ldn.model.disease import get_condition
from ldn.model.disease.base import ScaleParams
from ldn.model.pk import LinearSystem
from ldn.model.pk_models import model_system
from ldn.model.pk_setup import linear_setup
from ldn.parameters import ParameterSet
from ldn.scales import Scale

CHAIN_IDS = ("R_mor", "R_ogfr", "P_be", "P_ogf", "lymph", "cytokine", "activity")

# Rate rules of the chain, transcribed from ldn.model.chain.rhs and the functions it calls
# (ldn.model.rebound.adaptation_rate/signalling/ogfr_occupancy, ldn.model.immune.immune_rates,
# ldn.model.disease.base.activity_rate/activity_target). The round-trip test in tests/export
# fails if these drift from the kernel.
_CHAIN_ASSIGNMENTS = {
    "o_ogfr": "ogfr_affinity_rel * occ / (1 + (ogfr_affinity_rel - 1) * occ)",
    "circ": "1 + be_amplitude * cos(2 * pi * (time - be_acrophase_h) / 24)",
    "s_mor": "P_be * circ * R_mor * (1 - occ)",
    "s_ogf": "P_ogf * R_ogfr * (1 - o_ogfr)",
    "s_net": "mor_weight * s_mor + (1 - mor_weight) * s_ogf",
    "s_base": "mor_weight * circ + (1 - mor_weight)",
    "s_net_pos": "piecewise(s_net, s_net > 0, 0)",
    "inh_net": "prolif_emax * s_net_pos / (s_net_pos + prolif_s50)",
    "inh_base": "prolif_emax * s_base / (s_base + prolif_s50)",
    "theta_tlr4": "unbound_nM / (unbound_nM + tlr4_ic50_nM)",
    "lymph_pos": "piecewise(lymph, lymph > 0, 0)",
    "x_act": "effect_gain * (cytokine - 1)",
    "target_act": "activity_max / (1 + (activity_max - 1)"
    " * exp(-activity_max * x_act / (activity_max - 1)))",
}


def _adapt(x: str, u: str, gain: str, up: str, down: str) -> str:
    k_up, k_dn = f"(1 / {up})", f"(1 / {down})"
    cap = f"(1 + {gain} * (1 + {k_dn} / {k_up}))"
    return f"{k_up} * {u} * ({cap} - {x}) - {k_dn} * ({x} - 1)"


_CHAIN_RATES = {
    "R_mor": _adapt("R_mor", "occ", "mor_gain", "receptor_tau_up_h", "receptor_tau_down_h"),
    "R_ogfr": _adapt("R_ogfr", "o_ogfr", "ogfr_gain", "receptor_tau_up_h", "receptor_tau_down_h"),
    "P_be": _adapt("P_be", "occ", "be_gain", "ligand_tau_up_h", "ligand_tau_down_h"),
    "P_ogf": _adapt("P_ogf", "o_ogfr", "ogf_gain", "ligand_tau_up_h", "ligand_tau_down_h"),
    "lymph": "((1 - inh_net) / (1 - inh_base) - lymph) / lymph_tau_h",
    "cytokine": "(lymph_pos^cytokine_gamma * (1 - tlr4_emax * theta_tlr4) - cytokine)"
    " / cytokine_tau_h",
    "activity": "(target_act - activity) / disease_tau_h",
}


@dataclass(frozen=True)
class SbmlModel:
    """The exported document and what a caller needs to drive it (ids of outputs and doses)."""

    xml: str
    dose_ids: tuple[str, ...]
    occupancy_id: str = "occ"
    score_id: str = "score"
    activity_id: str = "activity"

    def write(self, path: Path) -> Path:
        """Write the SBML document to `path` (its folder must exist, as for every output)."""
        path.write_text(self.xml, encoding="utf-8")
        return path


def pk_source(
    params: ParameterSet, pk_model: str | None, pk_params: pk.PKParams | None
) -> tuple[LinearSystem, receptors.BindingParams]:
    """(linear PK system, binding) of the export: fitted variant `pk_model` (None = the default
    variant, which drives everything else too); `pk_params` replaces its PK values (one
    patient). A variant with kinetic binding has no algebraic occupancy: InputError."""
    setup = linear_setup(pk_model, params)
    return model_system(setup.model, pk_params or setup.pk, setup.extra), setup.binding


def pk_parameter_values(system: LinearSystem) -> dict[str, float]:
    """SBML parameter values `a_i_j` (non-zero entries of A) of one patient's PK system."""
    a = np.asarray(system.a)
    if a.ndim != 2:
        raise InputError("SBML export is for one patient: give scalar PK parameters")
    return {
        f"a_{i}_{j}": float(a[i, j])
        for i in range(a.shape[0])
        for j in range(a.shape[1])
        if a[i, j] != 0.0
    }


def binding_parameter_values(b: receptors.BindingParams) -> dict[str, float]:
    """Unbound effect-site nM per ng/mL (u_ntx, u_nol) and MOR binding ratios (r_ntx, r_nol)."""
    l1, l2 = receptors.unbound_effect_nm(1.0, 1.0, b)
    k1, k2 = b.k_nm("mor")
    return {
        "r_ntx": float(l1) / float(k1),
        "r_nol": float(l2) / float(k2),
        "u_ntx": float(l1),
        "u_nol": float(l2),
    }


def chain_parameter_values(chain_row: np.ndarray) -> dict[str, float]:
    """Kernel parameter vector (one row of `chain.parameter_matrix`) by kernel name."""
    return {name: float(v) for name, v in zip(chain.PARAM_NAMES, chain_row, strict=True)}


def build_sbml(
    params: ParameterSet,
    condition: str,
    dose_times_h: np.ndarray,
    dose_mg: np.ndarray,
    *,
    pk_params: pk.PKParams | None = None,
    chain_row: np.ndarray | None = None,
    placebo: bool = False,
    tlr4: bool = False,
    pk_model: str | None = None,
) -> SbmlModel:
    """Build the SBML L3V2 model of one patient for the given doses (see module docstring).

    `pk_model` None exports the fitted default PK variant (what every other output uses); a
    linear variant name (`ldn.model.pk_models`) exports that fitted structure instead."""
    import libsbml

    cond = get_condition(condition)
    scale = cond.scales[0]
    system, binding = pk_source(params, pk_model, pk_params)
    if chain_row is None:
        chain_row = chain.parameter_matrix(params, cond.name, tlr4=tlr4)[0]
    dose_times_h = np.asarray(dose_times_h, dtype=float)
    dose_mg = np.asarray(dose_mg, dtype=float)
    if dose_times_h.shape != dose_mg.shape or np.any(dose_times_h < 0):
        raise InputError("dose times and amounts must be arrays of equal length with times >= 0")

    doc = libsbml.SBMLDocument(3, 2)
    w = _Writer(doc.createModel())
    w.header(f"ldn_{cond.name}", f"{scale.short_label} ({cond.title})")
    w.pk(system, binding_parameter_values(binding), chain_parameter_values(chain_row))
    w.chain()
    w.score(scale, scale_parameters(params, cond.name)[scale.column], placebo)
    dose_ids = w.doses(dose_times_h, dose_mg)
    if doc.checkInternalConsistency():
        raise RuntimeError(doc.getErrorLog().toString())
    return SbmlModel(libsbml.writeSBMLToString(doc), dose_ids)


class _Writer:
    """Writes the elements of one SBML model (a libsbml.Model), section by section."""

    def __init__(self, model: Any) -> None:  # libsbml.Model (libsbml has no type hints)
        self.model = model

    def param(self, pid: str, value: float, constant: bool = True) -> None:
        p = self.model.createParameter()
        p.setId(pid)
        p.setValue(float(value))
        p.setConstant(constant)

    def rate_rule(self, var: str, formula: str) -> None:
        rule = self.model.createRateRule()
        rule.setVariable(var)
        _set_math(rule, formula)

    def assignment(self, var: str, formula: str) -> None:
        self.param(var, 0.0, constant=False)
        rule = self.model.createAssignmentRule()
        rule.setVariable(var)
        _set_math(rule, formula)

    def header(self, model_id: str, label: str) -> None:
        """Model id and name, the hour as time unit and the unit compartment `body`."""
        import libsbml

        model = self.model
        model.setId(model_id)
        model.setName(f"LDN single patient: PK, MOR occupancy, chain, {label}")
        model.setTimeUnits("hour")
        unit = model.createUnitDefinition()
        unit.setId("hour")
        u = unit.createUnit()
        u.setKind(libsbml.UNIT_KIND_SECOND)
        u.setExponent(1)
        u.setScale(0)
        u.setMultiplier(3600.0)
        comp = model.createCompartment()
        comp.setId("body")
        comp.setSize(1.0)
        comp.setConstant(True)
        comp.setSpatialDimensions(3)

    def pk(
        self, system: LinearSystem, binding: dict[str, float], chain_values: dict[str, float]
    ) -> None:
        """Parameters (PK entries a_i_j, binding, chain), the PK species with their rate rules,
        plasma concentrations, MOR occupancy and unbound effect-site nM."""
        a_values = pk_parameter_values(system)
        state_ids = system.state_names
        for name, value in {**a_values, **binding, **chain_values}.items():
            self.param(name, value)
        for sid in state_ids:
            s = self.model.createSpecies()
            s.setId(sid)
            s.setCompartment("body")
            s.setInitialAmount(0.0)
            s.setHasOnlySubstanceUnits(True)
            s.setBoundaryCondition(False)
            s.setConstant(False)
        for i, sid in enumerate(state_ids):
            terms = [
                f"a_{i}_{j} * {x}" for j, x in enumerate(state_ids) if f"a_{i}_{j}" in a_values
            ]
            self.rate_rule(sid, " + ".join(terms) if terms else "0")
        # outputs of the PK (C rows of linear_system: ntx_e and nol_e are ng/mL already)
        c = np.asarray(system.c)
        self.param("c_ntx", float(c[0, 1]))
        self.param("c_nol", float(c[1, 3]))
        self.assignment("naltrexone_ng_per_ml", "c_ntx * ntx_c")
        self.assignment("naltrexol_ng_per_ml", "c_nol * nol_c")
        self.assignment(
            "occ", "(r_ntx * ntx_e + r_nol * nol_e) / (1 + r_ntx * ntx_e + r_nol * nol_e)"
        )
        self.assignment("unbound_nM", "u_ntx * ntx_e + u_nol * nol_e")

    def chain(self) -> None:
        """The chain's states (initially 1), assignment rules and rate rules."""
        for var in CHAIN_IDS:
            self.param(var, 1.0, constant=False)
        for var, formula in _CHAIN_ASSIGNMENTS.items():
            self.assignment(var, formula)
        for var, formula in _CHAIN_RATES.items():
            self.rate_rule(var, formula)

    def score(self, scale: Scale, sp: ScaleParams, placebo: bool) -> None:
        """Disease score (expected_score): burden b0·A·(1 + d·t/168)·placebo, clipped to the
        scale; `sp` the condition's scale parameters (`chain.scale_parameters`)."""
        burden0 = sp.baseline if scale.higher_is_worse else scale.high - sp.baseline
        change = sp.placebo_change if scale.higher_is_worse else -sp.placebo_change
        self.param("burden0", burden0)
        self.param("drift_per_week", sp.drift_per_week)
        self.param("placebo_on", 1.0 if placebo else 0.0)
        self.param("placebo_frac", -change / burden0)
        self.param("placebo_tau_h", sp.placebo_tau_h)
        self.param("placebo_norm", -math.expm1(-sp.readout_h / sp.placebo_tau_h))
        self.param("scale_low", scale.low)
        self.param("scale_high", scale.high)
        self.assignment(
            "placebo_factor",
            "1 - placebo_on * placebo_frac * (1 - exp(-time / placebo_tau_h)) / placebo_norm",
        )
        self.assignment(
            "burden", "burden0 * activity * (1 + drift_per_week * time / 168) * placebo_factor"
        )
        raw = "burden" if scale.higher_is_worse else "scale_high - burden"
        self.assignment(
            "score",
            f"piecewise(scale_low, {raw} < scale_low, scale_high, {raw} > scale_high, {raw})",
        )

    def doses(self, dose_times_h: np.ndarray, dose_mg: np.ndarray) -> tuple[str, ...]:
        """One event per dose adding parameter `dose_<k>` (mg) to the gut; the dose ids."""
        dose_ids = []
        for k, (t_k, d_k) in enumerate(zip(dose_times_h, dose_mg, strict=True)):
            did = f"dose_{k}"
            dose_ids.append(did)
            self.param(did, float(d_k))
            event = self.model.createEvent()
            event.setId(f"give_{k}")
            event.setUseValuesFromTriggerTime(True)
            trig = event.createTrigger()
            trig.setInitialValue(False)
            trig.setPersistent(True)
            _set_math(trig, f"time >= {float(t_k)!r}")
            ea = event.createEventAssignment()
            ea.setVariable("gut")
            _set_math(ea, f"gut + {did}")
        return tuple(dose_ids)


def _set_math(element: object, formula: str) -> None:
    import libsbml

    ast = libsbml.parseL3Formula(formula)
    if ast is None:
        raise RuntimeError(f"cannot parse {formula!r}: {libsbml.getLastParseL3Error()}")
    element.setMath(ast)  # type: ignore[attr-defined]
