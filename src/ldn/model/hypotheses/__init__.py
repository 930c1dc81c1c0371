"""Mechanism families: named, selectable hypotheses about how LDN could act (public API).

One module per family; `FAMILIES` lists them in report order and `get_family` resolves a name
given on the command line. See `ldn.model.hypotheses.base` for what a family is.
"""

from __future__ import annotations

from typing import Final

from ldn.errors import InputError
from ldn.model.hypotheses import (
    null,
    ogf_blockade,
    rebound_brain,
    rebound_linear,
    rebound_peripheral,
    rebound_threshold,
)
from ldn.model.hypotheses.base import LAW_CODES, Family

FAMILIES: Final[dict[str, Family]] = {
    m.FAMILY.name: m.FAMILY
    for m in (null, rebound_brain, rebound_peripheral, ogf_blockade, rebound_linear,
              rebound_threshold)
}  # fmt: skip
FAMILY_NAMES: Final = tuple(FAMILIES)
SEED_FAMILY: Final = "rebound_brain"


def get_family(name: str) -> Family:
    """The family called `name`; `InputError` listing the choices when unknown."""
    key = name.strip().lower().replace("-", "_")
    if key not in FAMILIES:
        raise InputError(
            f"unknown hypothesis {name!r}; choose one of {', '.join(FAMILY_NAMES)} "
            "(for example --hypothesis rebound_peripheral)"
        )
    return FAMILIES[key]


__all__ = ["FAMILIES", "FAMILY_NAMES", "LAW_CODES", "SEED_FAMILY", "Family", "get_family"]
