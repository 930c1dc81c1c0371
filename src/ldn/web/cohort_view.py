"""The cohort report's tables as a clinician reads them: labelled columns, units, rounded
numbers, intervals in one cell, and no raw column names, `NaN` or `False`.

Pure presentation over the analyst's `CohortReport` frames (`ldn.analysis.cohort`); the
numbers are the report's. Each table is `(columns, rows)`; a column is `(label, css class)`
and a row is a list of cell texts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ldn.evidence.schema import CONDITIONS
from ldn.scales import SCALES

NOT_GRADED = "not assessed yet"


@dataclass(frozen=True)
class Table:
    """Column labels with their alignment, and rows of cell texts."""

    columns: list[tuple[str, str]]
    rows: list[list[str]]


def _num(value: Any) -> float | None:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def condition_label(code: Any) -> str:
    """'crohns' → "Crohn's disease"."""
    text = str(code)
    return CONDITIONS.get(text, text.replace("_", " ").capitalize())


def scale_label(code: Any) -> str:
    """'pain_nrs' → 'Pain NRS (0-10)'."""
    scale = SCALES.get(str(code))
    return scale.label if scale is not None else str(code)


def percent_with_ci(rate: Any, low: Any, high: Any) -> str:
    """'20 % (6–51 %)'; '—' when the rate is missing."""
    r, lo, hi = _num(rate), _num(low), _num(high)
    if r is None:
        return "—"
    if lo is None or hi is None:
        return f"{100 * r:.0f} %"
    return f"{100 * r:.0f} % ({100 * lo:.0f}–{100 * hi:.0f} %)"


def number(value: Any, digits: int = 1) -> str:
    """A rounded number, or '—'."""
    v = _num(value)
    if v is None:
        return "—"
    text = f"{v:.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text  # no "-0.0"


def _trial(row: pd.Series) -> str:
    est = _num(row.get("trial_estimate"))
    if est is None:
        return "no randomised trial data"
    k = int(_num(row.get("trial_k")) or 1)
    n = _num(row.get("trial_n_total"))
    lo, hi = _num(row.get("trial_ci_low")), _num(row.get("trial_ci_high"))
    ci = f" (95 % CI {lo:.2f} to {hi:.2f})" if lo is not None and hi is not None else ""
    what = "pooled SMD" if k > 1 else "SMD"
    trials = f"{k} trials" if k > 1 else "1 trial"
    size = f", {n:.0f} patients" if n is not None else ""
    i2 = _num(row.get("trial_i2"))
    het = f", I² {i2:.0f} %" if i2 is not None and k > 1 else ""
    return f"{what} {est:.2f}{ci}; {trials}{size}{het}"


def _certainty(row: pd.Series) -> str:
    for key in ("trial_certainty", "certainty", "grade"):
        value = row.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return NOT_GRADED


def responders_table(frame: pd.DataFrame | None) -> Table:
    """Responders by condition and scale, beside the trial evidence."""
    columns = [
        ("Condition", ""),
        ("Outcome scale", ""),
        ("Patients evaluated", "num"),
        ("Responders", "num"),
        ("Responder rate (95 % CI)", "num"),
        ("Mean improvement (MIDs)", "num"),
        ("Trial evidence (SMD, positive favours LDN)", ""),
        ("Certainty of evidence (GRADE)", ""),
    ]
    rows = []
    for _, r in (frame if frame is not None else pd.DataFrame()).iterrows():
        rows.append(
            [
                condition_label(r["condition"]),
                scale_label(r["scale"]),
                f"{int(r['n_evaluable'])}",
                f"{int(r['n_responders'])}",
                percent_with_ci(
                    r["responder_rate"], r["responder_ci95_low"], r["responder_ci95_high"]
                ),
                number(r.get("mean_improvement_in_mid")),
                _trial(r),
                _certainty(r) if _num(r.get("trial_estimate")) is not None else "—",
            ]
        )
    return Table(columns, rows)


def by_dose_table(frame: pd.DataFrame | None) -> Table:
    """Responders by condition, scale and dose band (the 'all doses' rows left out)."""
    columns = [
        ("Condition", ""),
        ("Outcome scale", ""),
        ("Dose", ""),
        ("Patients evaluated", "num"),
        ("Responders", "num"),
        ("Responder rate (95 % CI)", "num"),
        ("Not evaluable", "num"),
    ]
    rows = []
    data = frame if frame is not None else pd.DataFrame()
    if not data.empty:
        data = data.loc[data["dose_band"] != "all doses"]
    for _, r in data.iterrows():
        rows.append(
            [
                condition_label(r["condition"]),
                scale_label(r["scale"]),
                str(r["dose_band"]),
                f"{int(r['n_evaluable'])}",
                f"{int(r['n_responders'])}",
                percent_with_ci(r["responder_rate"], r["ci95_low"], r["ci95_high"]),
                f"{int(r['n_not_evaluable'])}",
            ]
        )
    return Table(columns, rows)


def adverse_table(frame: pd.DataFrame | None) -> Table:
    """Side effects: patients affected, proportion and rate per 100 patient-months."""
    columns = [
        ("Side effect", ""),
        ("Patients affected", "num"),
        ("Proportion (95 % CI)", "num"),
        ("Reports", "num"),
        ("Per 100 patient-months (95 % CI)", "num"),
        ("Severe", "num"),
    ]
    rows = []
    for _, r in (frame if frame is not None else pd.DataFrame()).iterrows():
        name = str(r["event_type"])
        label = "Any side effect" if name == "any" else name.replace("_", " ").capitalize()
        rate, lo, hi = (
            _num(r.get(k)) for k in ("rate_per_100_pm", "rate_ci95_low", "rate_ci95_high")
        )
        per_100 = "—" if rate is None else f"{rate:.1f}"
        if rate is not None and lo is not None and hi is not None:
            per_100 += f" ({lo:.1f}–{hi:.1f})"
        rows.append(
            [
                label,
                f"{int(r['n_patients_with_event'])} of {int(r['n_patients_exposed'])}",
                percent_with_ci(r["proportion"], r["ci95_low"], r["ci95_high"]),
                f"{int(r['n_events'])}",
                per_100,
                f"{int(r['n_severe'])}",
            ]
        )
    return Table(columns, rows)


def mid_sources(frame: pd.DataFrame | None) -> list[dict[str, str]]:
    """The published source of each scale's MID in the table (or why it is an assumption)."""
    out = []
    codes = [] if frame is None or frame.empty else list(dict.fromkeys(frame["scale"]))
    for code in codes:
        scale = SCALES.get(str(code))
        if scale is None:
            continue
        out.append(citation(str(code)))
    return out


def citation(code: str) -> dict[str, str]:
    """{label, mid, source, url, kind} of a scale's MID, for a reference list or link."""
    scale = SCALES[code]
    cited = scale.mid_provenance
    return {
        "label": scale.label,
        "mid": f"{scale.mid:g}",
        "source": cited.basis("assumption — "),
        "url": cited.url,
        "kind": cited.kind,
    }
