"""Fibromyalgia on pain NRS (0–10) and the revised Fibromyalgia Impact Questionnaire (FIQR, 0–100).

Default calibration follows the largest and most rigorous trial, FINAL (Bruun 2024, n=99, 12 weeks):
pain NRS −1.3 on LDN vs −0.9 on placebo, difference −0.34 (95 % CI −0.95 to 0.27, not significant).
The smaller crossover trials (Younger 2013: −28.8 % vs −18 %) set the upper end of the range.
FIQR shares the latent activity with pain; its placebo change is an assumption.
"""

from __future__ import annotations

from ldn.model.disease.base import CalibrationTarget, Condition
from ldn.scales import get_scale

PAIN_NRS = get_scale("pain_nrs")
FIQR = get_scale("fiqr")

CONDITION = Condition(
    name="fibromyalgia",
    title="Fibromyalgia",
    scales=(PAIN_NRS, FIQR),
    readout_weeks=12.0,
    evidence="FINAL 2024 null (−0.34 NRS, ns); Younger 2013 −28.8 % vs −18 %",
    target=CalibrationTarget(
        column="pain_nrs",
        difference=-0.34,
        weeks=12.0,
        source=(
            "FINAL, Bruun 2024 Lancet Rheumatol: pain NRS -0.34 (95 % CI -0.95 to 0.27) at 12 weeks"
        ),
    ),
)
