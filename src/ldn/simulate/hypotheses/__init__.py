"""Running the mechanism families (`ldn.model.hypotheses`) on regimens: drives, states, effects.

`family_run` integrates a family for one regimen and many parameter rows; `regimen_effect` gives
the LDN − placebo difference on a clinical scale at a readout week; `family_columns` is the
`ldn simulate --condition --hypothesis` time series.
"""

from ldn.simulate.hypotheses.drive import family_drive, plasma_mor_occupancy
from ldn.simulate.hypotheses.run import (
    FamilyRun,
    family_columns,
    family_parameters,
    family_run,
    regimen_effect,
    scale_effect,
)

__all__ = [
    "FamilyRun",
    "family_columns",
    "family_drive",
    "family_parameters",
    "family_run",
    "plasma_mor_occupancy",
    "regimen_effect",
    "scale_effect",
]
