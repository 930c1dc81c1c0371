"""Systemic lupus erythematosus on SLEDAI-2K (0–105; higher is worse).

No trial or case series of LDN in SLE was found. The default effect size is zero (assumption);
its range lets the sensitivity analysis show what a hypothetical effect would need.
"""

from __future__ import annotations

from ldn.model.disease.base import CalibrationTarget, Condition
from ldn.scales import get_scale

SLEDAI2K = get_scale("sledai2k")

CONDITION = Condition(
    name="sle",
    title="Systemic lupus erythematosus",
    scales=(SLEDAI2K,),
    readout_weeks=12.0,
    evidence="no data: default effect 0 (assumption)",
    target=CalibrationTarget(
        column="sledai2k",
        difference=0.0,
        weeks=12.0,
        source="ASSUMPTION: no data, no effect",
    ),
)
