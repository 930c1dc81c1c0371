"""`rebound_brain`: the seed's hypothesis (`ldn.model.chain` exactly as written).

Brain (effect-site) MOR occupancy drives a saturating upregulation of MOR/OGFr density and
β-endorphin/OGF production; the net opioid signal inhibits lymphocyte proliferation.
Intermittent blockade (4.5 mg at bedtime: trough MOR occupancy ≈ 21 %) leaves upregulated
receptors and ligands to act between doses, so net signalling rises; continuous blockade (50 mg)
lowers it. With default parameters this family reproduces `ldn.model.chain` to rounding.
"""

from ldn.model.hypotheses.base import REBOUND_FREE, Family

FAMILY = Family(
    name="rebound_brain",
    title="Rebound, brain occupancy (seed)",
    drive="brain",
    law="saturating",
    summary="intermittent central MOR blockade → receptor/ligand rebound → less proliferation",
    free=REBOUND_FREE,
)
