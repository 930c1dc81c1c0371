"""Running the mechanism families (`ldn.model.hypotheses`) on regimens: drives, states, effects.

`family_run` integrates a family for one regimen and many parameter rows; its `effect` is the
LDN − placebo difference on a clinical scale at the run's end (`scale_effect` at any activity);
`family_columns` is the `ldn simulate --condition --hypothesis` time series.
"""

from ldn.simulation.hypotheses.drive import family_drive, plasma_mor_occupancy
from ldn.simulation.hypotheses.run import (
    FamilyRun,
    family_columns,
    family_parameters,
    family_run,
    scale_effect,
)

__all__ = [
    "FamilyRun",
    "family_columns",
    "family_drive",
    "family_parameters",
    "family_run",
    "plasma_mor_occupancy",
    "scale_effect",
]
