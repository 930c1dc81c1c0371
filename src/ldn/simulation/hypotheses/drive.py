"""The occupancy that drives each family, from the shared PK/occupancy engine.

Exposure comes from `ldn.model.exposure` with the fitted default PK variant (`ldn.model.pk_setup`,
docs/model.md Part I §4): the same PK as every other output of the package.

- brain: effect-site MOR occupancy (`Exposure.mor_occupancy`, the PET-fitted kernel);
- plasma: unbound plasma MOR occupancy, `Exposure.mor_occupancy_plasma` of the fitted engine.
  For an exposure-like object without that field it is `ldn.model.receptors.plasma_occupancy`
  of the total plasma concentrations: L1 = fu·C_ntx, L2 = fu_m·C_nol (molar; no
  brain-penetration factor for 6β-naltrexol), with the same apparent in-vivo dissociation
  constants as in the brain (ASSUMPTION: the PET-fitted `receptor.invivo_scale` includes
  competition by endogenous ligand, which peripheral receptors face too; docs/model.md part II);
- none: zero (the null family).
"""

from __future__ import annotations

import numpy as np

from ldn.model.exposure import exposure
from ldn.model.hypotheses.base import Family
from ldn.model.receptors import BindingParams, plasma_occupancy
from ldn.parameters import ParameterSet
from ldn.types import FloatArray


def plasma_mor_occupancy(exposure: object, params: ParameterSet) -> FloatArray:
    """Unbound plasma MOR occupancy (0–1) of an `ldn.simulation.Exposure` (see module docstring)."""
    given = getattr(exposure, "mor_occupancy_plasma", None)
    if given is not None:
        return np.asarray(given, dtype=np.float64)
    c_ntx = np.asarray(exposure.naltrexone_ng_per_ml, dtype=np.float64)  # type: ignore[attr-defined]
    c_nol = np.asarray(exposure.naltrexol_ng_per_ml, dtype=np.float64)  # type: ignore[attr-defined]
    return plasma_occupancy(c_ntx, c_nol, BindingParams.from_parameters(params), "mor")


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
