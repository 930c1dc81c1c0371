"""Hand-out PDF (one page, extractable text) and RFC 5545 calendar (validated by icalendar)."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest
from icalendar import Calendar
from pypdf import PdfReader
from typer.testing import CliRunner

from ldn.cli.main import app
from ldn.errors import InputError
from ldn.practice.handout import dose_calendar, handout_pdf
from ldn.practice.titration import titration_plan

START = date(2026, 12, 1)


@pytest.fixture()
def plan() -> object:
    return titration_plan(
        start_mg=1.5,
        step_mg=1.5,
        every_days=7,
        target_mg=4.5,
        liquid_mg_per_ml=1,
        step_back_on="insomnia",
    )


def test_pdf_is_one_page_of_plain_text(plan: object) -> None:
    pdf = handout_pdf(plan, START, 28, patient="P-0001")  # type: ignore[arg-type]
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    for phrase in (
        "Your low-dose naltrexone",
        "22:00",
        "1.5 mL",
        "3 mL",
        "4.5 mL",
        "Vivid dreams",
        "When to call us",
        "insomnia",
        "P-0001",
        "Tue 01 Dec",
    ):
        assert phrase in text, phrase


def test_pdf_text_with_pdftotext_when_installed(plan: object, tmp_path: Path) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed; pypdf covers extraction")
    path = tmp_path / "plan.pdf"
    path.write_bytes(handout_pdf(plan, START, 28))  # type: ignore[arg-type]
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    assert "4.5 mL" in out.stdout


def test_calendar_has_one_event_per_dose_day(plan: object) -> None:
    cal = Calendar.from_ical(dose_calendar(plan, START, 28))  # type: ignore[arg-type]
    assert cal["VERSION"] == "2.0" and cal["PRODID"]
    events = list(cal.walk("VEVENT"))
    assert len(events) == 28
    assert len({str(e["UID"]) for e in events}) == 28
    starts = [e.decoded("DTSTART") for e in events]
    assert starts[0] == datetime(2026, 12, 1, 22, 0)
    assert starts[-1] == datetime(2026, 12, 28, 22, 0)
    summaries = [str(e["SUMMARY"]) for e in events]
    assert summaries[0] == "LDN 1.5 mg (1.5 mL)" and summaries[14] == "LDN 4.5 mg (4.5 mL)"
    for e in events:
        assert e.get("DTSTAMP") is not None


def test_too_many_steps_for_one_page_is_refused() -> None:
    slow = titration_plan(start_mg=0.25, step_mg=0.25, every_days=2, target_mg=6)
    with pytest.raises(InputError, match="one-page"):
        handout_pdf(slow, START, 60)


def test_cli_writes_pdf_and_ics(tmp_path: Path) -> None:
    pdf, ics = tmp_path / "plan.pdf", tmp_path / "plan.ics"
    r = CliRunner().invoke(
        app,
        [
            "plan",
            "handout",
            "--start-mg",
            "1.5",
            "--step-mg",
            "1.5",
            "--every-days",
            "7",
            "--target-mg",
            "4.5",
            "--liquid-mg-per-ml",
            "1",
            "--days",
            "21",
            "--start",
            "2026-12-01",
            "--out",
            str(pdf),
            "--ics",
            str(ics),
        ],
    )
    assert r.exit_code == 0, r.output
    assert len(PdfReader(pdf).pages) == 1
    assert len(list(Calendar.from_ical(ics.read_bytes()).walk("VEVENT"))) == 21
    bad = CliRunner().invoke(
        app,
        [
            "plan",
            "handout",
            "--start-mg",
            "1.5",
            "--step-mg",
            "1.5",
            "--target-mg",
            "4.5",
            "--out",
            str(tmp_path / "plan.txt"),
        ],
    )
    assert isinstance(bad.exception, InputError) and ".pdf" in str(bad.exception)


def test_the_longest_allowed_plan_still_fits_one_page() -> None:
    plan = titration_plan(
        start_mg=0.25,
        step_mg=0.25,
        every_days=2,
        target_mg=3.5,
        liquid_mg_per_ml=1,
        step_back_on="vivid_dreams",
    )
    assert len(plan.steps) == 14
    pdf = handout_pdf(plan, START, 40, patient="P-0001", clinic="Clinic A")
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
