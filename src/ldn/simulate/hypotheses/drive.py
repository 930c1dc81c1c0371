"""The occupancy that drives each family, from the shared PK/occupancy engine.

Exposure comes from `ldn.model.exposure` with the fitted default PK variant (`ldn.model.pk_setup`,
docs/model.md Part I §4): the same PK as every other output of the package.

- brain: effect-site MOR occupancy (`Exposure.mor_occupancy`, the PET-fitted kernel);
- plasma: unbound plasma MOR occupancy, `Exposure.mor_occupancy_plasma` of the fitted engine.
  For an exposure-like object without that field it is computed here from the
  total plasma concentrations and the binding constants of `ldn.model.receptors`:
  L1 = fu·C_ntx, L2 = fu_m·C_nol (molar; no brain-penetration factor for 6β-naltrexol), with the
  same apparent in-vivo dissociation constants as in the brain (ASSUMPTION: the PET-fitted
  `receptor.invivo_scale` includes competition by endogenous ligand, which peripheral receptors
  face too; docs/model.md part II);
- none: zero (the null family).
"""

from __future__ import annotations

import numpy as np

from ldn.model.exposure import exposure
from ldn.model.hypotheses.base import Family
from ldn.model.receptors import BindingParams, competitive_occupancy
from ldn.parameters import ParameterSet
from ldn.units import MW_NALTREXOL_G_PER_MOL, MW_NALTREXONE_G_PER_MOL, FloatArray, ng_per_ml_to_nM


def plasma_mor_occupancy(exposure: object, params: ParameterSet) -> FloatArray:
    """Unbound plasma MOR occupancy (0–1) of an `ldn.simulate.Exposure` (see module docstring)."""
    given = getattr(exposure, "mor_occupancy_plasma", None)
    if given is not None:
        return np.asarray(given, dtype=np.float64)
    b = BindingParams.from_parameters(params)
    c_ntx = np.asarray(exposure.naltrexone_ng_per_ml, dtype=np.float64)  # type: ignore[attr-defined]
    c_nol = np.asarray(exposure.naltrexol_ng_per_ml, dtype=np.float64)  # type: ignore[attr-defined]
    l1 = np.multiply(b.fu, ng_per_ml_to_nM(c_ntx, MW_NALTREXONE_G_PER_MOL))
    l2 = np.multiply(b.fu_m, ng_per_ml_to_nM(c_nol, MW_NALTREXOL_G_PER_MOL))
    k1, k2 = b.k_nm("mor")
    return competitive_occupancy(l1, k1, l2, k2)[0]


def family_drive(
    family: Family,
    events: object,
    t_h: FloatArray,
    params: ParameterSet,
    pk_model: str | None = None,
) -> FloatArray:
    """(n, 2) drive in `ldn.model.chain.DRIVE_NAMES` order for `family` at times `t_h`, with PK
    variant `pk_model` (default: the fitted default variant).

    `events=None` (or no doses) and the null family give zeros (an untreated/placebo run).
    """
    t = np.asarray(t_h, dtype=np.float64)
    out = np.zeros((t.size, 2))
    if not family.has_effect or events is None or np.size(getattr(events, "t_h", ())) == 0:
        return out
    exp = exposure(events, t, params, pk_model=pk_model)  # type: ignore[arg-type]
    occ = exp.mor_occupancy if family.drive == "brain" else plasma_mor_occupancy(exp, params)
    out[:, 0] = np.clip(np.asarray(occ, dtype=np.float64).reshape(-1), 0.0, 1.0)
    out[:, 1] = np.asarray(exp.naltrexone_unbound_nM + exp.naltrexol_unbound_nM).reshape(-1)
    return out
