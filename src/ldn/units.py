"""Every unit conversion in one place.

Concentrations are carried as ng/mL (what assays report) and converted to nmol/L (what binding
constants use) only here. Molar masses are of the free bases; doses of naltrexone tablets are
stated as the hydrochloride salt, and `salt_to_base_mg` converts them.

Molar masses are computed from the molecular formulas with IUPAC standard atomic weights
(C 12.011, H 1.008, N 14.007, O 15.999, Cl 35.45):
- naltrexone C20H23NO4, 341.4 g/mol
- 6β-naltrexol C20H25NO4, 343.4 g/mol
- naltrexone hydrochloride C20H23NO4·HCl, 377.9 g/mol
"""

from __future__ import annotations

from typing import Final

import numpy as np

from ldn.types import FloatArray

MW_NALTREXONE_G_PER_MOL: Final = 341.4
MW_NALTREXOL_G_PER_MOL: Final = 343.4
MW_NALTREXONE_HCL_G_PER_MOL: Final = 377.9

MIN_PER_H: Final = 60.0
S_PER_H: Final = 3600.0
H_PER_DAY: Final = 24.0
ML_PER_L: Final = 1000.0


def ng_per_ml_to_nM(conc_ng_per_ml: FloatArray | float, mw_g_per_mol: float) -> FloatArray | float:
    """Mass concentration (ng/mL = µg/L) to molar concentration (nmol/L)."""
    return conc_ng_per_ml * 1000.0 / mw_g_per_mol


def nM_to_ng_per_ml(conc_nM: FloatArray | float, mw_g_per_mol: float) -> FloatArray | float:
    """Molar concentration (nmol/L) to mass concentration (ng/mL)."""
    return conc_nM * mw_g_per_mol / 1000.0


def mg_per_l_to_ng_per_ml(conc_mg_per_l: FloatArray | float) -> FloatArray | float:
    """mg/L to ng/mL (factor 1000)."""
    return conc_mg_per_l * 1000.0


def salt_to_base_mg(dose_hcl_mg: FloatArray | float) -> FloatArray | float:
    """Naltrexone hydrochloride dose (as labelled) to naltrexone free-base mass (mg)."""
    return dose_hcl_mg * (MW_NALTREXONE_G_PER_MOL / MW_NALTREXONE_HCL_G_PER_MOL)


def half_life_to_rate(t_half_h: FloatArray | float) -> FloatArray | float:
    """First-order half-life (h) to rate constant (1/h): k = ln 2 / t½."""
    return np.log(2.0) / t_half_h


def rate_to_half_life(k_per_h: FloatArray | float) -> FloatArray | float:
    """First-order rate constant (1/h) to half-life (h)."""
    return np.log(2.0) / k_per_h


def per_min_to_per_h(k_per_min: FloatArray | float) -> FloatArray | float:
    """Rate constant per minute to per hour."""
    return k_per_min * MIN_PER_H


def ml_per_min_to_l_per_h(cl_ml_per_min: FloatArray | float) -> FloatArray | float:
    """Clearance in mL/min to L/h."""
    return cl_ml_per_min * MIN_PER_H / ML_PER_L


def clock_to_hours(hh_mm: str) -> float:
    """'22:00' → 22.0 hours after midnight. Raises ValueError on a malformed clock time."""
    parts = hh_mm.strip().split(":")
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise ValueError(f"clock time {hh_mm!r} is not HH:MM (for example 22:00)")
    hours, minutes = int(parts[0]), int(parts[1])
    if not (0 <= hours <= 23 and 0 <= minutes <= 59):
        raise ValueError(f"clock time {hh_mm!r} is out of range: hours 00-23, minutes 00-59")
    return hours + minutes / MIN_PER_H
