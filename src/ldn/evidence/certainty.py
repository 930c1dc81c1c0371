"""GRADE certainty of a pooled LDN result (one condition × outcome measure), from the data.

GRADE (Guyatt et al. 2008; GRADE handbook 2013) rates the certainty of a body of evidence as
high, moderate, low or very low. Randomised evidence starts high, non-randomised evidence
starts low; each domain can take one or two levels off. The rules below make the judgement
reproducible from `studies.csv` and `risk_of_bias.csv`; the thresholds are conventions, stated
here and in docs/evidence.md, not measurements:

- **risk of bias**: with weights wᵢ = 1/(vᵢ + τ²) from the pooled fit, −2 if studies at high
  or critical overall risk carry ≥ 50 % of the weight; −1 if they carry ≥ 25 %, or if studies
  at some concerns or worse carry ≥ 50 %.
- **inconsistency**: −1 if I² ≥ 50 %, −2 if I² ≥ 75 % (k ≥ 2; a single trial cannot be
  checked and is noted as such).
- **indirectness**: not downgraded automatically (the rows are LDN vs placebo in the condition
  itself, on patient-reported or clinical outcomes); reason stated.
- **imprecision** (SMD/MD; thresholds SMD ±0.2 = a small effect, Cohen 1988): −1 if the total
  n is below the optimal information size of 400 (GRADE rule of thumb for continuous outcomes)
  or the 95 % CI includes 0; −2 if the CI includes both −0.2 and +0.2, or a single trial has
  fewer than 100 patients. For ratios the same with RR/OR 0.8 and 1.25.
- **publication bias**: −1 if a registered placebo-controlled trial of the condition is
  completed without published results or its results could not be read (status
  `completed_unreported` or `results_not_accessible` in studies.csv); trials that are ongoing
  or whose status is unknown are listed but do not lower the rating. With k < 10, funnel
  asymmetry cannot be tested and is not used.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ldn.evidence.meta import MetaResult

RATINGS = ("very low", "low", "moderate", "high")
OPTIMAL_INFORMATION_SIZE = 400
SMALL_EFFECT_SMD = 0.2
RATIO_THRESHOLDS = (0.8, 1.25)
MISSING_RESULT_STATUSES = ("completed_unreported", "results_not_accessible")


@dataclass(frozen=True)
class Downgrade:
    """One GRADE domain: how many levels it took off (0–2) and why."""

    domain: str
    levels: int
    reason: str


@dataclass(frozen=True)
class Certainty:
    """A GRADE rating with the judgement for every domain."""

    rating: str
    start: str
    domains: tuple[Downgrade, ...] = field(default_factory=tuple)

    @property
    def reasons(self) -> list[str]:
        """The down-grade reasons, one string per domain that lowered the rating."""
        return [f"{d.domain} (−{d.levels}): {d.reason}" for d in self.domains if d.levels]

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form: rating, start, reasons (down-grades only) and all domains."""
        return {
            "rating": self.rating,
            "start": self.start,
            "reasons": self.reasons,
            "domains": [
                {"domain": d.domain, "levels": d.levels, "reason": d.reason} for d in self.domains
            ],
        }


def _weights(res: MetaResult) -> np.ndarray:
    w = 1.0 / (res.vi + (res.tau2 if res.k >= 2 else 0.0))
    return w / w.sum()


def _risk_of_bias(eff: pd.DataFrame, res: MetaResult) -> Downgrade:
    w = _weights(res)
    rob = eff["risk_of_bias"].fillna("not assessed").to_numpy()
    high = float(w[np.isin(rob, ["high", "critical"])].sum())
    concern = float(w[np.isin(rob, ["some concerns", "high", "critical"])].sum())
    detail = ", ".join(f"{s} {r}" for s, r in zip(eff["study_id"], rob, strict=True))
    share = (
        f"{100 * high:.0f} % of the weight at high risk, {100 * concern:.0f} % at some "
        f"concerns or worse ({detail})"
    )
    if high >= 0.5:
        return Downgrade("risk of bias", 2, share)
    if high >= 0.25 or concern >= 0.5:
        return Downgrade("risk of bias", 1, share)
    return Downgrade("risk of bias", 0, share)


def _inconsistency(res: MetaResult) -> Downgrade:
    if res.k < 2:
        return Downgrade("inconsistency", 0, "single trial: consistency cannot be assessed")
    text = f"I² = {res.i2:.0f} %, Q p = {res.q_pvalue:.2g}"
    return Downgrade("inconsistency", 2 if res.i2 >= 75 else 1 if res.i2 >= 50 else 0, text)


def _imprecision(eff: pd.DataFrame, res: MetaResult) -> Downgrade:
    n = int(eff["n_total"].sum())
    if res.is_ratio:
        lo, hi = math.exp(res.ci_low), math.exp(res.ci_high)
        null, harm, benefit = 1.0, RATIO_THRESHOLDS[0], RATIO_THRESHOLDS[1]
    else:
        lo, hi = res.ci_low, res.ci_high
        null, harm, benefit = 0.0, -SMALL_EFFECT_SMD, SMALL_EFFECT_SMD
    text = f"n = {n} (optimal information size {OPTIMAL_INFORMATION_SIZE}); "
    text += f"95 % CI {lo:.2f} to {hi:.2f}"
    if (lo <= harm and hi >= benefit) or (res.k == 1 and n < 100):
        return Downgrade(
            "imprecision",
            2,
            text + "; the CI spans appreciable harm and benefit or one small trial",
        )
    if n < OPTIMAL_INFORMATION_SIZE or lo <= null <= hi:
        return Downgrade("imprecision", 1, text)
    return Downgrade("imprecision", 0, text)


def _publication_bias(missing: list[str], k: int) -> Downgrade:
    if missing:
        return Downgrade(
            "publication bias",
            1,
            "registered placebo-controlled trial(s) without accessible results: "
            + ", ".join(missing),
        )
    return Downgrade(
        "publication bias",
        0,
        f"no registered trial known to be missing; k = {k} < 10, so funnel asymmetry is not tested",
    )


def grade(eff: pd.DataFrame, res: MetaResult, missing_trials: list[str] | None = None) -> Certainty:
    """GRADE certainty for pooled result `res` of rows `eff` (columns study_id, n_total,
    randomised, risk_of_bias; the order of `res.yi`). `missing_trials`: registered
    placebo-controlled trials of the condition whose results are not available."""
    randomised = bool(eff["randomised"].all())
    start = 4 if randomised else 2
    domains = (
        _risk_of_bias(eff, res),
        _inconsistency(res),
        Downgrade(
            "indirectness",
            0,
            "LDN vs placebo in the condition itself, on clinical or patient-reported outcomes",
        ),
        _imprecision(eff, res),
        _publication_bias(missing_trials or [], res.k),
    )
    score = max(1, start - sum(d.levels for d in domains))
    return Certainty(
        rating=RATINGS[score - 1], start="high" if randomised else "low", domains=domains
    )


def missing_trials(studies: pd.DataFrame) -> list[str]:
    """Registered placebo-controlled trials in `studies` whose results are missing."""
    sel = studies[
        studies["status"].isin(MISSING_RESULT_STATUSES) & (studies["comparator"] == "placebo")
    ]
    return [
        f"{s} ({st.replace('_', ' ')})"
        for s, st in dict(zip(sel["study_id"], sel["status"], strict=True)).items()
    ]


__all__ = ["RATINGS", "Certainty", "Downgrade", "grade", "missing_trials"]
