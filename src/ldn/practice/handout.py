"""Patient hand-out (one-page PDF, plain language, real text) and dose calendar (RFC 5545).

`handout_pdf(plan, start, days)` and `dose_calendar(plan, start, days)` return bytes; writing
files is the caller's job (`ldn plan handout`, the web app). The PDF uses fpdf2's core
Helvetica font, so its text is extractable (`pdftotext`, pypdf); the calendar has one VEVENT per
dose day, built and serialised with `icalendar`.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Final

from ldn.errors import InputError
from ldn.practice.titration import TitrationPlan
from ldn.regimen.validate import check_count
from ldn.units import MIN_PER_H, clock_to_hours

MAX_DAYS: Final = 366
_ASCII: Final = {"–": "-", "—": "-", "≥": ">=", "≤": "<=", "µ": "u", "’": "'", "…": "..."}


def _latin1(text: str) -> str:
    """Core PDF fonts are Latin-1: replace the few typographic characters we use."""
    for a, b in _ASCII.items():
        text = text.replace(a, b)
    return text.encode("latin-1", "replace").decode("latin-1")


def _check(days: int) -> int:
    n = check_count(days, "--days", minimum=1)
    if n > MAX_DAYS:
        raise InputError(f"--days {n} is more than {MAX_DAYS}; a hand-out covers up to a year")
    return n


def dose_days(plan: TitrationPlan, start: date, days: int) -> list[tuple[date, float, str]]:
    """(date, dose_mg, how to measure) for each of the first `days` days of the plan."""
    n = _check(days)
    return [
        (start + timedelta(days=i), plan.dose_on(i + 1), plan.measure.describe(plan.dose_on(i + 1)))
        for i in range(n)
    ]


def _step_lines(plan: TitrationPlan, start: date, days: int) -> list[tuple[str, str, str]]:
    rows = []
    for s in plan.steps:
        if s.day > days:
            break
        first = start + timedelta(days=s.day - 1)
        last_day = days if s.days is None else min(days, s.day + s.days - 1)
        last = start + timedelta(days=last_day - 1)
        when = f"{first:%a %d %b} to {last:%a %d %b}"
        if s.days is None and last_day == days:
            when = f"from {first:%a %d %b} on"
        rows.append((when, f"{s.dose_mg:g} mg", plan.measure.describe(s.dose_mg)))
    return rows


def _advice(plan: TitrationPlan) -> list[tuple[str, str]]:
    from ldn.practice.rules import value

    wait = int(value("step_back_wait_days"))
    effect = (plan.step_back_on or "a side effect").replace("_", " ")
    half = "half your current dose"
    target_half = plan.half_dose(plan.target_mg)
    if target_half is not None:
        full, part = plan.measure.describe(plan.target_mg), plan.measure.describe(target_half)
        half += f" (for example {part} instead of {full})"
    return [
        (
            "What to expect",
            "Vivid dreams are common in the first weeks. Some people have trouble sleeping, "
            "headache, tiredness or feel sick. These usually settle within one to two weeks.",
        ),
        (
            "What to do",
            f"If {effect} has not settled after {wait} days, take {half} for "
            f"{plan.every_days} days, then go up again step by step as in the table. If sleep is "
            "the problem, ask us about taking the dose in the morning.",
        ),
        (
            "When to call us",
            f"If a side effect lasts more than {wait} days after halving the dose; if you need a "
            "strong painkiller (opioid such as codeine, tramadol, morphine) or an operation; if "
            "your skin or eyes turn yellow, your urine is dark or you have bad stomach pain.",
        ),
        (
            "Operations and painkillers",
            "Do not take LDN together with opioid painkillers. Tell every doctor, dentist and "
            "surgeon that you take LDN: it is usually stopped a few days before an operation.",
        ),
    ]


def handout_pdf(
    plan: TitrationPlan, start: date, days: int, *, patient: str = "", clinic: str = ""
) -> bytes:
    """The one-page plain-language hand-out as PDF bytes."""
    from fpdf import FPDF

    n = _check(days)
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=False)
    pdf.set_margins(16, 14, 16)
    pdf.add_page()
    pdf.set_title("Your LDN plan")
    pdf.set_font("Helvetica", "B", 17)
    pdf.cell(0, 9, _latin1("Your low-dose naltrexone (LDN) plan"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    who = " - ".join(x for x in (patient and f"Patient {patient}", clinic) if x)
    head = f"Starts {start:%A %d %B %Y}. Take it once a day at {plan.at}."
    pdf.multi_cell(
        0, 5, _latin1(f"{who + '. ' if who else ''}{head}"), new_x="LMARGIN", new_y="NEXT"
    )
    pdf.ln(2)
    _table(pdf, plan, _step_lines(plan, start, n))
    pdf.ln(3)
    for title, text in _advice(plan):
        pdf.set_font("Helvetica", "B", 11)
        pdf.cell(0, 6, _latin1(title), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 10)
        pdf.multi_cell(0, 5, _latin1(text), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    pdf.set_font("Helvetica", "I", 8)
    pdf.multi_cell(
        0,
        4,
        _latin1(
            f"Plan for {n} days: {plan.regimen().describe()}. Made with ldn (ldn plan handout); "
            "it does not replace your prescriber's instructions."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    if pdf.page_no() != 1:  # pragma: no cover - guarded by the row limit below
        raise InputError("the hand-out does not fit on one page; shorten --days")
    return bytes(pdf.output())


def _table(pdf: object, plan: TitrationPlan, rows: list[tuple[str, str, str]]) -> None:
    if len(rows) > 14:
        raise InputError(
            f"the plan has {len(rows)} dose steps in the chosen days; a one-page hand-out shows "
            "up to 14 (shorten --days or use larger steps)"
        )
    measure = (
        "How much" if plan.measure.liquid_mg_per_ml or plan.measure.capsule_strengths_mg else ""
    )
    widths = (78, 30, 70)
    pdf.set_font("Helvetica", "B", 10)  # type: ignore[attr-defined]
    for w, text in zip(widths, ("When", "Dose", measure), strict=True):
        pdf.cell(w, 7, _latin1(text), border=1)  # type: ignore[attr-defined]
    pdf.ln()  # type: ignore[attr-defined]
    pdf.set_font("Helvetica", "", 10)  # type: ignore[attr-defined]
    for row in rows:
        for w, text in zip(widths, row, strict=True):
            pdf.cell(w, 7, _latin1(text), border=1)  # type: ignore[attr-defined]
        pdf.ln()  # type: ignore[attr-defined]


def dose_calendar(plan: TitrationPlan, start: date, days: int, *, patient: str = "") -> bytes:
    """An RFC 5545 calendar with one 5-minute event per dose day at the plan's clock time."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//ldn//ldn plan handout//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "LDN doses" + (f" {patient}" if patient else ""))
    minutes_after_midnight = round(clock_to_hours(plan.at) * MIN_PER_H)
    at = time(*divmod(minutes_after_midnight, 60))
    stamp = datetime.combine(start, time(0, 0))
    for i, (day, dose_mg, how) in enumerate(dose_days(plan, start, days), start=1):
        event = Event()
        event.add("uid", f"ldn-{start.isoformat()}-{i}-{patient or 'patient'}@ldn.local")
        event.add("dtstamp", stamp)
        event.add("dtstart", datetime.combine(day, at))
        event.add("duration", timedelta(minutes=5))
        event.add("summary", f"LDN {dose_mg:g} mg ({how})")
        event.add("description", f"Day {i} of your LDN plan: take {how} ({dose_mg:g} mg).")
        cal.add_component(event)
    return bytes(cal.to_ical())
