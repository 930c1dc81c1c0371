"""Where a number comes from: one record for every cited or assumed value in ldn.

A `Provenance` is what the data files write as flat fields beside a value: `kind`, `source`
(citation), `url` (link or DOI), `quote` (short verbatim quote from the source) and `reason`
(why an assumed value was chosen), some with a prefix (`mid_source`, `responder_url` in
scales.toml). Its owners: `ldn.parameters.Parameter` (kinds sourced | derived | assumption),
`ldn.scales.Scale` (its range, MID and trial responder threshold) and `ResponderRule`,
`ldn.practice.rules.Rule` (sourced | secondary | assumption) and the PK observations of
`ldn.calibration.pk_data`. Each owner keeps its own kinds, what each kind must state (a `Needs`
table, checked with `Provenance.missing`) and its own error messages; this module reads the
flat fields (`Provenance.take`) and writes where a value comes from in words (`basis`,
`citation`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

# The text fields of a record, as the data files name them (after any prefix).
FIELDS: Final = ("source", "url", "quote", "reason")
# What a published citation states: used where a record must be complete (responder
# thresholds, PK observations) and to read a record that can have no reason.
CITATION: Final = ("source", "url", "quote")
# kind → the fields a record of that kind must state (a kind not in the table is not allowed)
Needs = Mapping[str, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where one value comes from: its kind, citation, link, verbatim quote or reason."""

    kind: str
    source: str = ""
    url: str = ""
    quote: str = ""
    reason: str = ""

    @classmethod
    def take(
        cls,
        fields: dict[str, Any],
        prefix: str = "",
        *,
        kind: str | None = None,
        names: tuple[str, ...] = FIELDS,
    ) -> Provenance:
        """The record written as flat fields `{prefix}kind`, `{prefix}source`, … of a data-file
        entry, removed from `fields` (so what is left is the owner's own fields).

        `kind` is the kind where the file states none (then `{prefix}kind` is not read, so a
        stray one stays in `fields`); `names` are the text fields read (absent or false: "").
        """
        found = fields.pop(f"{prefix}kind") if kind is None else kind
        text = {name: fields.pop(f"{prefix}{name}", None) for name in names}
        # a false value (absent, None, "", 0, false, []) states nothing, as an empty field
        return cls(str(found), **{k: str(v) if v else "" for k, v in text.items()})

    def missing(self, needs: Needs) -> tuple[str, ...]:
        """The fields `needs` asks of this record's kind that are empty, in `needs`' order."""
        return tuple(name for name in needs.get(self.kind, ()) if not getattr(self, name))

    def basis(self, assumption: str = "assumption: ") -> str:
        """Where the value comes from in a few words: the source, or for an assumption the
        reason after `assumption` (e.g. 'assumption: no published MID')."""
        return f"{assumption}{self.reason}" if self.kind == "assumption" else self.source

    def citation(self) -> str:
        """One line: 'Source: Fawcett 1997 <https://…>' (the source, its URL in angle brackets),
        or 'Reason: …' for an assumption."""
        if self.kind == "assumption":
            return f"Reason: {self.reason}"
        return f"Source: {self.source} <{self.url}>"
