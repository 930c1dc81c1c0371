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

KINDS: Final = ("sourced", "secondary", "assumption")


@dataclass(frozen=True, slots=True)
class Rule:
    """One practice rule: what it says, how sure we are, and where it comes from."""

    id: str
    kind: str
    statement: str
    value: Any = None
    unit: str = ""
    source: str = ""
    url: str = ""
    quote: str = ""
    reason: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"practice rule {self.id}: kind {self.kind!r} not in {KINDS}")
        if self.kind == "assumption" and not self.reason:
            raise ValueError(f"practice rule {self.id}: an assumption needs a reason")
        if self.kind != "assumption" and not (self.source and self.url):
            raise ValueError(f"practice rule {self.id}: a {self.kind} rule needs source and url")

    def citation(self) -> str:
        """One line: '[sourced] statement (source, url)' or '[assumption] statement — reason'."""
        if self.kind == "assumption":
            return f"[assumption] {self.statement} Reason: {self.reason}"
        return f"[{self.kind}] {self.statement} Source: {self.source} <{self.url}>"

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (empty fields left out)."""
        out = {
            "id": self.id,
            "kind": self.kind,
            "statement": self.statement,
            "value": self.value,
            "unit": self.unit,
            "source": self.source,
            "url": self.url,
            "quote": self.quote,
            "reason": self.reason,
        }
        return {k: v for k, v in out.items() if v not in (None, "")}


@cache
def all_rules() -> dict[str, Rule]:
    """Every rule in the shipped data file, by id."""
    text = (resources.files("ldn") / "data" / "practice_rules.toml").read_text(encoding="utf-8")
    table = tomllib.loads(text)["rules"]
    return {key: Rule(id=key, **fields) for key, fields in table.items()}


def rule(rule_id: str) -> Rule:
    """The rule `rule_id` (KeyError names the missing id: a programming error)."""
    return all_rules()[rule_id]


def value(rule_id: str) -> Any:
    """The `value` of rule `rule_id`."""
    return rule(rule_id).value
