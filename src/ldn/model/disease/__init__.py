"""Disease modules, one per condition, each on the scale its trials use.

The conditions, their aliases and calibration targets are data: `ldn/data/conditions.toml` is
their one registry, read once by `ldn.conditions` (the names, titles, aliases and
`canonical_condition`); this package adds the model's view (each condition's `Scale` objects)
and the shared machinery (latent activity, scales) of `ldn.model.disease.base`. Public API:
`CONDITION_MODULES` (name → `Condition`, in file order), `get_condition(name)` (name, title or
alias, forgiving case, spaces, hyphens and apostrophes).
"""

from __future__ import annotations

from typing import Final

from ldn.conditions import CONDITION_ENTRIES, CalibrationTarget, canonical_condition
from ldn.model.disease.base import Condition, ScaleParams
from ldn.scales import get_scale

CONDITION_MODULES: Final[dict[str, Condition]] = {
    name: Condition(entry, tuple(get_scale(code) for code in entry.scales))
    for name, entry in CONDITION_ENTRIES.items()
}


def get_condition(name: str) -> Condition:
    """The disease module called `name` (its name, title or an alias); else `InputError`."""
    return CONDITION_MODULES[canonical_condition(name)]


__all__ = ["CONDITION_MODULES", "CalibrationTarget", "Condition", "ScaleParams", "get_condition"]
