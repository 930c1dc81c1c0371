"""`ogf_blockade`: intermittent OGFr blockade → OGF/OGFr upregulation → less proliferation (Zagon).

Zagon and McLaughlin's hypothesis: a short daily blockade of the OGF receptor (4–6 h) upregulates
OGF and OGFr, which then act in the remaining 18–20 h and restrain cell (here: lymphocyte)
proliferation; continuous blockade removes the tonic OGF–OGFr brake (Zagon 1983, 1984; McLaughlin
2011; Zagon 2011 T and B lymphocytes). Only the OGF–OGFr path carries the signal (MOR weight 0),
driven by peripheral (unbound plasma) occupancy, with OGFr occupancy derived through the OGFr/MOR
affinity ratio.
"""

from ldn.model.hypotheses.base import Family

FAMILY = Family(
    name="ogf_blockade",
    title="OGF–OGFr blockade (Zagon)",
    drive="plasma",
    law="saturating",
    summary="intermittent peripheral OGFr blockade → OGF/OGFr upregulation → less proliferation",
    free=(
        "rebound.ogfr_upregulation",
        "rebound.ogf_production_upregulation",
        "rebound.ogfr_affinity_rel",
    ),
    fixed={"rebound.mor_signalling_weight": 0.0},
)
