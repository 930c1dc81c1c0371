"""Effect sizes from any user CSV that uses metafor's column names.

Recognised column sets (checked in this order; the first complete set wins):

    yi, vi            precomputed effects and sampling variances (or yi, sei: standard errors)
    ai, bi, ci, di    2×2 counts: events/non-events in group 1 (treatment) and group 2 (control)
    ai, n1i, ci, n2i  events and group sizes
    m1i, sd1i, n1i, m2i, sd2i, n2i   means, SDs and sizes

An optional label column (`study`, `slab`, `author` or `label`, first found) names the rows,
and an optional `subgroup` column is carried along for subgroup analyses. Problems are
reported as `InputError`s naming the file, the row (data rows counted from 1) and the column.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ldn.errors import InputError
from ldn.evidence import effect_sizes as es
from ldn.evidence.meta import MEASURES
from ldn.types import FloatArray

LABEL_COLUMNS = ("study", "slab", "author", "label")
COLUMN_SETS: dict[str, tuple[str, ...]] = {
    "yi_vi": ("yi", "vi"),
    "yi_sei": ("yi", "sei"),
    "counts_2x2": ("ai", "bi", "ci", "di"),
    "counts_n": ("ai", "n1i", "ci", "n2i"),
    "means": ("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i"),
}
_MEASURES_FOR = {
    "counts_2x2": ("RR", "OR", "RD"),
    "counts_n": ("RR", "OR", "RD"),
    "means": ("SMD", "MD"),
}


@dataclass(frozen=True)
class EffectData:
    """Effects read from a CSV: `yi`, `vi`, row labels, optional subgroups, and provenance."""

    yi: FloatArray
    vi: FloatArray
    labels: tuple[str, ...]
    subgroups: tuple[str, ...] | None
    measure: str
    column_set: str


def detect_column_set(columns: list[str]) -> str:
    """Name of the first complete metafor column set among `columns`, else `InputError`."""
    have = set(columns)
    for name, cols in COLUMN_SETS.items():
        if have.issuperset(cols):
            return name
    partial = {
        n: [c for c in cols if c not in have]
        for n, cols in COLUMN_SETS.items()
        if have.intersection(cols)
    }
    hint = "; ".join(
        f"{' '.join(COLUMN_SETS[n])} is missing {', '.join(m)}" for n, m in partial.items()
    )
    raise InputError(
        "no metafor column set found: give yi,vi (or yi,sei) or ai,bi,ci,di or ai,n1i,ci,n2i or "
        f"m1i,sd1i,n1i,m2i,sd2i,n2i. Columns found: {', '.join(columns) or 'none'}."
        + (f" ({hint})" if hint else "")
    )


def _numeric(
    frame: pd.DataFrame,
    col: str,
    file: str,
    *,
    whole: bool = False,
    low: float | None = None,
    strict_low: bool = False,
) -> FloatArray:
    out = np.empty(len(frame))
    for i, raw in enumerate(frame[col].tolist(), start=1):
        text = str(raw).strip()
        try:
            value = float(text)
        except ValueError:
            value = float("nan")
        if not np.isfinite(value):
            raise InputError(
                f"{file} row {i}, column {col}: {text!r} is not a number; fix or remove the row."
            )
        if whole and value != int(value):
            raise InputError(f"{file} row {i}, column {col}: {text!r} is not a whole number.")
        if low is not None and (value <= low if strict_low else value < low):
            rule = f"> {low:g}" if strict_low else f">= {low:g}"
            raise InputError(f"{file} row {i}, column {col}: {text!r} must be {rule}.")
        out[i - 1] = value
    return out


def effects_from_frame(  # noqa: C901, PLR0912 (one branch per accepted input layout)
    frame: pd.DataFrame, measure: str = "SMD", *, file: str = "input"
) -> EffectData:
    """Compute `yi`, `vi` from a DataFrame with metafor column names (see module docstring)."""
    if measure not in MEASURES:
        raise InputError(f"measure {measure!r} is not one of {', '.join(MEASURES)}.")
    if frame.empty:
        raise InputError(f"{file}: the table has no data rows.")
    frame = frame.rename(columns={c: str(c).strip() for c in frame.columns})
    cols = list(frame.columns)
    kind = detect_column_set(cols)
    allowed = _MEASURES_FOR.get(kind)
    if allowed is not None and measure not in allowed:
        raise InputError(
            f"{file}: columns {', '.join(COLUMN_SETS[kind])} give {'/'.join(allowed)}, "
            f"not {measure}; use --measure {allowed[0]} or supply yi,vi."
        )
    if kind in ("yi_vi", "yi_sei"):
        yi = _numeric(frame, "yi", file)
        if kind == "yi_vi":
            vi = _numeric(frame, "vi", file, low=0.0, strict_low=True)
        else:
            vi = _numeric(frame, "sei", file, low=0.0, strict_low=True) ** 2
    elif kind in ("counts_2x2", "counts_n"):
        ai = _numeric(frame, "ai", file, whole=True, low=0)
        ci = _numeric(frame, "ci", file, whole=True, low=0)
        if kind == "counts_2x2":
            n1 = ai + _numeric(frame, "bi", file, whole=True, low=0)
            n2 = ci + _numeric(frame, "di", file, whole=True, low=0)
        else:
            n1 = _numeric(frame, "n1i", file, whole=True, low=1)
            n2 = _numeric(frame, "n2i", file, whole=True, low=1)
            for counts, n, cname, nname in ((ai, n1, "ai", "n1i"), (ci, n2, "ci", "n2i")):
                bad = np.flatnonzero(counts > n)
                if bad.size:
                    i = int(bad[0])
                    raise InputError(
                        f"{file} row {i + 1}, column {cname}: {counts[i]:g} events exceed "
                        f"{nname} = {n[i]:g}."
                    )
        if np.any(n1 < 1) or np.any(n2 < 1):
            i = int(np.flatnonzero((n1 < 1) | (n2 < 1))[0])
            raise InputError(f"{file} row {i + 1}: a group has no patients (n = 0).")
        yi, vi = es.effect_size_2x2(ai, n1, ci, n2, measure)  # type: ignore[arg-type]
    else:
        vals = {
            c: _numeric(
                frame,
                c,
                file,
                low=(1 if c.startswith("n") else 0 if c.startswith("sd") else None),
                whole=c.startswith("n"),
            )
            for c in COLUMN_SETS["means"]
        }
        func = es.effect_size_smd if measure == "SMD" else es.effect_size_md
        if measure == "SMD":
            bad = np.flatnonzero((vals["n1i"] + vals["n2i"]) < 3)
            if bad.size:
                raise InputError(f"{file} row {int(bad[0]) + 1}: SMD needs n1i + n2i >= 3.")
        yi, vi = func(
            vals["m1i"], vals["sd1i"], vals["n1i"], vals["m2i"], vals["sd2i"], vals["n2i"]
        )
        zero = np.flatnonzero(~np.isfinite(yi) | ~(vi > 0))
        if zero.size:
            raise InputError(
                f"{file} row {int(zero[0]) + 1}: both SDs are 0, so the effect is undefined."
            )
    label_col = next((c for c in LABEL_COLUMNS if c in cols), None)
    labels = (
        tuple(str(x) for x in frame[label_col])
        if label_col
        else tuple(f"study {i}" for i in range(1, len(frame) + 1))
    )
    subgroups = tuple(str(x) for x in frame["subgroup"]) if "subgroup" in cols else None
    return EffectData(
        np.asarray(yi, float), np.asarray(vi, float), labels, subgroups, measure, kind
    )


def read_effects_csv(path: Path | str, measure: str = "SMD") -> EffectData:
    """Read a user CSV (metafor column names) and compute effects; errors name row and column."""
    p = Path(path)
    try:
        frame = pd.read_csv(p, dtype=str, keep_default_na=False, skipinitialspace=True)
    except FileNotFoundError:
        raise InputError(f"input file {str(p)!r} does not exist; check the path.") from None
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"{p.name}: cannot read as CSV ({exc}).") from exc
    return effects_from_frame(frame, measure, file=p.name)
