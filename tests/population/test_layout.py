"""The population kernels' arrays are built and read by the names of `ldn.population.layout`."""

from __future__ import annotations

import numpy as np

from ldn.model import pk
from ldn.population import kernels
from ldn.population.layout import PEAK_NAMES, ROW_NAMES, ROW_NAMES_NO_TLR4
from ldn.population.patient_pk import FACTOR_NAMES, output_rows


def test_output_rows_are_laid_out_as_their_names_say() -> None:
    """Each row of `output_rows` is the PK output and binding factor its name says (all inputs
    distinct, so two swapped rows, outputs or factors fail)."""
    n, m = 3, 5
    out_map = 1.0 + np.arange(n * pk.N_OUTPUTS * m, dtype=np.float64).reshape(n, pk.N_OUTPUTS, m)
    factors = 0.5 + np.arange(n * len(FACTOR_NAMES), dtype=np.float64).reshape(n, -1) ** 2
    out = {name: out_map[:, pk.OUTPUT_NAMES.index(name)] for name in pk.OUTPUT_NAMES}
    f = {name: factors[:, j, None] for j, name in enumerate(FACTOR_NAMES)}
    effect = (out["naltrexone_effect_ng_per_ml"], out["naltrexol_effect_ng_per_ml"])
    expected = {
        "mor_ratio_naltrexone": effect[0] * f["mor_ratio_naltrexone"],
        "mor_ratio_naltrexol": effect[1] * f["mor_ratio_naltrexol"],
        "naltrexone_ng_per_ml": out["naltrexone_ng_per_ml"],
        "naltrexol_ng_per_ml": out["naltrexol_ng_per_ml"],
        "unbound_nM": effect[0] * f["unbound_naltrexone_nM"]
        + effect[1] * f["unbound_naltrexol_nM"],
    }
    for tlr4, names in ((True, ROW_NAMES), (False, ROW_NAMES_NO_TLR4)):
        rows = output_rows(out_map, factors, tlr4)
        assert rows.shape == (n, len(names), m)
        for j, name in enumerate(names):
            np.testing.assert_array_equal(rows[:, j], expected[name], err_msg=name)


def test_the_kernels_read_the_rows_they_are_given_by_name() -> None:
    """Peaks come from the plasma rows; TLR4 is on exactly when the unbound row is there."""
    assert ROW_NAMES[: len(ROW_NAMES_NO_TLR4)] == ROW_NAMES_NO_TLR4
    assert len(ROW_NAMES_NO_TLR4) == kernels._R_UNBOUND  # the one row beyond those without
    assert [ROW_NAMES[r] for r in kernels._PEAK_ROWS] == list(PEAK_NAMES)
    assert ROW_NAMES[kernels._R_RATIO_NTX] == "mor_ratio_naltrexone"
    assert ROW_NAMES[kernels._R_RATIO_NOL] == "mor_ratio_naltrexol"
