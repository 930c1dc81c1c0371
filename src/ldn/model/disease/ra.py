"""Rheumatoid arthritis on DAS28 (0 to 10, `ldn/data/scales.toml`; higher is worse).

No randomised trial of LDN in RA was found; the only data are a Norwegian prescription-registry
study (Raknes & Småbrekke 2019: 13 % fewer rheumatic-disease drug doses, no control group). The
default effect size is therefore a labelled assumption (small), with a wide range that includes 0.
"""

from __future__ import annotations

from ldn.model.disease.base import CalibrationTarget, Condition
from ldn.scales import get_scale

DAS28 = get_scale("das28")

CONDITION = Condition(
    name="ra",
    title="Rheumatoid arthritis",
    scales=(DAS28,),
    readout_weeks=12.0,
    evidence="no RCT; registry only (Raknes 2019): effect size is an assumption",
    target=CalibrationTarget(
        column="das28",
        difference=-0.2,
        weeks=12.0,
        source="ASSUMPTION: no RCT; small effect below the DAS28 MCID of 0.6",
    ),
)
