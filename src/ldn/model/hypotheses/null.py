"""`null`: no drug-specific effect at any dose.

LDN − placebo differences are zero in expectation; what trials show is placebo response,
regression to the mean and chance (the trial-level heterogeneity term of the calibration).
The disease modules' placebo response (`ldn.model.disease.base`) is shared by every family.
"""

from ldn.model.hypotheses.base import Family

FAMILY = Family(
    name="null",
    title="No specific effect",
    drive="none",
    law="saturating",
    summary="placebo response and regression to the mean only; LDN − placebo = 0",
)
