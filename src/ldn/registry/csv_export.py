"""CSV export of a clinic's registry data, in the import format of `ldn.registry.import_export`.

`export_csv(session=, actor=, clinic_id=, raw=False)` writes every record the actor may export
(researchers get free text blanked). By default a cell that a spreadsheet would run as a
formula — one starting with `=`, `+`, `-`, `@`, a tab or a carriage return — gets a leading
`'` (`ldn.spreadsheet.neutralise_cell`), so a file opened in Excel or LibreOffice cannot execute
what a note says. `raw=True` writes the stored values unchanged: use it to move data between
registries (an export imports into an empty clinic unchanged only when raw).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ldn.regimen.titration_text import format_titration_records
from ldn.registry.import_export import COLUMNS, resolve_clinic
from ldn.registry.models import AdverseEvent, Patient, Prescription
from ldn.registry.permissions import ActorLike, is_pseudonymised, require
from ldn.spreadsheet import neutralise_cell


def _fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value) if value != int(value) else f"{value:.1f}"
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def export_rows(
    *, session: Session, actor: ActorLike, clinic_id: int | None = None
) -> Iterable[dict[str, str]]:
    """The clinic's records as CSV rows (dicts keyed by `COLUMNS`)."""
    clinic_id = resolve_clinic(session, actor, clinic_id)
    require(actor, "read", "export", clinic_id=clinic_id)
    blank = is_pseudonymised(actor)
    stmt = select(Patient).where(Patient.clinic_id == clinic_id).order_by(Patient.code)
    for p in session.scalars(stmt):
        yield {
            "record_type": "patient",
            "patient_code": p.code,
            "birth_year": str(p.birth_year),
            "sex": p.sex,
            "conditions": ";".join(p.conditions),
        }
        for rx in sorted(p.prescriptions, key=lambda x: (x.start_date, x.id)):
            cells = _prescription_cells(rx, blank)
            yield _record("prescription", p.code, None if blank else rx.notes, **cells)
        for a in sorted(p.assessments, key=lambda x: (x.assessed_on, x.id)):
            cells = {"scale": a.scale, "value": _fmt(a.value), "assessed_on": _fmt(a.assessed_on)}
            yield _record("assessment", p.code, None if blank else a.notes, **cells)
        for ae in sorted(p.adverse_events, key=lambda x: (x.onset_date, x.id)):
            cells = _adverse_event_cells(ae)
            yield _record("adverse_event", p.code, None if blank else ae.notes, **cells)


def _prescription_cells(rx: Prescription, blank: bool) -> dict[str, str]:
    """A prescription's CSV cells (the stop reason blank for a pseudonymised reader)."""
    return {
        "ref": f"rx{rx.id}",
        "dose_mg": _fmt(rx.dose_mg),
        "clock_time": rx.clock_time,
        "formulation": rx.formulation,
        "titration": format_titration_records(rx.titration),
        "start_date": _fmt(rx.start_date),
        "stop_date": _fmt(rx.stop_date),
        "stop_reason": "" if blank else _fmt(rx.stop_reason),
    }


def _adverse_event_cells(ae: AdverseEvent) -> dict[str, str]:
    """An adverse event's CSV cells; its prescription as the `ref` of that prescription's row."""
    return {
        "event_type": ae.event_type,
        "severity": ae.severity,
        "onset_date": _fmt(ae.onset_date),
        "end_date": _fmt(ae.end_date),
        "prescription_ref": f"rx{ae.prescription_id}" if ae.prescription_id else "",
    }


def _record(record_type: str, patient_code: str, notes: str | None, **cells: str) -> dict[str, str]:
    """One CSV row of a patient's record: type and patient first, notes last."""
    return {"record_type": record_type, "patient_code": patient_code, **cells, "notes": _fmt(notes)}


def write_csv(rows: Iterable[Mapping[str, str]], *, raw: bool = False) -> str:
    """Rows as CSV text with the full header; formula-like cells neutralised unless `raw`."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, restval="", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row if raw else {k: neutralise_cell(v) for k, v in row.items()})
    return buf.getvalue()


def export_csv(
    *, session: Session, actor: ActorLike, clinic_id: int | None = None, raw: bool = False
) -> str:
    """The clinic's records as CSV text in the import format.

    By default every cell a spreadsheet would read as a formula gets a leading `'`
    (`neutralise_cell`), so the file is safe to open; `raw=True` writes the stored values
    unchanged, which is what a round trip (export, then import elsewhere) needs.
    """
    rows = export_rows(session=session, actor=actor, clinic_id=clinic_id)
    return write_csv(rows, raw=raw)
