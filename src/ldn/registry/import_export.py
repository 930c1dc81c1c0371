"""CSV import and export of a clinic's registry data, in one wide format.

Every row has a `record_type`: `patient`, `prescription`, `assessment` or `adverse_event`;
each record type uses the columns listed in `COLUMNS_BY_TYPE` and leaves the others empty.
Rows refer to their patient by `patient_code` (unique within the clinic); an adverse event can
point at a prescription of the same file through `prescription_ref` = that prescription's
`ref`. `conditions` is ';'-separated ("ra;ms"); `titration` is written as everywhere,
"1.5:7,3:7" (dose_mg:days steps; the old "1.5x7;3x7" is still read, and the import's summary
lists each such row as a note naming the new spelling). Dates are ISO (2024-01-31). Example:

    record_type,patient_code,birth_year,sex,conditions,ref,dose_mg,clock_time,...
    patient,P-0001,1970,female,ra,,,,...
    prescription,P-0001,,,,rx1,4.5,22:00,...
    assessment,P-0001,,,,,,,...,das28,5.1,2024-01-01,...

Import is all-or-nothing: the whole file is checked first, and every problem is reported as
"row N, column X: message" (N is the line number in the file, the header being row 1);
nothing is written unless the file is clean, and then everything is written in one
transaction with one audit row per created record. Export writes the same format (so an
export imports into an empty clinic unchanged); researchers get free text blanked.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from ldn.errors import InputError
from ldn.regimen.titration_text import titration_records
from ldn.registry._common import audited_create, commit
from ldn.registry.errors import NotFound
from ldn.registry.models import (
    AdverseEvent,
    Assessment,
    Clinic,
    Patient,
    PatientCondition,
    Prescription,
)
from ldn.registry.permissions import ActorLike, require
from ldn.registry.schemas import (
    MAX_TEXT_CHARS,
    AdverseEventCreate,
    AssessmentCreate,
    PatientCreate,
    PrescriptionCreate,
    error_messages,
)

COLUMNS_BY_TYPE: Final[dict[str, tuple[str, ...]]] = {
    "patient": ("birth_year", "sex", "conditions"),
    "prescription": (
        "ref",
        "dose_mg",
        "clock_time",
        "formulation",
        "titration",
        "start_date",
        "stop_date",
        "stop_reason",
        "notes",
    ),
    "assessment": ("scale", "value", "assessed_on", "notes"),
    "adverse_event": (
        "event_type",
        "severity",
        "onset_date",
        "end_date",
        "prescription_ref",
        "notes",
    ),
}
COLUMNS: Final = (  # the file's header: every record type's columns, notes last
    "record_type",
    "patient_code",
    *dict.fromkeys(c for cols in COLUMNS_BY_TYPE.values() for c in cols if c != "notes"),
    "notes",
)
_SCHEMAS: Final[dict[str, type[BaseModel]]] = {
    "patient": PatientCreate,
    "prescription": PrescriptionCreate,
    "assessment": AssessmentCreate,
    "adverse_event": AdverseEventCreate,
}
MAX_ROWS: Final = 200_000


@dataclass(frozen=True, slots=True)
class CsvProblem:
    """One problem in an import file."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column}: {self.message}"


class CsvImportError(InputError):
    """An import file was rejected; `problems` lists every problem found."""

    def __init__(self, problems: list[CsvProblem]) -> None:
        self.problems = problems
        shown = "\n".join(f"  {p}" for p in problems[:50])
        more = f"\n  … and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(
            f"import rejected, nothing was written ({len(problems)} problem"
            f"{'s' if len(problems) != 1 else ''}):\n{shown}{more}"
        )

    @property
    def headline(self) -> str:
        """One line: how many problems and the first of them (with its row and column)."""
        n = len(self.problems)
        return (
            f"import rejected, nothing was written ({n} problem{'s' if n != 1 else ''}; "
            f"first: {self.problems[0]})"
        )


@dataclass(frozen=True, slots=True)
class CsvNote(CsvProblem):
    """A row that was imported but should be written differently (an old titration spelling)."""


@dataclass(frozen=True, slots=True)
class ParsedRow:
    """A validated CSV row: its record type, line number, patient code and values."""

    line: int
    record_type: str
    patient_code: str
    values: BaseModel
    ref: str = ""
    prescription_ref: str = ""
    notes: tuple[CsvNote, ...] = field(default=(), compare=False)


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """How many records of each type an import created; `notes`: rows to write differently."""

    created: dict[str, int] = field(default_factory=dict)
    notes: tuple[CsvNote, ...] = ()

    @property
    def total(self) -> int:
        return sum(self.created.values())


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(";") if part.strip()]


def _titration(text: str, notes: list[str]) -> list[dict[str, float | int]]:
    """The `titration` cell, written as everywhere else: "1.5:7,3:7" (old "1.5x7;3x7" is read,
    its deprecation message appended to `notes`)."""
    try:
        return titration_records(text, what="titration", on_deprecated=notes.append)
    except InputError as exc:
        raise ValueError(str(exc)) from None


def _row_fields(record_type: str, raw: Mapping[str, str], notes: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for col in COLUMNS_BY_TYPE[record_type]:
        val = (raw.get(col) or "").strip()
        if col in ("ref", "prescription_ref") or val == "":
            continue
        if col == "conditions":
            out[col] = _split(val)
        elif col == "titration":
            out[col] = _titration(val, notes)
        else:
            out[col] = val
    if record_type == "patient":
        out["code"] = (raw.get("patient_code") or "").strip()
    return out


def _csv_records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(line where the record starts, fields) of each non-blank record; strict quoting.

    A malformed record (an unterminated quote, a stray quote inside a quoted field, a field
    longer than `csv.field_size_limit()`) raises `CsvImportError` naming its first line:
    nothing after it could be read reliably.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    start = 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise CsvImportError([CsvProblem(start, "record_type", _csv_error(exc))]) from None
        if any(f.strip() for f in fields):
            yield start, fields
        start = reader.line_num + 1


def _csv_error(exc: csv.Error) -> str:
    reason = str(exc)
    if "unexpected end of data" in reason:
        return (
            "a quoted field that starts on this line is never closed (a '\"' is missing), so "
            "the rest of the file cannot be read; close the quote or remove it"
        )
    if "field larger than field limit" in reason:
        return (
            f"a field is longer than {csv.field_size_limit()} characters (the longest text "
            f"field takes {MAX_TEXT_CHARS}); shorten it"
        )
    return (
        f"the line is not valid CSV ({reason}); a field with a '\"' inside must be quoted "
        'and its quotes doubled, e.g. "say ""hi"""'
    )


def parse_csv(text: str) -> list[ParsedRow]:
    """Validate an import file without touching the database; CsvImportError lists problems."""
    problems: list[CsvProblem] = []
    records = _csv_records(text.removeprefix("\ufeff"))
    first = next(records, None)
    header = [h.strip() for h in first[1]] if first else []
    if not header:
        raise CsvImportError([CsvProblem(1, "record_type", "the file is empty; expected a header")])
    unknown = [h for h in header if h not in COLUMNS]
    if unknown or "record_type" not in header or "patient_code" not in header:
        msg = (
            f"unknown column(s) {', '.join(map(repr, unknown))}"
            if unknown
            else "the header must contain record_type and patient_code"
        )
        column = unknown[0] if unknown else "record_type"
        allowed = f"{msg}; allowed columns: {', '.join(COLUMNS)}"
        raise CsvImportError([CsvProblem(1, column, allowed)])
    rows: list[ParsedRow] = []
    refs: dict[tuple[str, str], int] = {}
    try:
        for count, (line, fields) in enumerate(records, start=1):
            if count > MAX_ROWS:
                problems.append(CsvProblem(line, "record_type", f"more than {MAX_ROWS} rows"))
                break
            if len(fields) > len(header):
                problems.append(CsvProblem(line, "record_type", "more fields than header columns"))
                continue
            raw = dict(zip(header, fields, strict=False))
            _parse_row(line, header, raw, rows, refs, problems)
    except CsvImportError as exc:  # malformed CSV: report it with what was found before it
        raise CsvImportError(problems + exc.problems) from None
    if problems:
        raise CsvImportError(problems)
    return rows


def _parse_row(
    line: int,
    header: list[str],
    raw: dict[str, str],
    rows: list[ParsedRow],
    refs: dict[tuple[str, str], int],
    problems: list[CsvProblem],
) -> None:
    """Validate one record; append it to `rows` or its problems to `problems`."""
    rtype = (raw.get("record_type") or "").strip().lower()
    code = (raw.get("patient_code") or "").strip()
    if rtype not in COLUMNS_BY_TYPE:
        problems.append(
            CsvProblem(
                line,
                "record_type",
                f"{rtype!r} is not one of {', '.join(COLUMNS_BY_TYPE)}",
            )
        )
        return
    if not code:
        problems.append(CsvProblem(line, "patient_code", "is empty; every row needs one"))
        return
    stray = [
        c
        for c in header
        if c not in ("record_type", "patient_code", *COLUMNS_BY_TYPE[rtype])
        and (raw.get(c) or "").strip()
    ]
    for col in stray:
        problems.append(CsvProblem(line, col, f"must be empty for a {rtype} row"))
    notes: list[str] = []
    try:
        values = _SCHEMAS[rtype].model_validate(_row_fields(rtype, raw, notes))
    except ValidationError as exc:
        for loc, msg in error_messages(exc):
            col = loc.split(".")[0]
            col = "patient_code" if col == "code" else col
            problems.append(CsvProblem(line, col if col in COLUMNS else "record_type", msg))
        return
    except ValueError as exc:  # titration text that is not dose_mg:days steps
        problems.append(CsvProblem(line, "titration", str(exc)))
        return
    ref = (raw.get("ref") or "").strip()
    pref = (raw.get("prescription_ref") or "").strip()
    if rtype == "prescription" and ref:
        if (code, ref) in refs:
            problems.append(CsvProblem(line, "ref", f"{ref!r} is used twice for {code}"))
        refs[(code, ref)] = line
    if rtype == "adverse_event" and pref and (code, pref) not in refs:
        problems.append(
            CsvProblem(
                line,
                "prescription_ref",
                f"{pref!r} is not the ref of an earlier prescription row of patient {code}",
            )
        )
    row_notes = tuple(CsvNote(line, "titration", n) for n in notes)
    rows.append(ParsedRow(line, rtype, code, values, ref, pref, row_notes))


def resolve_clinic(session: Session, actor: ActorLike, clinic_id: int | None) -> int:
    if clinic_id is None:
        if actor.clinic_id is not None:
            return actor.clinic_id
        ids = list(session.scalars(select(Clinic.id)))
        if len(ids) != 1:
            raise InputError("say which clinic: there are several (use --clinic or clinic_id)")
        return ids[0]
    if session.get(Clinic, clinic_id) is None:
        raise NotFound(f"clinic {clinic_id} not found")
    return clinic_id


def import_csv(
    *, session: Session, actor: ActorLike, text: str, clinic_id: int | None = None
) -> ImportSummary:
    """Import a CSV file's text into a clinic, all or nothing (see the module docstring)."""
    clinic_id = resolve_clinic(session, actor, clinic_id)
    require(actor, "write", "import", clinic_id=clinic_id)
    rows = parse_csv(text)
    existing = {
        p.code: p for p in session.scalars(select(Patient).where(Patient.clinic_id == clinic_id))
    }
    problems: list[CsvProblem] = []
    new_codes = {r.patient_code: r.line for r in rows if r.record_type == "patient"}
    for r in rows:
        if r.record_type == "patient":
            if r.patient_code in existing:
                problems.append(
                    CsvProblem(
                        r.line,
                        "patient_code",
                        f"patient {r.patient_code} already exists in this clinic; leave out the "
                        "patient row to add records to them",
                    )
                )
            elif new_codes[r.patient_code] != r.line:
                problems.append(CsvProblem(r.line, "patient_code", "patient row repeated"))
        elif r.patient_code not in existing and r.patient_code not in new_codes:
            problems.append(
                CsvProblem(
                    r.line,
                    "patient_code",
                    f"unknown patient {r.patient_code}: add a patient row for it first",
                )
            )
    if problems:
        raise CsvImportError(problems)

    counts: dict[str, int] = {}
    patients = dict(existing)
    rx_by_ref: dict[tuple[str, str], Prescription] = {}
    try:
        for r in rows:
            obj = _build(r, clinic_id, patients, rx_by_ref)
            audited_create(
                session,
                actor,
                obj,
                entity=r.record_type,
                clinic_id=clinic_id,
                commit_now=False,  # one transaction for the whole file
            )
            if r.record_type == "patient":
                patients[r.patient_code] = obj
            if r.record_type == "prescription" and r.ref:
                rx_by_ref[(r.patient_code, r.ref)] = obj
            counts[r.record_type] = counts.get(r.record_type, 0) + 1
    except Exception:
        session.rollback()
        raise
    commit(session)
    return ImportSummary(created=counts, notes=tuple(n for r in rows for n in r.notes))


def _build(
    r: ParsedRow,
    clinic_id: int,
    patients: Mapping[str, Patient],
    rx_by_ref: Mapping[tuple[str, str], Prescription],
) -> Any:
    v = r.values.model_dump()
    if r.record_type == "patient":
        p = Patient(clinic_id=clinic_id, code=v["code"], birth_year=v["birth_year"], sex=v["sex"])
        p.condition_rows = [PatientCondition(condition=c) for c in v["conditions"]]
        return p
    pid = patients[r.patient_code].id
    if r.record_type == "prescription":
        return Prescription(patient_id=pid, **v)
    if r.record_type == "assessment":
        return Assessment(patient_id=pid, **v)
    rx = rx_by_ref.get((r.patient_code, r.prescription_ref)) if r.prescription_ref else None
    v["prescription_id"] = rx.id if rx is not None else None
    return AdverseEvent(patient_id=pid, **v)
