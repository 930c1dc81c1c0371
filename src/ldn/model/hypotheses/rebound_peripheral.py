"""`rebound_peripheral`: the seed's chain driven by unbound plasma MOR occupancy.

Lymphocytes and OGFr are peripheral, so the blockade they see follows unbound plasma
naltrexone and 6β-naltrexol (no effect-site delay, no blood-brain penalty for the metabolite:
`ldn.simulation.hypotheses.drive.plasma_mor_occupancy`). 6β-naltrexol's long half-life keeps
peripheral receptors more continuously blocked than central ones, so the same regimen is less
intermittent peripherally: the family tests whether the rebound survives that.
"""

from ldn.model.hypotheses.base import REBOUND_FREE, Family

FAMILY = Family(
    name="rebound_peripheral",
    title="Rebound, plasma occupancy",
    drive="plasma",
    law="saturating",
    summary="as rebound_brain, driven by unbound plasma MOR occupancy (immune cells, OGFr)",
    free=REBOUND_FREE,
)
