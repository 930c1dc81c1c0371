"""Names of the rows and columns of the arrays the population kernels take and return.

The kernels (`ldn.population.kernels`) read and write these arrays by index; the indices are
looked up here by name (module-level constants, which Numba compiles in), and the code that
builds or reads the arrays (`ldn.population.patient_pk.output_rows`, `ldn.population.engine`,
`ldn.population.families`) uses the same names. No imports, so the kernels' cache key
(`ldn.compile_options`) stays small.
"""

from __future__ import annotations

from typing import Final

ROW_NAMES_NO_TLR4: Final = (
    "mor_ratio_naltrexone",
    "mor_ratio_naltrexol",
    "naltrexone_ng_per_ml",
    "naltrexol_ng_per_ml",
)
"""Rows of `PKArrays.rows` (linear maps of the PK state): MOR binding ratios L/K of the
effect-site concentrations, plasma concentrations (ng/mL)."""
ROW_NAMES: Final = (*ROW_NAMES_NO_TLR4, "unbound_nM")
"""The rows with the TLR4 path on: also unbound effect-site naltrexone + 6β-naltrexol (nM), last,
so that the rows without it are the first ones and the row count says whether it is there."""
STAT_NAMES: Final = ("mor_mean", "mor_peak", "mor_trough")
"""Columns of the kernels' MOR occupancy statistics over the last 24 h (`stats`)."""
PEAK_NAMES: Final = ("naltrexone_ng_per_ml", "naltrexol_ng_per_ml")
"""Columns of the kernels' plasma peaks over the last 24 h (`peak`): the maxima of these rows."""
