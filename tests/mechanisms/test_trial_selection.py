"""Which randomised trials the calibration fits (one result each), and why the others are not."""

from __future__ import annotations

import pandas as pd
import pytest
from scipy import stats

from ldn.evidence.dataset import load_studies
from ldn.mechanisms.data import MEDIAN_NOTE, calibration_trials, skipped_trials

# (study, condition, model scale, likelihood) of every fitted trial, published <= 2024
FITTED = {
    ("Smith2011_CD", "crohns", "cdai", "binomial"),
    ("Cree2010_MS", "ms", "sf36_mcs", "normal"),
    ("Bruun2024_FINAL_FM", "fibromyalgia", "pain_nrs", "normal"),
    ("Younger2013_FM", "fibromyalgia", "pain_nrs", "normal"),
    ("Bested2023_FM", "fibromyalgia", "fiqr", "normal"),
}
# randomised placebo-controlled trials in a modelled condition that are not fitted, and why
NOT_FITTED = {
    "Smith2013_pedCD": "single-arm (pre-post) change only",
    "Sharafaddinzadeh2010_MS": "no numeric LDN − placebo result",
    "BJAnesth2022_FM_tDCS": "no numeric LDN − placebo result",
    "Bruun2025_FINAL_FM_CPM": "exploratory",
    "INNOVA_NCT04739995": "no numeric LDN − placebo result",
    "ACTRN12623000172606_FM": "no numeric LDN − placebo result",
    "LDNCrohn_NL9259": "no numeric LDN − placebo result",
}


def test_exactly_these_trials_are_fitted_one_result_each() -> None:
    used, skipped = calibration_trials()
    assert {(t.study_id, t.condition, t.column, t.kind) for t in used} == FITTED
    assert len({t.study_id for t in used}) == len(used)  # one result per trial
    assert all(t.role == "fit" for t in used)
    why = skipped_trials(used, skipped)
    modelled = {s for s, reason in why.items() if "not modelled" not in reason}
    modelled -= {s for s, reason in why.items() if "not placebo" in reason}
    assert modelled == set(NOT_FITTED)
    for study, reason in NOT_FITTED.items():
        assert reason in why[study], (study, why[study])


def test_a_trial_whose_primary_is_not_a_model_scale_uses_its_co_primary() -> None:
    """Bested 2023: SPIR (primary) has no model scale; the FIQR co-primary row is used."""
    used, skipped = calibration_trials()
    bested = next(t for t in used if t.study_id == "Bested2023_FM")
    assert "co-primary" in bested.outcome and bested.crossover and bested.weeks == 3.0
    # median difference −1.65 (FIQR), P = 0.3, 58 patients: SE from the paired t on 57 df
    assert bested.observed == -1.65 and bested.note == MEDIAN_NOTE
    assert bested.se == pytest.approx(1.65 / stats.t.ppf(0.85, 57))
    assert ("Bested2023_FM", "Summed pain intensity ratings (co-primary)") in {
        (s, o) for s, o, _ in skipped
    }
    # the others keep their primary row: no note
    assert all(t.note == "" for t in used if t.study_id != "Bested2023_FM")


def test_the_primary_row_wins_and_a_later_row_is_skipped_as_a_second_result() -> None:
    studies = load_studies()
    rows = studies[studies["study_id"] == "Bruun2024_FINAL_FM"].copy()
    used, skipped = calibration_trials(rows)
    assert [t.outcome for t in used] == [rows.iloc[0]["outcome"]]
    reasons = {o: r for _, o, r in skipped}
    assert "one per trial" in reasons["Responders: >30% pain reduction"]
    assert "harm" in reasons["Discontinuation due to intolerable side effects"]
    # without the primary row: the responder row (> 30 % pain reduction, a relative threshold
    # the binomial likelihood does not simulate) is tried next, and nothing is fitted
    used, skipped = calibration_trials(rows[~rows["primary_smd"]])
    assert used == [] and "can simulate" in skipped[0][2] and "Responders" in skipped[0][1]


def test_a_null_trial_without_numbers_is_not_fitted_as_zero() -> None:
    studies = load_studies()
    rows = studies[studies["study_id"] == "Sharafaddinzadeh2010_MS"]
    used, skipped = calibration_trials(pd.DataFrame(rows))
    assert used == [] and "no numeric" in skipped[0][2]
