"""Multiple sclerosis on the SF-36 Mental Component Summary (MCS, 0–100; higher is better).

SF-36 MCS is the scale of the only MS trial with a numeric LDN effect (Cree 2010, crossover,
4.5 mg nightly: MCS +3.3 vs placebo after 8 weeks, p = 0.04); the other RCT
(Sharafaddinzadeh 2010, MSQoL-54) found no difference, so the range of the effect goes down to 0.
Relapse rate is not modelled: no LDN trial reports it.
"""

from __future__ import annotations

from ldn.model.disease.base import CalibrationTarget, Condition
from ldn.scales import get_scale

SF36_MCS = get_scale("sf36_mcs")

CONDITION = Condition(
    name="ms",
    title="Multiple sclerosis",
    scales=(SF36_MCS,),
    readout_weeks=8.0,
    evidence="Cree 2010: MCS +3.3 at 8 weeks; Sharafaddinzadeh 2010: null",
    target=CalibrationTarget(
        column="sf36_mcs",
        difference=3.3,
        weeks=8.0,
        source="Cree 2010 Ann Neurol: SF-36 MCS +3.3 vs placebo after 8 weeks (p = 0.04)",
    ),
)
