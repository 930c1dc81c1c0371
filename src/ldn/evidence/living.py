"""Living evidence: validate new study rows before they enter the dataset, then append them.

`add_rows(new_studies, new_rob, reason, data_dir)` checks, in order, and raises `InputError` /
`DataFileError` with one message at the first problem:

1. the new rows follow the `studies.csv` schema (every cell, the per-row consistency rules);
2. each row carries a source (`url`) and a verbatim `quote`, and is not a duplicate of an
   existing study × outcome;
3. comparative rows with results have a risk-of-bias judgement (in `new_rob` or already in
   `risk_of_bias.csv`) from the tool that fits the design;
4. every row whose `data_type` promises a comparative effect yields a finite SMD (or the
   counts a finite log OR) — so a row cannot enter the dataset and silently drop out of a pool.

Only then are the rows appended to `studies.csv` (and `risk_of_bias.csv`) in `data_dir`, and
one `changelog.csv` line per new study is written with `reason`. `dry_run` stops after the
checks.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pandas as pd

from ldn.errors import InputError
from ldn.evidence.appraisal import ROB_COLUMNS, attach_risk_of_bias, validate_rob
from ldn.evidence.schema import STUDY_COLUMNS, records, validate_table

COMPARATIVE_TYPES = ("means_sd", "md_ci", "p_parallel", "p_crossover", "counts")


def _raw(path: Path) -> pd.DataFrame:
    from ldn.evidence.schema import read_raw

    if not path.is_file():
        raise InputError(f"{path}: no such file")
    return read_raw(path)


def _check_effects(frame: pd.DataFrame, file: str) -> None:
    from ldn.evidence.dataset import _smd_row

    for i, rec in enumerate(records(frame), start=1):
        if rec["comparator"] == "none" or rec["data_type"] not in COMPARATIVE_TYPES:
            continue
        try:
            got = _smd_row(rec, 0.5)
        except InputError as exc:
            raise InputError(f"{file} row {i}: {exc}") from None
        if got is None or not all(math.isfinite(x) for x in got):
            raise InputError(
                f"{file} row {i}: data_type {rec['data_type']} gives no finite effect; "
                "check the numbers or use reported_only"
            )


def validate_new_rows(
    new_studies: pd.DataFrame, new_rob: pd.DataFrame | None, data_dir: Path, file: str = "new rows"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Check new rows against the schema and the existing data; return the combined tables."""
    names = [c.name for c in STUDY_COLUMNS]
    existing_raw = _raw(data_dir / "studies.csv")
    parsed_new = validate_table(new_studies, STUDY_COLUMNS, file)
    if parsed_new.empty:
        raise InputError(f"{file}: no rows to add")
    old_keys = set(zip(existing_raw["study_id"], existing_raw["outcome"], strict=True))
    for i, rec in enumerate(records(parsed_new), start=1):
        if (rec["study_id"], rec["outcome"]) in old_keys:
            raise InputError(
                f"{file} row {i}: {rec['study_id']} / {rec['outcome']!r} is already in studies.csv"
            )
        if len(str(rec["quote"]).split()) < 4:
            raise InputError(
                f"{file} row {i}, column quote: give a verbatim quote of at least four words"
            )
    _check_effects(parsed_new, file)
    combined = pd.concat([existing_raw[names], new_studies[names]], ignore_index=True)
    studies = validate_table(combined, STUDY_COLUMNS, "studies.csv + " + file)
    rob_raw = _raw(data_dir / "risk_of_bias.csv")
    if new_rob is not None:
        rob_raw = pd.concat([rob_raw, new_rob[rob_raw.columns]], ignore_index=True)
    rob = validate_rob(rob_raw)
    attach_risk_of_bias(studies, rob)  # coverage and tool checks
    return studies, rob


def add_rows(
    new_studies_path: Path,
    reason: str,
    data_dir: Path,
    *,
    rob_path: Path | None = None,
    dry_run: bool = False,
    today: str | None = None,
) -> list[str]:
    """Validate and append new study rows (see module doc); return the new study ids."""
    if not reason.strip():
        raise InputError("--reason: say why these rows are added (it goes into the changelog)")
    new = _raw(new_studies_path)
    new_rob = _raw(rob_path) if rob_path is not None else None
    validate_new_rows(new, new_rob, data_dir, new_studies_path.name)
    ids = list(dict.fromkeys(new["study_id"]))
    if dry_run:
        return ids
    names = [c.name for c in STUDY_COLUMNS]
    _append(data_dir / "studies.csv", new[names])
    if new_rob is not None:
        _append(data_dir / "risk_of_bias.csv", new_rob[[c.name for c in ROB_COLUMNS]])
    day = today or dt.date.today().isoformat()
    log = pd.DataFrame(
        [
            {
                "date": day,
                "change": "added",
                "study_id": sid,
                "detail": reason,
                "url": new.loc[new["study_id"] == sid, "url"].iloc[0],
            }
            for sid in ids
        ]
    )
    _append(data_dir / "evidence" / "changelog.csv", log)
    return ids


def _append(path: Path, rows: pd.DataFrame) -> None:
    try:
        existing = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
        out = pd.concat([existing, rows[existing.columns]], ignore_index=True)
        out.to_csv(path, index=False, lineterminator="\n")
    except OSError as exc:
        raise InputError(f"{path}: cannot write: {exc.strerror or exc}") from exc


__all__ = ["add_rows", "validate_new_rows"]
