"""The randomised trials the calibration fits (and the later ones it only predicts).

Read through `ldn.evidence.dataset.load_studies`, so rows added to the evidence dataset flow in.
A row is used when it is a placebo-controlled parallel or crossover RCT in a modelled condition,
is the study's primary row (`primary_smd`), reports its LDN − placebo contrast (a mean difference
with a CI or a p-value, or responder counts) on a scale the model has, and gives a dose. Trials
published up to `CUTOFF_YEAR` are fitted; later ones form the temporal validation set. Every
other row is listed in `skipped` with the reason.

Each trial is simulated at its own dose (titration "over N weeks" as N equal weekly steps up to
the target, ASSUMPTION: the step sizes are not reported), at 22:00 (trials dosed "nightly"/"each
evening"), for its (per-period) duration, on its endpoint. Likelihood at the reported level:

- normal: the mean difference with its SE, from the CI, or for a crossover from the paired
  t-test's p-value on n − 1 df (SE = |md| / t);
- binomial: responder counts per arm (or proportions × n, rounded); a patient responds when
  their change passes the threshold (e.g. CDAI fall ≥ 70) with change ~ N(arm mean,
  √2 · measurement SD).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import pandas as pd
from scipy import stats

from ldn.model.chain import CONDITIONS
from ldn.regimen import Regimen, daily, titration

CUTOFF_YEAR: Final = 2024
DOSE_CLOCK: Final = "22:00"
# (condition, pattern in the dataset's scale name) → (model scale column, relative to baseline %)
_SCALES: Final = (
    ("crohns", r"\bCDAI\b", "cdai", False),
    ("ms", r"SF-36 MCS", "sf36_mcs", False),
    ("fibromyalgia", r"% of baseline", "pain_nrs", True),
    ("fibromyalgia", r"\bNRS\b", "pain_nrs", False),
    ("fibromyalgia", r"\bFIQR\b", "fiqr", False),
    ("ra", r"\bDAS28\b", "das28", False),
    ("sle", r"SLEDAI", "sledai2k", False),
    ("psoriasis", r"\bPASI\b", "pasi", False),
)


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


def _scale(condition: str, text: str) -> tuple[str, bool] | None:
    for cond, pattern, column, relative in _SCALES:
        if cond == condition and re.search(pattern, text):
            return column, relative
    return None


def trial_regimen(dose_mg: float, dose_text: str) -> Regimen:
    """Daily regimen at 22:00; "titrated over N weeks" → N equal weekly steps to `dose_mg`."""
    m = re.search(r"titrat\w*\s+over\s+(\d+)\s*weeks?", dose_text, re.I)
    if not m or int(m.group(1)) < 2:
        return daily(dose_mg, DOSE_CLOCK)
    n = int(m.group(1))
    steps: list[tuple[float, int | None]] = [(round(dose_mg * k / n, 3), 7) for k in range(1, n)]
    return titration([*steps, (dose_mg, None)], at=DOSE_CLOCK)


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


def _row(rec: dict[str, object]) -> CalibrationTrial | str:
    """A CalibrationTrial, or the reason the row cannot be used."""
    cond = str(rec["condition"])
    mapped = _scale(cond, str(rec.get("scale", "")))
    dose = _num(rec, "dose_mg")
    weeks = _num(rec, "duration_weeks")
    if mapped is None:
        return f"scale {rec.get('scale')!r} is not a model scale of {cond}"
    if not (np.isfinite(dose) and np.isfinite(weeks)):
        return "dose or duration not given"
    crossover = rec["design"] == "crossover_rct"
    n_ldn, n_pbo = _num(rec, "n_ldn"), _num(rec, "n_control")
    md = _num(rec, "md")
    year = int(_num(rec, "year"))
    base = {
        "study_id": str(rec["study_id"]), "year": year, "condition": cond,
        "column": mapped[0], "relative": mapped[1],
        "regimen": trial_regimen(dose, str(rec.get("dose_text") or "")),
        "dose_text": str(rec.get("dose_text") or f"{dose:g} mg"), "weeks": weeks,
        "crossover": crossover, "role": "fit" if year <= CUTOFF_YEAR else "validation",
    }  # fmt: skip
    if np.isfinite(md):
        se = _se(rec, md, n_ldn, crossover)
        if not np.isfinite(se):
            return "mean difference without a CI or a usable p-value"
        return CalibrationTrial(**base, kind="normal", observed=md, se=se, counts=(0, 0, 0, 0),
                                threshold=0.0)  # type: ignore[arg-type]  # fmt: skip
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
                                counts=counts, threshold=thr)  # type: ignore[arg-type]  # fmt: skip
    return "no LDN − placebo contrast at a level the model can simulate"


def calibration_trials(
    studies: pd.DataFrame | None = None,
) -> tuple[list[CalibrationTrial], list[tuple[str, str, str]]]:
    """(usable trials, skipped (study_id, outcome, reason)) from the evidence dataset."""
    if studies is None:
        from ldn.evidence.dataset import load_studies

        studies = load_studies()
    used: list[CalibrationTrial] = []
    skipped: list[tuple[str, str, str]] = []
    for rec in studies.to_dict(orient="records"):
        if rec.get("design") not in ("parallel_rct", "crossover_rct"):
            continue
        why = ""
        if rec.get("comparator") != "placebo":
            why = f"comparator is {rec.get('comparator')}, not placebo"
        elif rec.get("condition") not in CONDITIONS:
            why = f"condition {rec.get('condition')} is not modelled"
        elif str(rec.get("primary_smd")).lower() not in ("true", "1"):
            why = "not the study's primary row (one result per trial)"
        row = why or _row(rec)
        if isinstance(row, str):
            skipped.append((str(rec["study_id"]), str(rec.get("outcome")), row))
        else:
            used.append(row)
    return used, skipped
