"""Cohort tables (pure, over DataFrames): dose bands, intervals, responders, AEs, HTML, CSV."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ldn.analysis.cohort import (
    DOSE_BANDS,
    build_report,
    course_from_frames,
    dose_band,
    exposure_months,
    poisson_rate_ci,
)
from ldn.analysis.course import NOf1Settings
from ldn.analysis.frames import RegistryFrames
from ldn.errors import InputError
from ldn.report.cohort_html import render_cohort_html
from ldn.stats import wilson_interval

D0 = pd.Timestamp("2025-01-01")

SETTINGS = NOf1Settings.from_parameters()


def _frames(seed: int = 1) -> RegistryFrames:
    """Six patients: 3 strong RA responders, 1 RA non-responder, 1 Crohn's with too few
    assessments, 1 fibromyalgia patient on 1.5 mg with a stopped prescription."""
    rng = np.random.default_rng(seed)
    patients = pd.DataFrame(
        {
            "patient_id": [1, 2, 3, 4, 5, 6],
            "code": ["P-1", "P-2", "P-3", "P-4", "P-5", "P-<6>"],
            "clinic_id": [1, 1, 1, 2, 2, 2],
            "conditions": ["ra", "ra", "ra;fibromyalgia", "ra", "crohns", "fibromyalgia"],
        }
    )
    rx_rows, a_rows = [], []
    for pid, dose, effect, scale, n in [
        (1, 4.5, -2.5, "das28", 10),
        (2, 4.5, -2.5, "das28", 10),
        (3, 3.0, -2.5, "das28", 10),
        (4, 4.5, 0.0, "das28", 10),
        (5, 4.5, -100.0, "cdai", 3),
        (6, 1.5, -15.0, "fiqr", 9),
    ]:
        start = D0 + pd.Timedelta(days=90)
        stop = D0 + pd.Timedelta(days=300) if pid == 6 else pd.NaT
        rx_rows.append((pid, dose, start, stop))
        days = np.arange(n) * 33 + rng.integers(0, 5, size=n)  # roughly monthly visits
        base = {"das28": 5.5, "cdai": 300.0, "fiqr": 60.0}[scale]
        noise = {"das28": 0.3, "cdai": 20.0, "fiqr": 4.0}[scale]
        for d in days:
            when = D0 + pd.Timedelta(days=int(d))
            on = start < when <= (stop if pid == 6 else when)
            a_rows.append((pid, scale, base + effect * on + rng.normal(0, noise), when))
    prescriptions = pd.DataFrame(
        rx_rows, columns=["patient_id", "dose_mg", "start_date", "stop_date"]
    )
    assessments = pd.DataFrame(a_rows, columns=["patient_id", "scale", "value", "assessed_on"])
    aes = pd.DataFrame(
        [
            (1, "vivid_dreams", "mild", D0 + pd.Timedelta(days=100)),
            (1, "vivid_dreams", "mild", D0 + pd.Timedelta(days=130)),
            (2, "insomnia", "moderate", D0 + pd.Timedelta(days=95)),
            (6, "headache", "severe", D0 + pd.Timedelta(days=200)),
        ],
        columns=["patient_id", "event_type", "severity", "onset_date"],
    )
    return RegistryFrames(patients, prescriptions, assessments, aes)


@pytest.mark.parametrize(
    ("dose", "band"),
    [(0.5, 0), (1.49, 0), (1.5, 1), (2.99, 1), (3.0, 2), (4.49, 2), (4.5, 3), (4.51, 4), (6, 4)],
)
def test_dose_bands(dose, band):
    assert dose_band(dose) == DOSE_BANDS[band]


def test_wilson_interval_matches_the_formula():
    k, n, z = 7, 20, stats.norm.ppf(0.975)
    p = k / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    assert wilson_interval(k, n) == pytest.approx((centre - half, centre + half), abs=1e-12)
    assert all(math.isnan(x) for x in wilson_interval(0, 0))
    assert wilson_interval(0, 5)[0] == 0.0 and wilson_interval(5, 5)[1] == 1.0


def test_poisson_interval_exact_values():
    # Garwood: 0 events → upper 3.689 per unit exposure; 5 events → (1.6235, 11.6683)
    assert poisson_rate_ci(0, 1.0) == pytest.approx((0.0, 3.6889), abs=1e-4)
    assert poisson_rate_ci(5, 10.0) == pytest.approx((0.16235, 1.16683), abs=1e-5)


def test_frames_need_their_columns():
    f = _frames()
    with pytest.raises(InputError, match=r"assessments table lacks column\(s\) \['value'\]"):
        RegistryFrames(
            f.patients, f.prescriptions, f.assessments.drop(columns="value"), f.adverse_events
        )


def test_course_from_frames_averages_same_day_and_orders():
    f = _frames()
    dup = f.assessments.iloc[[0]].assign(value=f.assessments["value"].iloc[0] + 1.0)
    frames = RegistryFrames(
        f.patients, f.prescriptions, pd.concat([dup, f.assessments[::-1]]), f.adverse_events
    )
    course = course_from_frames(frames, 1, "das28")
    assert np.all(np.diff(course.dates.astype("int64")) > 0)
    assert course.values.size == 10
    assert course.periods[0][1] is None and course.doses_mg == (4.5,)


def test_responders_by_condition_and_dose():
    report = build_report(_frames(), SETTINGS)
    pats = report.patients.set_index("code")
    assert list(pats.loc[["P-1", "P-2", "P-3"], "status"]) == ["responder"] * 3
    assert pats.at["P-4", "status"] == "non-responder"
    assert pats.at["P-5", "status"] == "not evaluable"
    assert "at least 2 assessments" in pats.at["P-5", "reason"]
    tab = report.responders.set_index(["condition", "scale", "dose_band"])
    ra_all = tab.loc[("ra", "das28", "all doses")]
    assert (ra_all.n_evaluable, ra_all.n_responders) == (4, 3)
    assert (ra_all.ci95_low, ra_all.ci95_high) == pytest.approx(wilson_interval(3, 4))
    assert tab.loc[("ra", "das28", "4.5 mg")].n_evaluable == 3
    assert tab.loc[("ra", "das28", "3–<4.5 mg")].n_responders == 1
    crohns = tab.loc[("crohns", "cdai", "all doses")]
    assert (crohns.n_evaluable, crohns.n_not_evaluable) == (0, 1)
    assert math.isnan(crohns.responder_rate)
    # P-3 has two conditions: counted under both (its DAS28 series)
    assert tab.loc[("fibromyalgia", "das28", "all doses")].n_responders == 1


def test_adverse_events_per_patient_and_per_exposure():
    frames = _frames()
    report = build_report(frames, SETTINGS)
    months = exposure_months(frames, report.as_of)
    # P-6 stopped after 210 days; the others run from day 90 to the last date
    assert months[6] == pytest.approx(210 / 30.4375)
    ae = report.adverse_events.set_index("event_type")
    assert ae.at["vivid_dreams", "n_events"] == 2
    assert ae.at["vivid_dreams", "n_patients_with_event"] == 1
    assert ae.at["any", "n_patients_with_event"] == 3
    assert ae.at["any", "n_patients_exposed"] == 6
    assert ae.at["any", "proportion"] == pytest.approx(0.5)
    total = months.sum()
    assert ae.at["any", "rate_per_100_pm"] == pytest.approx(400 / total)
    _, hi = poisson_rate_ci(4, total)
    assert ae.at["any", "rate_ci95_high"] == pytest.approx(100 * hi)
    assert ae.at["headache", "n_severe"] == 1


def test_side_by_side_without_and_with_evidence():
    frames = _frames()
    plain = build_report(frames, SETTINGS)
    assert set(plain.side_by_side()["trial_evidence"]) == {"no pooled trial evidence"}
    evidence = pd.DataFrame(
        {
            "condition": ["fibromyalgia", "ms"],
            "k": [2, 3],
            "estimate": [-0.4, -0.2],
            "ci_low": [-0.8, -0.5],
            "ci_high": [-0.05, 0.1],
            "i2": [0.1, 0.0],
            "certainty": ["low", "very low"],
        }
    )
    rep = build_report(frames, SETTINGS, evidence=evidence, evidence_note="pooled SMD")
    assert list(rep.evidence["condition"]) == ["fibromyalgia"]  # ms not in the cohort
    sbs = rep.side_by_side().set_index(["condition", "scale"])
    assert sbs.at[("fibromyalgia", "fiqr"), "trial_estimate"] == -0.4
    assert sbs.at[("fibromyalgia", "fiqr"), "trial_certainty"] == "low"  # GRADE next to it
    assert sbs.at[("ra", "das28"), "trial_evidence"] == "no pooled trial evidence"


def test_csv_and_html_report(tmp_path):
    report = build_report(_frames(), SETTINGS)
    paths = report.to_csv(tmp_path / "csv")
    names = sorted(p.name for p in paths)
    assert names == [
        "cohort_adverse_events.csv",
        "cohort_patients.csv",
        "cohort_responders.csv",
        "cohort_side_by_side.csv",
    ]
    back = pd.read_csv(tmp_path / "csv" / "cohort_responders.csv")
    assert len(back) == len(report.responders)
    html = render_cohort_html(report)
    assert html.count("data:image/png;base64,") == 2
    for heading in ("Responders by condition and dose", "Adverse events", "pooled trial evidence"):
        assert heading in html
    assert "P-&lt;6&gt;" in html and "P-<6>" not in html  # codes are escaped
    assert "EULAR response criteria" in html  # MID source shown
    assert "<script" not in html


def test_empty_registry_is_reported_clearly():
    f = _frames()
    empty = RegistryFrames(f.patients.iloc[:0], f.prescriptions.iloc[:0], f.assessments.iloc[:0],
                           f.adverse_events.iloc[:0])  # fmt: skip
    with pytest.raises(InputError, match="no dated records yet"):
        build_report(empty)
    report = build_report(empty, as_of=np.datetime64("2025-06-01"))
    assert report.responders.empty and report.patients.empty
    assert "No evaluable patients yet" in render_cohort_html(report)


def test_csv_tables_cannot_run_formulas(tmp_path):
    """A patient code or adverse-event text typed as a formula is written with a leading `'`
    (CSV injection); numbers, including negative ones, stay numbers."""
    frames = _frames()
    frames.patients.loc[0, "code"] = '=HYPERLINK("http://x.example","P-1")'
    frames.adverse_events.loc[2, "event_type"] = "@SUM(1+1)"
    report = build_report(frames, SETTINGS)
    report.to_csv(tmp_path)
    patients = pd.read_csv(tmp_path / "cohort_patients.csv", dtype=str)
    text = "".join(p.read_text() for p in tmp_path.glob("*.csv"))
    assert "'=HYPERLINK" in text and "'@SUM" in text
    cells = [v for v in patients.to_numpy().ravel() if isinstance(v, str)]
    assert cells and not any(v.startswith(("=", "@")) for v in cells)
    responders = pd.read_csv(tmp_path / "cohort_responders.csv")
    assert pd.api.types.is_float_dtype(responders["mean_improvement_in_mid"])
