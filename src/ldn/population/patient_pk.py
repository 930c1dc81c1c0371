"""Per-patient PK of the population engine: which fitted variant, typical or posterior values.

`PKChoice` says which PK drives the patients (a fitted structural variant with equilibrium
binding, `ldn.model.pk_setup.linear_setup`; default: the package's default variant, the one PK of
every output) and whether each patient's typical values are one shipped posterior draw
(`ldn calibrate-pk`) instead of the maximum-likelihood values. `patient_setup` turns that into
per-patient parameter arrays (× the population's between-patient factors); `patient_pk` into the
linear systems, binding factors and modes the engine's kernels propagate (`ldn.population.engine`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from ldn.model import pk, receptors
from ldn.model.pk import LinearSystem
from ldn.model.pk_models import model_system
from ldn.model.pk_setup import ModelSetup, linear_setup
from ldn.parameters import ParameterSet
from ldn.population.layout import ROW_NAMES, ROW_NAMES_NO_TLR4
from ldn.population.rng import Stream, patient_uniforms
from ldn.population.sampling import Population
from ldn.types import BoolArray, FloatArray, IntArray


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


DEFAULT_PK: Final = PKChoice()

# Columns of `_binding_factors`: MOR binding ratio L/K and unbound effect-site nM per ng/mL.
FACTOR_NAMES: Final = (
    "mor_ratio_naltrexone", "mor_ratio_naltrexol", "unbound_naltrexone_nM", "unbound_naltrexol_nM",
)  # fmt: skip


def _per_patient(value: Any, pick: IntArray) -> Any:
    """`value` indexed by `pick` if it is an array (one value per posterior draw), else itself."""
    return np.asarray(value)[pick] if np.ndim(value) > 0 else value


def _pick_fields(obj: Any, pick: IntArray) -> Any:
    """Dataclass `obj` with every array field (one value per posterior draw) indexed by `pick`."""
    fields = dataclasses.fields(obj)
    return dataclasses.replace(
        obj, **{f.name: _per_patient(getattr(obj, f.name), pick) for f in fields}
    )


def pick_draws(draws: ModelSetup, pick: IntArray) -> ModelSetup:
    """`draws` (every fitted value an array of posterior draws) with draw `pick[i]` for patient
    i: PK, binding and the variant's extras all from the same draw."""
    pk_draw, binding = (_pick_fields(obj, pick) for obj in (draws.pk, draws.binding))
    extra = {k: _per_patient(v, pick) for k, v in draws.extra.items()}
    return ModelSetup(draws.model, pk_draw, binding, extra)


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
    s = pick_draws(d, pick)
    return dataclasses.replace(s, pk=scaled_pk(s.pk, pop))


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


def _binding_factors(binding: receptors.BindingParams, n: int) -> FloatArray:
    """(n, 4) per patient, columns FACTOR_NAMES: MOR binding ratios per ng/mL (L1/K1, L2/K2) and
    unbound effect-site nM per ng/mL (L1, L2), from `ldn.model.receptors` (scalars or
    per-patient binding)."""
    values = (*receptors.unbound_effect_nm(1.0, 1.0, binding), *binding.k_nm("mor"))
    l1, l2, k1, k2 = (np.broadcast_to(np.asarray(v, float).reshape(-1), (n,)) for v in values)
    by_name = {
        "mor_ratio_naltrexone": l1 / k1, "mor_ratio_naltrexol": l2 / k2,
        "unbound_naltrexone_nM": l1, "unbound_naltrexol_nM": l2,
    }  # fmt: skip
    return np.stack([by_name[name] for name in FACTOR_NAMES], axis=1)


def output_rows(out_map: FloatArray, factors: FloatArray, tlr4: bool) -> FloatArray:
    """Linear maps (n, rows, m) from the PK outputs (`ldn.model.pk.OUTPUT_NAMES`) to the kernel
    rows ROW_NAMES (ROW_NAMES_NO_TLR4 unless `tlr4`): MOR binding ratios L1/K1 and L2/K2, plasma
    naltrexone and 6β-naltrexol, unbound effect-site nM. `factors` (n, 4) from
    `_binding_factors`."""
    f = {name: factors[:, j, None] for j, name in enumerate(FACTOR_NAMES)}
    e_ntx, e_nol = out_map[:, pk.Y_NTX_E, :], out_map[:, pk.Y_NOL_E, :]
    rows = {
        "mor_ratio_naltrexone": e_ntx * f["mor_ratio_naltrexone"],
        "mor_ratio_naltrexol": e_nol * f["mor_ratio_naltrexol"],
        "naltrexone_ng_per_ml": out_map[:, pk.Y_NTX, :],
        "naltrexol_ng_per_ml": out_map[:, pk.Y_NOL, :],
    }
    if tlr4:  # unbound effect-site nM, as `ldn.model.exposure.Exposure.*_unbound_nM`
        rows["unbound_nM"] = e_ntx * f["unbound_naltrexone_nM"] + e_nol * f["unbound_naltrexol_nM"]
    names = ROW_NAMES if tlr4 else ROW_NAMES_NO_TLR4
    return np.ascontiguousarray(np.stack([rows[name] for name in names], axis=-2))


@dataclass(frozen=True)
class PatientPK:
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


def patient_pk(pop: Population, params: ParameterSet, choice: PKChoice) -> PatientPK:
    """Linear systems (1/h; outputs ng/mL), binding factors and modal decomposition of the
    patients of `pop` under `choice` (`patient_setup`, `ldn.model.superposition.modes`)."""
    from ldn.model.superposition import modes

    s = patient_setup(pop, params, choice)
    system = model_system(s.model, s.pk, s.extra)
    ns, no = system.a.shape[-1], system.c.shape[-2]
    md = modes(system)
    return PatientPK(
        system=system,
        factors=_binding_factors(s.binding, pop.n),
        ok=np.array(np.broadcast_to(md.ok, (pop.n,))),
        lam=np.broadcast_to(md.lam, (pop.n, ns)),
        coef=np.broadcast_to(md.coef, (pop.n, no, ns)),
    )
