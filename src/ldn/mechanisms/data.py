"""The randomised trials the calibration fits (and the later ones it only predicts).

Read through `ldn.evidence.dataset.load_studies`, so rows added to the evidence dataset flow in.
Every placebo-controlled parallel or crossover RCT in a modelled condition is considered, null
ones included, with ONE result per trial (rows grouped by `study_id`): the study's primary row
(`primary_smd`) when the model can simulate it, else the best other prespecified efficacy row
that it can simulate, in this order: a row named "(co-)primary" in its outcome, the primary
responder row (`primary_binary`), any other efficacy row (exploratory and harm rows are never
used). A row can be simulated when it reports an LDN − placebo contrast (a mean difference with
a CI or a p-value, or responder counts) on a scale the model has, and gives a dose. Trials
published up to `CUTOFF_YEAR` are fitted; later ones form the temporal validation set. Every
other row is listed in `skipped` with the reason (`skipped_trials` gives one reason per trial).

ASSUMPTION (labelled in `CalibrationTrial.note`): when a crossover row gives no mean
difference but its `reported` field states "median difference LDN - placebo X" with a
p-value (Bested 2023, FIQR: rank-based test), X is used as the mean difference and p as a
paired t-test's.

Scales are mapped by `ldn.evidence.model_scales.model_scale` (the re-runs of published trials
use the same map): a "% of baseline" pain result (Younger 2013) is fitted as a change relative
to the baseline burden; PCDAI (Smith 2013, paediatric) is not the adult CDAI and MSQoL-54
composites (Sharafaddinzadeh 2010) are not SF-36 MCS, so neither maps (neither row has a
numeric LDN − placebo result anyway).

Each trial is simulated on `ldn.regimen.published.published_regimen(dose_mg, dose_text)` (the
re-runs of published trials use the same reading): at its own dose, at 22:00 (trials dosed
"nightly"/"each evening"), titration "over N weeks" as N equal weekly steps up to the target
(ASSUMPTION: the step sizes are not reported), for its (per-period) duration, on its endpoint.
Likelihood at the reported level:

- normal: the mean difference with its SE, from the CI, or for a crossover from the paired
  t-test's p-value on n − 1 df (SE = |md| / t);
- binomial: responder counts per arm (or proportions × n, rounded); a patient responds when
  their change passes the threshold (e.g. CDAI fall ≥ 70) with change ~ N(arm mean,
  √2 · measurement SD).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final, Literal

import numpy as np
import pandas as pd
from scipy import stats

from ldn.evidence.model_scales import model_scale
from ldn.model.chain import CONDITIONS
from ldn.regimen import Regimen
from ldn.regimen.published import published_regimen

CUTOFF_YEAR: Final = 2024


@dataclass(frozen=True)
class CalibrationTrial:
    """One trial result and how to simulate it (see module docstring)."""

    study_id: str
    year: int
    condition: str
    column: str
    relative: bool
    regimen: Regimen
    dose_text: str
    weeks: float
    crossover: bool
    kind: Literal["normal", "binomial"]
    observed: float  # md (scale units or % of baseline) or LDN-arm responders
    se: float  # normal only
    counts: tuple[int, int, int, int]  # binomial: events_ldn, n_ldn, events_pbo, n_pbo
    threshold: float  # binomial: change that counts as response (scale units, ≥ 0)
    role: Literal["fit", "validation"]
    outcome: str = ""  # the dataset row's outcome (which result of the trial is fitted)
    note: str = ""  # ASSUMPTION made to use the row, if any (module docstring)

    @property
    def label(self) -> str:
        """Short name for tables and plots."""
        return f"{self.study_id} ({self.column}{' %' if self.relative else ''})"


def _num(rec: dict[str, object], key: str) -> float:
    v = rec.get(key)
    try:
        f = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return float("nan")
    return f


def _se(rec: dict[str, object], md: float, n: float, crossover: bool) -> float:
    lo, hi = _num(rec, "md_ci_low"), _num(rec, "md_ci_high")
    if np.isfinite(lo) and np.isfinite(hi) and hi > lo:
        return (hi - lo) / (2.0 * stats.norm.ppf(0.975))
    p = _num(rec, "p_value")
    if crossover and np.isfinite(p) and 0 < p < 1 and n > 2 and md != 0:
        return abs(md) / float(stats.t.ppf(1.0 - p / 2.0, n - 1))
    return float("nan")


def _threshold(outcome: str) -> float | None:
    m = re.search(r"(?:fall|decline|reduction)\s*(?:>=|≥|of at least)\s*(\d+(?:\.\d+)?)\b(?!\s*%)",
                  outcome, re.I)  # fmt: skip
    return float(m.group(1)) if m else None


_MEDIAN_MD: Final = re.compile(
    r"median difference LDN\s*[-−]\s*placebo\s*([-−]?\d+(?:\.\d+)?)", re.I
)
MEDIAN_NOTE: Final = (
    "ASSUMPTION: the reported median difference is used as the mean difference and the "
    "rank test's p as a paired t-test's"
)


def _mean_difference(rec: dict[str, object], crossover: bool) -> tuple[float, str]:
    """The row's mean difference, or (crossover only) its reported median difference + note."""
    md = _num(rec, "md")
    if np.isfinite(md) or not crossover:
        return md, ""
    m = _MEDIAN_MD.search(str(rec.get("reported") or ""))
    if m is None:
        return md, ""
    return float(m.group(1).replace("−", "-")), MEDIAN_NOTE


def _no_contrast(rec: dict[str, object]) -> str:
    """Why the row has no LDN − placebo number at all ("" when it has one)."""
    if rec.get("data_type") == "single_arm":
        return "single-arm (pre-post) change only: no LDN − placebo contrast in the source"
    numbers = ("md", "p_value", "events_ldn", "events_control", "ldn_mean", "control_mean")
    if rec.get("data_type") == "reported_only" and not any(
        np.isfinite(_num(rec, k)) for k in numbers
    ):
        return f"no numeric LDN − placebo result in the source ({rec.get('reported') or 'none'})"
    return ""


def _row(rec: dict[str, object]) -> CalibrationTrial | str:
    """A CalibrationTrial, or the reason the row cannot be used."""
    cond = str(rec["condition"])
    mapped = model_scale(cond, str(rec.get("scale", "")))
    dose = _num(rec, "dose_mg")
    weeks = _num(rec, "duration_weeks")
    if why := _no_contrast(rec):
        return why
    if mapped is None:
        return f"scale {rec.get('scale')!r} is not a model scale of {cond}"
    if not (np.isfinite(dose) and np.isfinite(weeks)):
        return "dose or duration not given"
    crossover = rec["design"] == "crossover_rct"
    n_ldn, n_pbo = _num(rec, "n_ldn"), _num(rec, "n_control")
    md, note = _mean_difference(rec, crossover)
    year = int(_num(rec, "year"))
    base: dict[str, Any] = {
        "study_id": str(rec["study_id"]), "year": year, "condition": cond,
        "column": mapped.column, "relative": mapped.relative,
        "regimen": published_regimen(dose, str(rec.get("dose_text") or "")),
        "dose_text": str(rec.get("dose_text") or f"{dose:g} mg"), "weeks": weeks,
        "crossover": crossover, "role": "fit" if year <= CUTOFF_YEAR else "validation",
        "outcome": str(rec.get("outcome") or ""), "note": note,
    }  # fmt: skip
    if np.isfinite(md):
        se = _se(rec, md, n_ldn, crossover)
        if not np.isfinite(se):
            return "mean difference without a CI or a usable p-value"
        return CalibrationTrial(**base, kind="normal", observed=md, se=se, counts=(0, 0, 0, 0),
                                threshold=0.0)  # fmt: skip
    ev_l, ev_c = _num(rec, "events_ldn"), _num(rec, "events_control")
    if not np.isfinite(ev_l + ev_c) and "proportion" in str(rec.get("scale", "")).lower():
        # responder proportions per arm (ldn_mean/control_mean in 0–1) → counts = round(p·n)
        p_l, p_c = _num(rec, "ldn_mean"), _num(rec, "control_mean")
        if 0 <= p_l <= 1 and 0 <= p_c <= 1:
            ev_l, ev_c = float(round(p_l * n_ldn)), float(round(p_c * n_pbo))
    thr = _threshold(str(rec.get("outcome", "")))
    binary = rec.get("data_type") in ("counts", "p_parallel")
    if binary and not crossover and np.isfinite(ev_l + ev_c) and thr:
        counts = (int(ev_l), int(n_ldn), int(ev_c), int(n_pbo))
        return CalibrationTrial(**base, kind="binomial", observed=float(ev_l), se=float("nan"),
                                counts=counts, threshold=thr)  # fmt: skip
    return "no LDN − placebo contrast at a level the model can simulate"


def _rank(rec: dict[str, object]) -> int | None:
    """Preference of a row as the trial's one result (lower first); None: never used."""
    outcome = str(rec.get("outcome") or "").lower()
    if str(rec.get("primary_smd")).lower() in ("true", "1"):
        return 0
    if rec.get("outcome_kind") != "efficacy" or "exploratory" in outcome:
        return None
    if "primary" in outcome:
        return 1
    return 2 if str(rec.get("primary_binary")).lower() in ("true", "1") else 3


def _eligible(rec: dict[str, object]) -> str:
    """Why the row's trial is not a placebo-controlled RCT in a modelled condition ("" if it is)."""
    if rec.get("comparator") != "placebo":
        return f"comparator is {rec.get('comparator')}, not placebo"
    if rec.get("condition") not in CONDITIONS:
        return f"condition {rec.get('condition')} is not modelled"
    return ""


def calibration_trials(
    studies: pd.DataFrame | None = None,
) -> tuple[list[CalibrationTrial], list[tuple[str, str, str]]]:
    """(usable trials, one per study; skipped (study_id, outcome, reason)) from the evidence."""
    if studies is None:
        from ldn.evidence.dataset import load_studies

        studies = load_studies()
    by_study: dict[str, list[dict[str, object]]] = {}
    for rec in studies.to_dict(orient="records"):
        if rec.get("design") in ("parallel_rct", "crossover_rct"):
            by_study.setdefault(str(rec["study_id"]), []).append(rec)
    used: list[CalibrationTrial] = []
    skipped: list[tuple[str, str, str]] = []
    for sid, recs in by_study.items():
        chosen: CalibrationTrial | None = None
        for rec in sorted(recs, key=lambda r: 9 if (k := _rank(r)) is None else k):
            why = _eligible(rec)
            if not why and _rank(rec) is None:
                why = "harm or exploratory outcome: not used as the trial's result"
            elif not why and chosen is not None:
                why = f"another result of this trial is fitted ({chosen.outcome}): one per trial"
            row = why or _row(rec)
            if isinstance(row, str):
                skipped.append((sid, str(rec.get("outcome")), row))
            else:
                chosen = row
                used.append(row)
    return used, skipped


def skipped_trials(
    used: list[CalibrationTrial], skipped: list[tuple[str, str, str]]
) -> dict[str, str]:
    """One reason per trial none of whose rows is used: that of its best-ranked row."""
    fitted = {t.study_id for t in used}
    out: dict[str, str] = {}
    for sid, outcome, why in skipped:
        if sid not in fitted and sid not in out:
            out[sid] = f"{outcome}: {why}"
    return out
