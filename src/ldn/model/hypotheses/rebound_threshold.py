"""`rebound_threshold`: upregulation only under near-continuous blockade.

Rodent data: "supersensitivity and upregulation are not proportional to the degree of
antagonism" — a 0.5 mg naltrexone pellet antagonised morphine without significant upregulation
(Yoburn et al. 1986), and every measured upregulation comes from continuous pellet/minipump
blockade. Law `threshold`: the steady-state rise is G·h(u)/h(1) with a steep Hill function
h(u) = uⁿ/(uⁿ + θⁿ), n = 8 (assumption), θ = `hypothesis.threshold_occupancy` (free). At LDN's
mean brain occupancy (≈ 35 %) there is little upregulation, so blockade alone lowers opioid
signalling: the sign of the LDN effect can flip relative to the seed.
"""

from ldn.model.hypotheses.base import REBOUND_FREE, Family

FAMILY = Family(
    name="rebound_threshold",
    title="Rebound, threshold upregulation",
    drive="brain",
    law="threshold",
    summary="upregulation only when occupancy exceeds a threshold (continuous blockade)",
    free=(*REBOUND_FREE, "hypothesis.threshold_occupancy"),
)
