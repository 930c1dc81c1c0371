"""NONMEM-style event tables: read per-subject regimens from CSV, write regimens back.

Columns (header names case-insensitive; '.' or an empty cell means missing):

    ID    subject number (whole number); each subject's rows must be contiguous
    TIME  hours since 00:00 of day 1, >= 0, non-decreasing within a subject
    AMT   dose, mg naltrexone HCl as labelled (dose rows only)
    EVID  1 = dose, 0 = observation (ignored for dosing); resets (2, 3, 4) are not supported
    II    interval between additional doses (h); missing = 0
    ADDL  number of additional doses every II; missing = 0
    SS    1 = the first dose of the subject is at steady state of AMT every II; missing = 0
    CMT   optional; must be 1 (the oral depot) on dose rows
    RATE  optional; must be 0 (oral bolus) on dose rows
    DV, MDV and any other columns are ignored.

Every problem is a `DataFileError` naming the file, the row as a spreadsheet shows it (header =
row 1) and the column. The reader follows NONMEM: ADDL doses from one record may interleave with
later records, but two doses at the same time (within 1e-6 h) are refused.
"""

from __future__ import annotations

import io
import itertools
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import numpy as np

from ldn.errors import DataFileError, InputError
from ldn.regimen.schedule import Dosing, Regimen
from ldn.regimen.validate import SIMULTANEOUS_H, check_dose_mg

REQUIRED_COLUMNS: tuple[str, ...] = ("ID", "TIME", "AMT", "EVID", "II", "ADDL", "SS")
WRITTEN_COLUMNS: tuple[str, ...] = (*REQUIRED_COLUMNS, "CMT", "MDV")
_MISSING = ("", ".")

if TYPE_CHECKING:  # pandas is imported where a table is read or written (`ldn --help` stays light)
    import pandas as pd

Source = str | os.PathLike[str] | IO[str]


@dataclass(frozen=True, slots=True)
class _Row:
    line: int  # spreadsheet row (header = 1)
    subject: int
    time_h: float
    evid: int
    record: Dosing | None
    ss: bool


class _Table:
    """Cell access with error messages that name file, row and column."""

    def __init__(self, frame: pd.DataFrame, name: str) -> None:
        self.frame = frame
        self.name = name

    def fail(self, line: int, column: str | None, message: str) -> DataFileError:
        where = f"{self.name}, row {line}" + (f", column {column}" if column else "")
        return DataFileError(f"{where}: {message}")

    def cell(self, index: int, line: int, column: str) -> str:
        if column not in self.frame.columns:
            return ""
        return str(self.frame.at[index, column]).strip()

    def number(self, index: int, line: int, column: str, default: float | None = None) -> float:
        text = self.cell(index, line, column)
        if text in _MISSING:
            if default is None:
                raise self.fail(line, column, "value is missing; this column needs a number here.")
            return default
        try:
            value = float(text)
        except ValueError:
            raise self.fail(line, column, f"{text!r} is not a number.") from None
        if not math.isfinite(value):
            raise self.fail(line, column, f"{text!r} is not a finite number.")
        return value

    def whole(self, index: int, line: int, column: str, default: int | None = None) -> int:
        value = self.number(index, line, column, None if default is None else float(default))
        if not value.is_integer():
            raise self.fail(line, column, f"{value:g} must be a whole number.")
        return int(value)


def _load(source: Source) -> tuple[pd.DataFrame, str]:
    import pandas as pd

    if isinstance(source, str | os.PathLike):
        name = str(source)
        try:
            text = Path(source).read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise DataFileError(f"{name}: no such event table; check the path.") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise DataFileError(f"{name}: cannot read the event table ({exc}).") from None
    else:
        name = str(getattr(source, "name", "<event table>"))
        text = source.read()
    if not text.strip():
        raise DataFileError(f"{name}: the event table is empty; it needs a header row and doses.")
    header = text.lstrip("\ufeff").splitlines()[0]
    sep = "," if "," in header else r"\s+"
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            header=None,  # header read as row 0, so rows longer than it are parse errors
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            engine="python" if sep != "," else "c",
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise DataFileError(f"{name}: not a readable CSV event table ({exc}).") from None
    frame.columns = [str(c).strip().upper() for c in frame.iloc[0]]
    frame = frame.iloc[1:]  # index = spreadsheet row - 1
    duplicated = sorted({c for c in frame.columns if list(frame.columns).count(c) > 1})
    if duplicated:
        raise DataFileError(f"{name}, row 1: column {duplicated[0]} appears more than once.")
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise DataFileError(
            f"{name}, row 1: missing column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)}; an event table needs {', '.join(REQUIRED_COLUMNS)} "
            f"separated by commas (found: {', '.join(frame.columns)})."
        )
    return frame, name


def _parse_row(table: _Table, index: int, line: int) -> _Row:  # noqa: C901 (one check per NONMEM column)
    subject = table.whole(index, line, "ID")
    time_h = table.number(index, line, "TIME")
    if time_h < 0:
        raise table.fail(line, "TIME", f"{time_h:g} is negative; times are hours from 0.")
    evid = table.whole(index, line, "EVID")
    if evid == 0:
        return _Row(line, subject, time_h, evid, None, False)
    if evid != 1:
        raise table.fail(
            line,
            "EVID",
            f"EVID {evid} is not supported; use 1 for a dose or 0 for an observation "
            "(resets and other events cannot be simulated here).",
        )
    amt = table.number(index, line, "AMT")
    try:
        dose = check_dose_mg(amt, "AMT")
    except InputError as exc:
        raise table.fail(line, "AMT", str(exc)) from None
    ii_h = table.number(index, line, "II", 0.0)
    if ii_h < 0:
        raise table.fail(line, "II", f"{ii_h:g} is negative; II is the dosing interval in h.")
    addl = table.whole(index, line, "ADDL", 0)
    if addl < 0:
        raise table.fail(line, "ADDL", f"{addl} is negative; ADDL counts additional doses.")
    if addl > 0 and ii_h < SIMULTANEOUS_H:
        raise table.fail(line, "II", f"ADDL = {addl} needs II > 0 (the hours between doses).")
    ss = table.whole(index, line, "SS", 0)
    if ss not in (0, 1):
        raise table.fail(line, "SS", f"SS = {ss} is not supported; use 0 or 1.")
    if ss == 1 and ii_h <= 0:
        raise table.fail(line, "II", "SS = 1 needs II > 0 (the steady-state dosing interval).")
    cmt = table.whole(index, line, "CMT", 1)
    if cmt != 1:
        raise table.fail(line, "CMT", f"CMT = {cmt}; oral doses go to compartment 1 (the depot).")
    rate = table.number(index, line, "RATE", 0.0)
    if rate != 0:
        raise table.fail(line, "RATE", f"RATE = {rate:g}; only oral bolus doses (RATE 0) exist.")
    try:
        record = Dosing(dose_mg=dose, start_h=time_h, ii_h=ii_h, addl=addl)
    except InputError as exc:
        raise table.fail(line, "ADDL", str(exc)) from None
    return _Row(line, subject, time_h, evid, record, ss == 1)


def _subject_regimen(table: _Table, rows: list[_Row]) -> Regimen | None:
    doses = [r for r in rows if r.record is not None]
    for previous, row in itertools.pairwise(rows):
        if row.time_h < previous.time_h:
            raise table.fail(
                row.line,
                "TIME",
                f"TIME {row.time_h:g} comes before {previous.time_h:g} on row {previous.line}; "
                f"sort the rows of ID {row.subject} by TIME.",
            )
    for row in doses[1:]:
        if row.ss:
            raise table.fail(
                row.line,
                "SS",
                f"SS = 1 is allowed only on the first dose row of ID {row.subject} "
                f"(row {doses[0].line}).",
            )
    if not doses:
        return None
    records = [r.record for r in doses if r.record is not None]
    times = [rec.times(rec.last_h + 1.0) for rec in records]
    owner = np.concatenate([np.full(t.size, i) for i, t in enumerate(times)])
    flat = np.concatenate(times)
    order = np.argsort(flat, kind="stable")
    flat, owner = flat[order], owner[order]
    clash = np.flatnonzero(np.diff(flat) < SIMULTANEOUS_H)
    if clash.size:
        a, b = sorted((int(owner[clash[0]]), int(owner[clash[0] + 1])))
        where = "itself" if a == b else f"a dose from row {doses[a].line}"
        raise table.fail(
            doses[b].line,
            "TIME",
            f"ID {doses[b].subject} has two doses at t = {flat[clash[0] + 1]:g} h "
            f"(this row and {where}, after ADDL expansion); give one dose at a time.",
        )
    return Regimen(records=tuple(records), steady_state=doses[0].ss)


def read_event_table(source: Source) -> dict[int, Regimen]:
    """Regimens per subject ID from a NONMEM-style event table (path or text buffer).

    Subjects with only observation rows are left out; a table with no dose row is an error.
    """
    frame, name = _load(source)
    table = _Table(frame, name)
    subjects: dict[int, list[_Row]] = {}
    previous: int | None = None
    for index in frame.index:
        line = int(index) + 1
        if all(str(v).strip() == "" for v in frame.loc[index]):
            continue  # blank line
        row = _parse_row(table, index, line)
        if row.subject != previous and row.subject in subjects:
            first = subjects[row.subject][0].line
            raise table.fail(
                line,
                "ID",
                f"ID {row.subject} already appeared from row {first}; keep each "
                "subject's rows together.",
            )
        subjects.setdefault(row.subject, []).append(row)
        previous = row.subject
    regimens = {}
    for subject, rows in subjects.items():
        regimen = _subject_regimen(table, rows)
        if regimen is not None:
            regimens[subject] = regimen
    if not regimens:
        raise DataFileError(f"{name}: no dose rows (EVID 1 with AMT > 0); nothing to simulate.")
    return regimens


def _compress(
    t_h: np.ndarray, dose_mg: np.ndarray, first_ii: float | None
) -> list[tuple[Any, ...]]:
    """Runs of equal doses at an exact constant interval as (time, amt, ii, addl) rows."""
    rows = []
    i, n = 0, t_h.size
    while i < n:
        if i == 0 and first_ii is not None:
            ii = first_ii
        else:
            ii = float(t_h[i + 1] - t_h[i]) if i + 1 < n else 0.0
        j = i + 1
        while ii > 0 and j < n and dose_mg[j] == dose_mg[i] and t_h[i] + (j - i) * ii == t_h[j]:
            j += 1
        if j == i + 1 and not (i == 0 and first_ii is not None):
            ii = 0.0
        rows.append((float(t_h[i]), float(dose_mg[i]), float(ii), j - i - 1))
        i = j
    return rows


def write_event_table(
    regimens: Mapping[int, Regimen] | Regimen,
    path: str | os.PathLike[str] | IO[str],
    until_h: float,
) -> None:
    """Write the doses given before `until_h` (h) as a NONMEM-style CSV event table.

    A single `Regimen` is written as ID 1. Missed doses and adherence are applied (the table
    lists the doses actually given); runs of equal doses at a constant interval become one row
    with II and ADDL, and a steady-state first dose gets SS = 1 with II = its interval.
    """
    by_id = {1: regimens} if isinstance(regimens, Regimen) else dict(regimens)
    lines = []
    for subject in sorted(by_id):
        events = by_id[subject].events(until_h)
        ss = events.steady_state
        if ss is not None and ss.dose_mg != events.dose_mg[0]:
            raise ValueError("steady-state dose differs from the first dose; NONMEM cannot say so")
        first_ii = None if ss is None else ss.tau_h
        for k, (t, amt, ii, addl) in enumerate(_compress(events.t_h, events.dose_mg, first_ii)):
            flag = int(k == 0 and ss is not None)
            lines.append((subject, t, amt, 1, ii, addl, flag, 1, 1))
    import pandas as pd

    frame = pd.DataFrame(lines, columns=list(WRITTEN_COLUMNS))
    frame.to_csv(path, index=False)
