"""`ldn.provenance`: flat data-file fields → one record; what a kind lacks; the citation text."""

from __future__ import annotations

import pytest

from ldn.provenance import CITATION, Provenance


def test_take_reads_and_removes_the_prefixed_fields() -> None:
    fields: dict[str, object] = {
        "mid": 4.0, "mid_kind": "sourced", "mid_source": "Furie 2009", "mid_url": "https://x",
        "range_source": "the instrument", "range_reason": "stray",
    }  # fmt: skip
    mid = Provenance.take(fields, "mid_")
    bounds = Provenance.take(fields, "range_", kind="sourced", names=CITATION)
    assert mid == Provenance("sourced", source="Furie 2009", url="https://x")
    assert bounds == Provenance("sourced", source="the instrument")
    assert fields == {"mid": 4.0, "range_reason": "stray"}  # left for the owner to refuse


def test_take_reads_a_missing_or_none_field_as_empty() -> None:
    row: dict[str, str | None] = {"source": "label", "url": None}
    assert Provenance.take(row, kind="sourced", names=CITATION) == Provenance("sourced", "label")


@pytest.mark.parametrize(
    ("record", "missing"),
    [
        (Provenance("sourced", source="s"), ("url",)),
        (Provenance("secondary"), ("source", "url")),
        (Provenance("assumption", source="s"), ("reason",)),
        (Provenance("assumption", reason="r"), ()),
        (Provenance("guess"), ()),  # a kind the table does not name: the owner checks kinds
    ],
)
def test_missing_follows_the_owners_table(record: Provenance, missing: tuple[str, ...]) -> None:
    needs = {
        "sourced": ("source", "url"),
        "secondary": ("source", "url"),
        "assumption": ("reason",),
    }
    assert record.missing(needs) == missing


def test_basis_and_citation() -> None:
    sourced = Provenance("sourced", source="Fawcett 1997", url="https://doi.org/x")
    assumed = Provenance("assumption", reason="no published MID")
    assert sourced.basis() == "Fawcett 1997"
    assert assumed.basis() == "assumption: no published MID"
    assert assumed.basis("ASSUMPTION: ") == "ASSUMPTION: no published MID"
    assert sourced.citation() == "Source: Fawcett 1997 <https://doi.org/x>"
    assert assumed.citation() == "Reason: no published MID"
