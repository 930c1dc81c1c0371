"""Competitive binding of naltrexone and 6β-naltrexol at mu, kappa and delta opioid receptors.

Two antagonists compete for one site (law of mass action, fast binding equilibrium).  With the
unbound effect-site molar concentrations L1 (naltrexone) and L2 (6β-naltrexol) and their
in-vivo dissociation constants K1, K2 (nM),

    occupancy by naltrexone  = (L1/K1) / (1 + L1/K1 + L2/K2)
    total occupancy          = (L1/K1 + L2/K2) / (1 + L1/K1 + L2/K2)

Unbound effect-site concentrations come from the effect-compartment concentrations of the PK
model (ng/mL, plasma-equivalent):
    L1 = fu · C_e,ntx / MW_ntx · 1000,     L2 = fu_m · kp_m · C_e,nol / MW_nol · 1000
where kp_m is the brain-penetration factor of the peripherally restricted metabolite.  In-vivo
constants are in-vitro Ki × `invivo_scale` (the apparent in-vivo affinity measured by
[11C]carfentanil PET differs from membrane Ki; see parameters.toml, group `receptor`).
Inputs may be floats or arrays (broadcasting); outputs are fractions in [0, 1].
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from ldn.parameters import ParameterSet, group_values
from ldn.types import FloatArray, FloatLike
from ldn.units import MW_NALTREXOL_G_PER_MOL, MW_NALTREXONE_G_PER_MOL, ng_per_ml_to_nM

RECEPTORS: Final = ("mor", "kor", "dor")


@dataclass(frozen=True)
class BindingParams:
    """Binding constants; every field a float or an array of shape (n_patients,)."""

    fu: FloatLike  # unbound fraction of naltrexone in plasma
    fu_m: FloatLike  # unbound fraction of 6β-naltrexol in plasma
    kp_m: FloatLike  # brain penetration of 6β-naltrexol relative to naltrexone
    invivo_scale: FloatLike  # in-vivo Kd / in-vitro Ki
    ki_ntx_mor_nm: FloatLike
    kor_ratio_ntx: FloatLike  # naltrexone Ki(KOR)/Ki(MOR)
    dor_ratio_ntx: FloatLike  # naltrexone Ki(DOR)/Ki(MOR)
    ki_nol_mor_nm: FloatLike
    ki_nol_kor_nm: FloatLike
    ki_nol_dor_nm: FloatLike

    @classmethod
    def from_parameters(cls, params: ParameterSet, **overrides: FloatLike) -> BindingParams:
        """Read the `receptor.*` group; keyword overrides replace single values."""
        names = cls.__dataclass_fields__
        return cls(**group_values(params, "receptor", names, overrides))  # type: ignore[arg-type]

    def k_nm(self, receptor: str) -> tuple[FloatLike, FloatLike]:
        """In-vivo dissociation constants (nM) of naltrexone and 6β-naltrexol at `receptor`."""
        if receptor == "mor":
            k1, k2 = self.ki_ntx_mor_nm, self.ki_nol_mor_nm
        elif receptor == "kor":
            k1, k2 = np.multiply(self.ki_ntx_mor_nm, self.kor_ratio_ntx), self.ki_nol_kor_nm
        elif receptor == "dor":
            k1, k2 = np.multiply(self.ki_ntx_mor_nm, self.dor_ratio_ntx), self.ki_nol_dor_nm
        else:
            raise ValueError(f"unknown receptor {receptor!r}; expected one of {RECEPTORS}")
        return np.multiply(k1, self.invivo_scale), np.multiply(k2, self.invivo_scale)


def occupancy_fraction(r1: Any, r2: Any) -> Any:
    """Occupied fraction of a site by two competitive ligands (r = L/K): (r1 + r2)/(1 + r1 + r2).

    The one definition of the formula: plain arithmetic on floats or arrays here, and compiled
    as it is into the population kernels (`ldn.population.kernels`).
    """
    return (r1 + r2) / (1.0 + r1 + r2)


def competitive_occupancy(
    l1_nm: FloatLike, k1_nm: FloatLike, l2_nm: FloatLike, k2_nm: FloatLike
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(total, by ligand 1, by ligand 2) fractional occupancy of one site by two competitors."""
    r1 = np.divide(l1_nm, k1_nm)
    r2 = np.divide(l2_nm, k2_nm)
    denom = 1.0 + r1 + r2
    return np.asarray(occupancy_fraction(r1, r2)), np.asarray(r1 / denom), np.asarray(r2 / denom)


def _per_patient(v: FloatLike) -> FloatArray:
    """A per-patient parameter array (n_patients,) as a column (n_patients, 1), so it broadcasts
    against (n_patients, n_t) concentrations; a scalar stays a scalar."""
    v = np.asarray(v, dtype=float)
    return v[..., None] if v.ndim else v


def _unbound_nm(
    c_ntx_ng_per_ml: FloatLike, c_nol_ng_per_ml: FloatLike, b: BindingParams, kp_nol: FloatLike
) -> tuple[FloatArray, FloatArray]:
    """Unbound molar concentrations (nM): fu·C for naltrexone, fu_m·kp_nol·C for 6β-naltrexol."""
    l1 = _per_patient(b.fu) * ng_per_ml_to_nM(np.asarray(c_ntx_ng_per_ml), MW_NALTREXONE_G_PER_MOL)
    l2 = (
        _per_patient(b.fu_m)
        * _per_patient(kp_nol)
        * ng_per_ml_to_nM(np.asarray(c_nol_ng_per_ml), MW_NALTREXOL_G_PER_MOL)
    )
    return np.asarray(l1), np.asarray(l2)


def unbound_effect_nm(
    c_e_ntx_ng_per_ml: FloatLike, c_e_nol_ng_per_ml: FloatLike, b: BindingParams
) -> tuple[FloatArray, FloatArray]:
    """Unbound effect-site molar concentrations (nM) of naltrexone and 6β-naltrexol (the latter
    scaled by its brain penetration `kp_m`).

    Arrays of per-patient parameters (n_patients,) broadcast against (n_patients, n_t).
    """
    return _unbound_nm(c_e_ntx_ng_per_ml, c_e_nol_ng_per_ml, b, b.kp_m)


def unbound_plasma_nm(
    c_ntx_ng_per_ml: FloatLike, c_nol_ng_per_ml: FloatLike, b: BindingParams
) -> tuple[FloatArray, FloatArray]:
    """Unbound plasma molar concentrations (nM) of naltrexone and 6β-naltrexol.

    What a peripheral receptor (lymphocytes, gut, OGFr on dividing cells) sees if it is in
    equilibrium with unbound plasma drug: fu·C (no brain-penetration factor).
    """
    return _unbound_nm(c_ntx_ng_per_ml, c_nol_ng_per_ml, b, 1.0)


def plasma_occupancy(
    c_ntx_ng_per_ml: FloatLike, c_nol_ng_per_ml: FloatLike, b: BindingParams, receptor: str = "mor"
) -> FloatArray:
    """Equilibrium occupancy (0–1) of a peripheral `receptor` exposed to unbound plasma drug.

    Same in-vivo dissociation constants as the brain site (`BindingParams.k_nm`); the public
    function issue 13's hypotheses call to drive peripheral effects.
    """
    l1, l2 = unbound_plasma_nm(c_ntx_ng_per_ml, c_nol_ng_per_ml, b)
    k1, k2 = b.k_nm(receptor)
    return competitive_occupancy(l1, _per_patient(k1), l2, _per_patient(k2))[0]


def occupancy(
    c_e_ntx_ng_per_ml: FloatLike, c_e_nol_ng_per_ml: FloatLike, b: BindingParams
) -> dict[str, FloatArray]:
    """Total occupancy (fraction 0–1) of MOR, KOR and DOR from effect-site concentrations."""
    l1, l2 = unbound_effect_nm(c_e_ntx_ng_per_ml, c_e_nol_ng_per_ml, b)
    out: dict[str, FloatArray] = {}
    for rec in RECEPTORS:
        k1, k2 = b.k_nm(rec)
        out[rec] = competitive_occupancy(l1, _per_patient(k1), l2, _per_patient(k2))[0]
    return out
