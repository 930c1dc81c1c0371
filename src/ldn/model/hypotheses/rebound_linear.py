"""`rebound_linear`: the brain-driven rebound with upregulation proportional to occupancy.

Law `linear` (`ldn.model.hypotheses.laws`): the steady-state rise is G·u for a constant
occupancy u instead of the seed's concave G·u·(1 + u50)/(u + u50), so partial (intermittent)
blockade upregulates less per unit occupancy than in the seed; whether LDN still raises net
signalling then depends on the parameters.
"""

from ldn.model.hypotheses.base import REBOUND_FREE, Family

FAMILY = Family(
    name="rebound_linear",
    title="Rebound, linear upregulation",
    drive="brain",
    law="linear",
    summary="brain-driven rebound, upregulation proportional to occupancy",
    free=REBOUND_FREE,
)
