"""The one registry of condition names: `ldn/data/conditions.toml`, read once at import.

Every part of ldn that names a condition (the disease modules of `ldn.model.disease`, the
evidence tables, the calibration's trial scales, the registry's patient conditions) takes its
names, titles and aliases from here, and every public function that receives a condition
name passes it through `canonical_condition`, so an alias ("lupus", "fm", "Crohn's disease")
means exactly what the canonical name means and never silently selects something else.

Public API: `CONDITION_NAMES` (canonical names, in file order), `CONDITION_TITLES`
(name → title), `CONDITION_ENTRIES` (name → `ConditionEntry`: title, aliases, scale codes,
readout week, evidence line, calibration target), `condition_key(text)` (how spellings are
compared: lower case, without spaces, hyphens and apostrophes) and `canonical_condition(name)`
(name, title or alias → canonical name; `InputError` listing the choices otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from ldn.errors import InputError


@dataclass(frozen=True, slots=True)
class CalibrationTarget:
    """A trial result the effect size is calibrated to: LDN − placebo change at `weeks`."""

    column: str
    difference: float
    weeks: float
    source: str


@dataclass(frozen=True, slots=True)
class ConditionEntry:
    """One table of conditions.toml (see the file's header for each field)."""

    name: str
    title: str
    aliases: tuple[str, ...]
    scales: tuple[str, ...]  # codes of `ldn.scales`; the first is the primary endpoint
    readout_weeks: float
    evidence: str
    target: CalibrationTarget


def condition_key(text: str) -> str:
    """`text` as compared with condition names, titles and aliases."""
    return text.strip().lower().replace("-", "").replace("'", "").replace(" ", "")


def _load() -> dict[str, ConditionEntry]:
    import tomllib
    from importlib.resources import files

    text = files("ldn.data").joinpath("conditions.toml").read_text(encoding="utf-8")
    return {
        name: ConditionEntry(
            name=name,
            title=entry["title"],
            aliases=tuple(entry["aliases"]),
            scales=tuple(entry["scales"]),
            readout_weeks=float(entry["readout_weeks"]),
            evidence=entry["evidence"],
            target=CalibrationTarget(**entry["target"]),
        )
        for name, entry in tomllib.loads(text).items()
    }


CONDITION_ENTRIES: Final[dict[str, ConditionEntry]] = _load()
CONDITION_NAMES: Final[tuple[str, ...]] = tuple(CONDITION_ENTRIES)
CONDITION_TITLES: Final[dict[str, str]] = {n: e.title for n, e in CONDITION_ENTRIES.items()}
_SPELLINGS: Final[dict[str, str]] = {
    condition_key(spelling): e.name
    for e in CONDITION_ENTRIES.values()
    for spelling in (e.name, e.title, *e.aliases)
}


def canonical_condition(name: str) -> str:
    """The canonical name of condition `name` (its name, title or an alias); else `InputError`."""
    key = _SPELLINGS.get(condition_key(name)) if isinstance(name, str) else None
    if key is None:
        raise InputError(
            f"unknown condition {name!r}; choose one of {', '.join(CONDITION_NAMES)} "
            "(for example --condition crohns)"
        )
    return key


__all__ = [
    "CONDITION_ENTRIES",
    "CONDITION_NAMES",
    "CONDITION_TITLES",
    "CalibrationTarget",
    "ConditionEntry",
    "canonical_condition",
    "condition_key",
]
