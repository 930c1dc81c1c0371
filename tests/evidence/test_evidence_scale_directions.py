"""studies.csv `lower_is_better` agrees with `ldn.scales` for outcomes on a model scale.

Which rows are on a model scale is `ldn.evidence.model_scales.model_scale` (the one mapping).

The column is the direction of the outcome AS REPORTED (how `ldn.evidence.dataset` orients an
effect): a score on the instrument takes the scale's direction; a responder or remission
proportion on that instrument is higher-is-better (`false`) whatever the scale's direction.
"""

from __future__ import annotations

import re

import pytest

from ldn.evidence.dataset import load_studies
from ldn.evidence.model_scales import model_scale
from ldn.scales import SCALES


def _responder_outcome(rec: dict) -> bool:
    """A proportion of patients (responders, remission), not a score on the scale."""
    return (
        rec["data_type"] == "counts"
        or "proportion" in rec["scale"].lower()
        or re.search(r"respon|remission", rec["outcome"], re.IGNORECASE) is not None
    )


ROWS = [
    r for r in load_studies().to_dict(orient="records") if model_scale(r["condition"], r["scale"])
]


def _scale_code(rec: dict) -> str:
    match = model_scale(rec["condition"], rec["scale"])
    assert match is not None
    return match.column


def test_the_rows_on_a_model_scale_are_checked() -> None:
    scales = {_scale_code(r) for r in ROWS}
    assert {"cdai", "sf36_mcs", "pain_nrs", "fiqr", "pasi"} <= scales


@pytest.mark.parametrize("rec", ROWS, ids=[f"{r['study_id']}:{r['outcome'][:30]}" for r in ROWS])
def test_direction_matches_the_scale(rec: dict) -> None:
    scale = SCALES[_scale_code(rec)]
    if _responder_outcome(rec):
        assert not rec["lower_is_better"], f"{rec['study_id']}: more responders is better"
    else:
        assert bool(rec["lower_is_better"]) == scale.lower_is_better, (
            f"{rec['study_id']} ({rec['outcome']}): lower_is_better={rec['lower_is_better']} "
            f"but {scale.code} says {scale.lower_is_better}"
        )


def test_smith_2007_reports_response_rates_not_cdai_scores() -> None:
    """Its `false` is the direction of the response and remission rates reported (89 %, 67 %),
    not of the CDAI itself (lower is better there)."""
    rec = next(r for r in ROWS if r["study_id"] == "Smith2007_CD")
    assert _responder_outcome(rec) and not rec["lower_is_better"]
    assert SCALES["cdai"].lower_is_better
