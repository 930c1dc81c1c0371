"""A patient's conditions in the registry: the names of `ldn.conditions` plus "other".

`CONDITIONS` is what `patient_conditions.condition` may hold (the table's CHECK constraint, the
web forms); `registry_condition` turns any spelling `ldn.conditions.canonical_condition`
accepts ("lupus", "Crohn's disease", "fm") into the stored name, and `Condition` is the
pydantic type of the schemas (the OpenAPI schema lists the stored names as its enum; titles and
aliases are accepted too and stored as the name).
"""

from __future__ import annotations

from typing import Annotated, Final

from pydantic import AfterValidator, Field

from ldn.conditions import CONDITION_NAMES, canonical_condition
from ldn.errors import InputError

CONDITIONS: Final = (*CONDITION_NAMES, "other")


def registry_condition(value: str) -> str:
    """A patient's condition as stored: "other" or the canonical name of any spelling
    `ldn.conditions.canonical_condition` accepts ("lupus" → "sle"); else `ValueError`."""
    if isinstance(value, str) and value.strip().lower() == "other":
        return "other"
    try:
        return canonical_condition(value)
    except InputError:
        raise ValueError(
            f"condition {value!r} is not one of {', '.join(CONDITIONS)} "
            "(a title or alias such as lupus is accepted too)"
        ) from None


Condition = Annotated[
    str,
    AfterValidator(registry_condition),
    Field(
        max_length=64,
        description="a condition's name (listed), title or alias (e.g. lupus); stored as its name",
        json_schema_extra={"enum": list(CONDITIONS)},
    ),
]
