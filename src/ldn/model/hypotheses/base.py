"""What a mechanism family is: a named hypothesis over the shared PK/occupancy engine.

A family says three things (docs/model.md part II, "Hypothesis families"):

- which occupancy drives the rebound (`drive`): `brain` (effect-site MOR occupancy, the PET-fitted
  kernel of `ldn.model.receptors`), `plasma` (unbound plasma MOR occupancy: immune cells and
  OGFr are peripheral) or `none` (the null: no specific drug effect);
- which receptor-upregulation law turns blockade into adaptation (`law`, `ldn.model.hypotheses.
  laws`): `saturating` (the seed's law), `linear` or `threshold`;
- which chain parameters it fixes (`fixed`, in parameter-file names and units) and which it leaves
  free for calibration (`free`, each with a prior range read from the parameter files).

Families differ only in these; the equations of the chain (`ldn.model.chain`) are shared.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final, Literal

from ldn.model.chain import UPREGULATION_GAINS

Drive = Literal["brain", "plasma", "none"]
Law = Literal["saturating", "linear", "threshold"]
LAW_CODES: Final[dict[str, int]] = {"saturating": 0, "linear": 1, "threshold": 2}

# Chain parameters that calibration may free: their prior is the `range` in the parameter file;
# `log` marks a ratio whose prior is uniform in log space.
REBOUND_FREE: Final = (
    *UPREGULATION_GAINS,
    "rebound.ogfr_affinity_rel",
    "rebound.mor_signalling_weight",
)
LOG_PRIORS: Final = frozenset({"rebound.ogfr_affinity_rel", "hypothesis.threshold_occupancy"})


@dataclass(frozen=True)
class Family:
    """A named mechanism hypothesis (see module docstring)."""

    name: str
    title: str
    drive: Drive
    law: Law
    summary: str
    free: tuple[str, ...] = ()
    fixed: dict[str, float] = field(default_factory=dict)

    @property
    def law_code(self) -> int:
        """Integer code of `law` for the compiled kernel."""
        return LAW_CODES[self.law]

    @property
    def has_effect(self) -> bool:
        """False for the null family (no drug-specific effect at any dose)."""
        return self.drive != "none"
