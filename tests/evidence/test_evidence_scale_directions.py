"""studies.csv `lower_is_better` agrees with `ldn.scales` for outcomes on a known scale.

The column is the direction of the outcome AS REPORTED (how `ldn.evidence.dataset` orients an
effect): a score on the instrument takes the scale's direction; a responder or remission
proportion on that instrument is higher-is-better (`false`) whatever the scale's direction.
"""

from __future__ import annotations

import re

import pytest

from ldn.evidence.dataset import load_studies
from ldn.scales import SCALES

# The dataset's `scale` cells that name a scale of `ldn.scales`.
KNOWN: dict[str, str] = {
    "CDAI": "cdai",
    "CDAI responders (proportion)": "cdai",
    "SF-36 MCS": "sf36_mcs",
    "NRS 0-10": "pain_nrs",
    "NRS pain responders": "pain_nrs",
    "daily pain (% of baseline)": "pain_nrs",
    "FIQR": "fiqr",
    "PASI": "pasi",
}
# A `scale` cell with one of these words names a known scale and must be listed in KNOWN.
_MENTIONS = re.compile(r"\b(CDAI|PASI|FIQR|DAS28|SLEDAI|MFIS|MSIS-29|MCS|NRS)\b")


def _responder_outcome(rec: dict) -> bool:
    """A proportion of patients (responders, remission), not a score on the scale."""
    return (
        rec["data_type"] == "counts"
        or "proportion" in rec["scale"].lower()
        or re.search(r"respon|remission", rec["outcome"], re.IGNORECASE) is not None
    )


ROWS = [r for r in load_studies().to_dict(orient="records") if r["scale"] in KNOWN]


def test_every_row_naming_a_known_scale_is_checked() -> None:
    studies = load_studies()
    named = {s for s in studies["scale"] if _MENTIONS.search(s)}
    assert named <= set(KNOWN), f"map these scale cells in KNOWN: {sorted(named - set(KNOWN))}"
    assert set(KNOWN) <= set(studies["scale"])  # no stale entry: every name is still used


@pytest.mark.parametrize("rec", ROWS, ids=[f"{r['study_id']}:{r['outcome'][:30]}" for r in ROWS])
def test_direction_matches_the_scale(rec: dict) -> None:
    scale = SCALES[KNOWN[rec["scale"]]]
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
