"""Crohn's disease on the Crohn's Disease Activity Index (CDAI, 0 to about 600; higher is worse).

Calibration: Smith 2011 (Dig Dis Sci, RCT, 4.5 mg/day, 12 weeks): a ≥ 70-point CDAI fall in 88 %
on naltrexone vs 40 % on placebo; baseline CDAI 356 (Smith 2007). The responder rates are turned
into mean changes with a normal model of the 12-week change (see parameters_chain.toml).
"""

from __future__ import annotations

from ldn.model.disease.base import CalibrationTarget, Condition
from ldn.scales import get_scale

CDAI = get_scale("cdai")

CONDITION = Condition(
    name="crohns",
    title="Crohn's disease",
    scales=(CDAI,),
    readout_weeks=12.0,
    evidence="one small RCT (Smith 2011, n=40): 88 % vs 40 % CDAI response at 12 weeks",
    target=CalibrationTarget(
        column="cdai",
        difference=-141.4,
        weeks=12.0,
        source=(
            "Smith 2011 Dig Dis Sci: 88 % vs 40 % with a >= 70-point fall; a normal model with "
            "SD of change 99 (noise_sd 70) gives means -186.3 vs -44.9"
        ),
    ),
)
