"""Plaque psoriasis on PASI (0–72; higher is worse).

Evidence is uncontrolled: one case (Bridgman 2018, PASI 7.2 → 0.9 over 6 months) and a practice
series (Weinstock 2020, 8/15 marked improvement). Without a placebo arm the size of a specific
effect is unknown, so the default is a small, labelled assumption with a range that includes 0.
"""

from __future__ import annotations

from ldn.model.disease.base import CalibrationTarget, Condition
from ldn.scales import get_scale

PASI = get_scale("pasi")

CONDITION = Condition(
    name="psoriasis",
    title="Psoriasis",
    scales=(PASI,),
    readout_weeks=12.0,
    evidence="case reports/series only: effect size is an assumption",
    target=CalibrationTarget(
        column="pasi",
        difference=-1.0,
        weeks=12.0,
        source="ASSUMPTION: uncontrolled case reports only; small effect",
    ),
)
