"""Regimen timeline: side-effect labels never overlap (issue 15), however close the onsets."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from ldn.registry.schemas import AdverseEventPublic, PrescriptionPublic
from ldn.web.plots import label_rows, timeline_png


@given(st.lists(st.tuples(st.floats(0, 1000), st.floats(0.1, 200)), min_size=0, max_size=40))
def test_labels_in_one_row_never_overlap(spans: list[tuple[float, float]]) -> None:
    starts = [s for s, _ in spans]
    widths = [w for _, w in spans]
    rows = label_rows(starts, widths)
    by_row: dict[int, list[tuple[float, float]]] = {}
    for (c, w), r in zip(spans, rows, strict=True):
        by_row.setdefault(r, []).append((c - w / 2, c + w / 2))
    for intervals in by_row.values():
        intervals.sort()
        for (_, end), (start, _) in itertools.pairwise(intervals):
            assert start > end
    assert not rows or max(rows) < len(rows)


def test_close_side_effects_get_separate_rows() -> None:
    start = date(2024, 1, 1)
    rx = PrescriptionPublic(
        id=1,
        patient_id=1,
        dose_mg=4.5,
        clock_time="22:00",
        formulation="capsule",
        titration=[],
        start_date=start,
        stop_date=start + timedelta(days=365),
        stop_reason=None,
        notes=None,
        version=1,
    )
    aes = [
        AdverseEventPublic(
            id=i,
            patient_id=1,
            prescription_id=1,
            event_type=t,
            severity="mild",
            onset_date=start + timedelta(days=3 + i),
            end_date=None,
            notes=None,
            version=1,
        )
        for i, t in enumerate(["vivid_dreams", "nausea", "insomnia"])
    ]
    from ldn.web.plots import _label_spans

    rows = label_rows(*_label_spans(aes, [rx], start + timedelta(days=400)))
    assert sorted(rows) == [0, 1, 2]  # three onsets within days: three rows
    png = timeline_png([rx], aes, today=start + timedelta(days=400))
    assert png.startswith(b"\x89PNG")
