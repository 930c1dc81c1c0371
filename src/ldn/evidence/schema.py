"""Schemas of the evidence tables and their validation (messages name file, row and column).

`validate_table` parses an all-string table cell by cell against a tuple of `Column`s and then
checks rows for consistency (events ≤ n, positive SDs, p in (0, 1), ordered CIs, and the
fields each `data_type` needs). Row numbers count data rows from 1; the header is not counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

import numpy as np
import pandas as pd

from ldn.conditions import CONDITION_TITLES, canonical_condition, condition_key
from ldn.errors import DataFileError, InputError

# Conditions of the evidence dataset: the modelled ones of the registry (`ldn.conditions`, with
# their titles, first) and those with LDN studies but no disease module.
_EVIDENCE_ONLY: Final[dict[str, str]] = {
    "ibd": "Inflammatory bowel disease (mixed)",
    "hailey_hailey": "Hailey-Hailey disease",
    "systemic_sclerosis": "Systemic sclerosis",
    "sjogren": "Sjögren's syndrome",
    "long_covid": "Long COVID",
    "me_cfs": "ME/CFS",
    "crps": "Complex regional pain syndrome",
    "diabetic_neuropathy": "Painful diabetic neuropathy",
    "ibs": "Irritable bowel syndrome",
    "arthritis": "Chronic arthritis pain (osteoarthritis or inflammatory arthritis)",
    "depression": "Major depressive disorder",
    "lichen_planopilaris": "Lichen planopilaris",
    "vasculitis": "Systemic vasculitis",
    "hiv": "HIV infection",
    "covid19": "Acute COVID-19",
    "hashimoto": "Hashimoto's thyroiditis",
    "gulf_war_illness": "Gulf War illness",
    "chronic_pain": "Chronic pain (mixed)",
    "bladder_pain": "Interstitial cystitis / bladder pain syndrome",
    "migraine": "Migraine",
    "glioma": "High-grade glioma (supportive care)",
    "endometriosis": "Endometriosis-associated pelvic pain",
    "vulvodynia": "Vulvodynia",
    "gi_disorders": "GI disorders (mixed)",
    "mixed": "Several indications",
}
CONDITIONS: Final[dict[str, str]] = CONDITION_TITLES | _EVIDENCE_ONLY
_SPELLINGS: Final[dict[str, str]] = {
    condition_key(spelling): code
    for code, title in _EVIDENCE_ONLY.items()
    for spelling in (code, title)
}


def evidence_condition(name: str) -> str:
    """The dataset's code of condition `name`: a registry name, title or alias (`ldn.conditions`,
    e.g. "lupus" → "sle") or an evidence-only code or title (e.g. "Long COVID"); else
    `InputError` listing the codes."""
    try:
        return canonical_condition(name)
    except InputError:
        code = _SPELLINGS.get(condition_key(name)) if isinstance(name, str) else None
    if code is None:
        raise InputError(f"condition {name!r} is unknown; use one of: {', '.join(CONDITIONS)}.")
    return code


DESIGNS = (
    "parallel_rct",
    "crossover_rct",
    "crossover_fixed_order",
    "open_label",
    "registry",
    "retrospective",
    "case_series",
    "review",
)
RANDOMISED_DESIGNS = ("parallel_rct", "crossover_rct")
STATUSES = (
    "reported",
    "ongoing",
    "completed_unreported",
    "unreported",
    "withdrawn",
    "results_not_accessible",
)
DATA_TYPES = (
    "means_sd",
    "md_ci",
    "p_parallel",
    "p_crossover",
    "counts",
    "single_arm",
    "reported_only",
)


@dataclass(frozen=True)
class Column:
    """One column of a table schema: parser kind, whether a value is required, allowed values."""

    name: str
    kind: Literal["str", "int", "float", "bool", "enum", "url"]
    required: bool = False
    choices: tuple[str, ...] = ()


STUDY_COLUMNS: tuple[Column, ...] = (
    Column("study_id", "str", True),
    Column("citation", "str", True),
    Column("year", "int"),
    Column("condition", "enum", True, tuple(CONDITIONS)),
    Column("condition_detail", "str"),
    Column("design", "enum", True, DESIGNS),
    Column("blinding", "enum", True, ("double", "single", "none")),
    Column("comparator", "enum", True, ("placebo", "active", "none")),
    Column("n_ldn", "int"),
    Column("n_control", "int"),
    Column("dose_mg", "float"),
    Column("dose_text", "str"),
    Column("duration_weeks", "float"),
    Column("outcome", "str", True),
    Column("outcome_kind", "enum", True, ("efficacy", "harm")),
    Column("scale", "str", True),
    Column("lower_is_better", "bool", True),
    Column("data_type", "enum", True, DATA_TYPES),
    Column("ldn_mean", "float"),
    Column("ldn_sd", "float"),
    Column("control_mean", "float"),
    Column("control_sd", "float"),
    Column("md", "float"),
    Column("md_ci_low", "float"),
    Column("md_ci_high", "float"),
    Column("p_value", "float"),
    Column("direction", "int"),
    Column("events_ldn", "int"),
    Column("events_control", "int"),
    Column("primary_smd", "bool", True),
    Column("primary_binary", "bool", True),
    Column("reported", "str", True),
    Column("derivation", "str", True),
    Column("url", "url", True),
    Column("doi", "str"),
    Column("quote", "str", True),
    Column("status", "enum", True, STATUSES),
    Column("registry_id", "str"),
    Column("diary_mixed_model", "bool", True),
)

AE_COLUMNS: tuple[Column, ...] = (
    Column("study_id", "str", True),
    Column("condition", "enum", True, tuple(CONDITIONS)),
    Column("event", "str", True),
    Column("events_ldn", "int", True),
    Column("n_ldn", "int", True),
    Column("events_control", "int"),
    Column("n_control", "int"),
    Column("comparator", "enum", True, ("placebo", "active", "none")),
    Column("reported", "str", True),
    Column("derivation", "str", True),
    Column("url", "url", True),
    Column("quote", "str", True),
)

# What each data type needs (beyond n_ldn), checked per row.
_NEEDS: dict[str, tuple[str, ...]] = {
    "means_sd": ("n_control", "ldn_mean", "ldn_sd", "control_mean", "control_sd"),
    "md_ci": ("n_control", "md", "md_ci_low", "md_ci_high"),
    "p_parallel": ("n_control", "p_value", "direction"),
    "p_crossover": ("p_value", "direction"),
    "counts": ("n_control", "events_ldn", "events_control"),
}


def _fail(file: str, row: int, col: str, raw: str, rule: str) -> DataFileError:
    return DataFileError(f"{file} row {row}, column {col}: {raw!r} {rule}")


def _parse_cell(file: str, row: int, col: Column, raw: str) -> object:  # noqa: C901 (one branch per column kind of the dataset schema)
    text = raw.strip()
    if not text:
        if col.required:
            raise _fail(file, row, col.name, raw, "is empty but required; fill it in")
        return None
    if col.kind == "int":
        try:
            value = float(text)
        except ValueError:
            value = float("nan")
        if not np.isfinite(value) or value != int(value):
            raise _fail(file, row, col.name, raw, "is not a whole number")
        return int(value)
    if col.kind == "float":
        try:
            value = float(text)
        except ValueError:
            raise _fail(file, row, col.name, raw, "is not a number") from None
        if not np.isfinite(value):
            raise _fail(file, row, col.name, raw, "is not a finite number")
        return value
    if col.kind == "bool":
        if text.lower() not in ("true", "false"):
            raise _fail(file, row, col.name, raw, "must be true or false")
        return text.lower() == "true"
    if col.kind == "enum" and text not in col.choices:
        raise _fail(file, row, col.name, raw, f"is not one of {', '.join(col.choices)}")
    if col.kind == "url" and not text.startswith(("http://", "https://")):
        raise _fail(file, row, col.name, raw, "is not a web address (http:// or https://)")
    return text


def validate_table(raw: pd.DataFrame, columns: tuple[Column, ...], file: str) -> pd.DataFrame:  # noqa: C901, PLR0912 (one check per cross-column rule of studies.csv)
    """Parse an all-string table against `columns`; raise `DataFileError` naming row and column."""
    names = [c.name for c in columns]
    missing = [n for n in names if n not in raw.columns]
    if missing:
        raise DataFileError(
            f"{file}: missing column(s) {', '.join(missing)}; expected {', '.join(names)}"
        )
    extra = [c for c in raw.columns if c not in names]
    if extra:
        raise DataFileError(
            f"{file}: unknown column(s) {', '.join(map(str, extra))}; expected {', '.join(names)}"
        )
    records: list[dict[str, Any]] = []
    for i, rec in enumerate(raw[names].to_dict("records"), start=1):
        records.append({c.name: _parse_cell(file, i, c, str(rec[c.name])) for c in columns})
    frame = pd.DataFrame.from_records(records, columns=names)
    for c in columns:
        if c.kind == "int":
            frame[c.name] = frame[c.name].astype("Int64")
        elif c.kind == "float":
            frame[c.name] = frame[c.name].astype("float64")
    for i, rec in enumerate(records, start=1):
        for arm_events, arm_n in (("events_ldn", "n_ldn"), ("events_control", "n_control")):
            e, n = rec.get(arm_events), rec.get(arm_n)
            if e is not None and (n is None or not 0 <= e <= n):
                raise _fail(file, i, arm_events, str(e), f"must lie between 0 and {arm_n} ({n})")
        for col in ("n_ldn", "n_control"):
            if rec.get(col) is not None and rec[col] < 1:
                raise _fail(file, i, col, str(rec[col]), "must be at least 1")
        for col in ("ldn_sd", "control_sd"):
            if rec.get(col) is not None and rec[col] <= 0:
                raise _fail(file, i, col, str(rec[col]), "must be a positive standard deviation")
        p = rec.get("p_value")
        if p is not None and not 0 < p < 1:
            raise _fail(file, i, "p_value", str(p), "must lie strictly between 0 and 1")
        dt = rec.get("data_type")
        if dt in _NEEDS:
            for need in ("n_ldn", *_NEEDS[dt]):
                if rec.get(need) is None:
                    raise _fail(file, i, need, "", f"is empty but data_type {dt} needs it")
        lo, hi = rec.get("md_ci_low"), rec.get("md_ci_high")
        if lo is not None and hi is not None and not lo < hi:
            raise _fail(file, i, "md_ci_high", str(rec["md_ci_high"]), "must exceed md_ci_low")
        if rec.get("direction") is not None and rec["direction"] not in (-1, 1):
            raise _fail(file, i, "direction", str(rec["direction"]), "must be 1 or -1")
        if rec.get("status", "reported") != "reported" and dt != "reported_only":
            raise _fail(
                file, i, "data_type", str(dt), "must be reported_only when status is not 'reported'"
            )
    return frame


def read_raw(path: Path) -> pd.DataFrame:
    """An evidence CSV as all-string cells (empty cells are ""), or `DataFileError`."""
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataFileError(f"{path.name}: cannot read the file: {exc}") from exc


def read_table(path: Path, columns: tuple[Column, ...]) -> pd.DataFrame:
    """Read and validate one evidence CSV (all cells parsed per the schema)."""
    return validate_table(read_raw(path), columns, path.name)


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts with missing values as None (not NaN/NA), for row-wise derivations."""
    return [
        {
            k: (None if v is None or (not isinstance(v, str) and pd.isna(v)) else v)
            for k, v in rec.items()
        }
        for rec in frame.to_dict("records")
    ]
