"""The practice rules (compounding, beyond-use dates, titration, side effects, peri-operative
washout) with their sources, read from `ldn/data/practice_rules.toml`.

Each rule is `sourced` (the cited source states it), `secondary` (read through a summary of a
standard we could not read ourselves) or an `assumption` (this project's choice, with a reason).
Code asks for rules by id, so every number it uses has a source line to print next to it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Final

from ldn.provenance import FIELDS, Needs, Provenance

# kind → what a rule of that kind must state
_NEEDS: Final[Needs] = {
    "sourced": ("source", "url"),
    "secondary": ("source", "url"),
    "assumption": ("reason",),
}
KINDS: Final = tuple(_NEEDS)


@dataclass(frozen=True, slots=True)
class Rule:
    """One practice rule: what it says, how sure we are and where it comes from (`provenance`:
    kind, source, url, quote, reason)."""

    id: str
    statement: str
    provenance: Provenance
    value: Any = None
    unit: str = ""

    def __post_init__(self) -> None:
        kind = self.provenance.kind
        if kind not in KINDS:
            raise ValueError(f"practice rule {self.id}: kind {kind!r} not in {KINDS}")
        if self.provenance.missing(_NEEDS):
            if kind == "assumption":
                raise ValueError(f"practice rule {self.id}: an assumption needs a reason")
            raise ValueError(f"practice rule {self.id}: a {kind} rule needs source and url")

    def citation(self) -> str:
        """One line: '[sourced] statement Source: source <url>' or '[assumption] statement
        Reason: reason'."""
        return f"[{self.provenance.kind}] {self.statement} {self.provenance.citation()}"

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (empty fields left out)."""
        cited = {name: getattr(self.provenance, name) for name in FIELDS}
        out = {
            "id": self.id,
            "kind": self.provenance.kind,
            "statement": self.statement,
            "value": self.value,
            "unit": self.unit,
            **cited,
        }
        return {k: v for k, v in out.items() if v not in (None, "")}


@cache
def all_rules() -> dict[str, Rule]:
    """Every rule in the shipped data file, by id."""
    text = (resources.files("ldn") / "data" / "practice_rules.toml").read_text(encoding="utf-8")
    out = {}
    for key, entry in tomllib.loads(text)["rules"].items():
        fields = dict(entry)
        provenance = Provenance.take(fields)  # the flat kind/source/url/quote/reason fields
        out[key] = Rule(id=key, provenance=provenance, **fields)
    return out


def rule(rule_id: str) -> Rule:
    """The rule `rule_id` (KeyError names the missing id: a programming error)."""
    return all_rules()[rule_id]


def value(rule_id: str) -> Any:
    """The `value` of rule `rule_id`."""
    return rule(rule_id).value
