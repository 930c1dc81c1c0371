"""Pooled results with their GRADE certainty, sensitivity analyses and the cumulative meta-analysis.

- `pool_with_certainty(condition, ...)` → `(MetaResult, Certainty, rows)`: the pool that
  `ldn evidence pool --condition` shows (randomised trials only unless asked otherwise).
- `pooled_by_condition(...)`: one row per condition with `certainty` and `certainty_reasons`.
- `evidence_summary(condition)`: a plain dict for other parts of `ldn` (the web cohort page).
- `correlation_sensitivity`, `diary_sensitivity`: how the pooled SMD moves with the assumed
  crossover correlation and with deflating diary mixed-model t statistics.
- `cumulative_meta(condition)`: the pooled effect after each trial in order of publication.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from ldn.errors import InputError
from ldn.evidence.certainty import Certainty, grade, missing_trials
from ldn.evidence.dataset import analysis_rows, load_studies, pool_condition
from ldn.evidence.meta import MetaResult, Method, _check_options, pool, single_study
from ldn.evidence.schema import CONDITIONS, evidence_condition

Measure = Literal["SMD", "MD", "RR", "OR", "RD"]


def pool_with_certainty(
    condition: str,
    measure: Measure = "SMD",
    method: Method = "REML",
    *,
    hksj: bool = False,
    include_nonrandomised: bool = False,
    exclude_high_risk: bool = False,
    correlation: float | None = None,
    diary_deflation: float = 1.0,
) -> tuple[MetaResult, Certainty, pd.DataFrame]:
    """The pooled result of one condition, its GRADE certainty and the rows behind it."""
    opts = dict(
        include_nonrandomised=include_nonrandomised,
        exclude_high_risk=exclude_high_risk,
        correlation=correlation,
        diary_deflation=diary_deflation,
    )
    res = pool_condition(condition, measure, method, hksj=hksj, **opts)  # type: ignore[arg-type]
    rows = analysis_rows(condition, measure, **opts)  # type: ignore[arg-type]
    return res, grade(rows, res, missing_trials(load_studies(condition))), rows


def pooled_by_condition(
    measure: Measure = "SMD",
    method: Method = "REML",
    *,
    hksj: bool = False,
    correlation: float | None = None,
    include_nonrandomised: bool = False,
    exclude_high_risk: bool = False,
) -> pd.DataFrame:
    """Evidence summary per condition (placebo-controlled trials, one row per study).

    Columns: condition, label, k, n_total, estimate, se, ci_low, ci_high, pi_low, pi_high,
    tau2, i2, q_pvalue, pooled (False when k = 1: the single trial's effect is shown, no
    PI/I²), studies, certainty (GRADE: high / moderate / low / very low) and
    certainty_reasons. Ratios (RR/OR) are back-transformed; `se` and `tau2` stay on the log
    scale. Positive SMD/MD favours LDN. Randomised trials only unless `include_nonrandomised`.
    """
    _check_options(method, measure, 0.05)
    rows = []
    for cond in CONDITIONS:
        try:
            res, cert, eff = pool_with_certainty(
                cond,
                measure,
                method,
                hksj=hksj,
                correlation=correlation,
                include_nonrandomised=include_nonrandomised,
                exclude_high_risk=exclude_high_risk,
            )
        except InputError:  # nothing poolable (or MD on different scales)
            continue
        tr: Callable[[float], float] = np.exp if res.is_ratio else (lambda x: x)
        rows.append(
            {
                "condition": cond,
                "label": CONDITIONS[cond],
                "k": res.k,
                "n_total": int(eff["n_total"].sum()),
                "estimate": float(tr(res.estimate)),
                "se": res.se,
                "ci_low": float(tr(res.ci_low)),
                "ci_high": float(tr(res.ci_high)),
                "pi_low": float(tr(res.pi_low)) if res.k >= 2 else float("nan"),
                "pi_high": float(tr(res.pi_high)) if res.k >= 2 else float("nan"),
                "tau2": res.tau2 if res.k >= 2 else float("nan"),
                "i2": res.i2,
                "q_pvalue": res.q_pvalue,
                "pooled": res.k >= 2,
                "studies": "; ".join(eff["study_id"]),
                "certainty": cert.rating,
                "certainty_reasons": "; ".join(cert.reasons),
            }
        )
    cols = [
        "condition",
        "label",
        "k",
        "n_total",
        "estimate",
        "se",
        "ci_low",
        "ci_high",
        "pi_low",
        "pi_high",
        "tau2",
        "i2",
        "q_pvalue",
        "pooled",
        "studies",
        "certainty",
        "certainty_reasons",
    ]
    return pd.DataFrame(rows, columns=cols)


def evidence_summary(condition: str, measure: Measure = "SMD") -> dict[str, object]:
    """Pooled LDN-vs-placebo result of one condition with its certainty, as a plain dict.

    Keys: condition, label, measure, k, n_total, estimate, ci_low, ci_high, pooled, studies,
    certainty {rating, start, reasons, domains}, missing_trials, available (False with a
    `message` when no randomised trial gives a number). For the web cohort page and reports.
    """
    condition = evidence_condition(condition)
    base: dict[str, object] = {
        "condition": condition,
        "label": CONDITIONS[condition],
        "measure": measure,
    }
    try:
        res, cert, eff = pool_with_certainty(condition, measure)
    except InputError as exc:
        return base | {"available": False, "message": str(exc)}
    tr: Callable[[float], float] = np.exp if res.is_ratio else (lambda x: x)
    return base | {
        "available": True,
        "k": res.k,
        "n_total": int(eff["n_total"].sum()),
        "estimate": float(tr(res.estimate)),
        "ci_low": float(tr(res.ci_low)),
        "ci_high": float(tr(res.ci_high)),
        "pooled": res.k >= 2,
        "studies": list(eff["study_id"]),
        "certainty": cert.to_dict(),
        "missing_trials": missing_trials(load_studies(condition)),
    }


def correlation_sensitivity(
    condition: str,
    correlations: Sequence[float] = (0.2, 0.35, 0.5, 0.65, 0.8),
    method: Method = "REML",
) -> pd.DataFrame:
    """Pooled SMD for each assumed within-patient crossover correlation r."""
    rows = []
    for r in correlations:
        res = pool_condition(condition, "SMD", method, correlation=r)
        rows.append(
            {
                "r": r,
                "estimate": res.estimate,
                "ci_low": res.ci_low,
                "ci_high": res.ci_high,
                "i2": res.i2,
            }
        )
    return pd.DataFrame(rows)


def diary_sensitivity(
    condition: str, deflations: Sequence[float] = (1.0, 1.5, 2.0), method: Method = "REML"
) -> pd.DataFrame:
    """Pooled SMD when the t of daily-diary mixed-model rows is divided by each factor f."""
    rows = []
    for f in deflations:
        res = pool_condition(condition, "SMD", method, diary_deflation=f)
        rows.append(
            {"deflation": f, "estimate": res.estimate, "ci_low": res.ci_low, "ci_high": res.ci_high}
        )
    return pd.DataFrame(rows)


def cumulative_meta(
    condition: str,
    measure: Measure = "SMD",
    method: Method = "REML",
    *,
    include_nonrandomised: bool = False,
) -> pd.DataFrame:
    """The pooled effect after each trial, trials in order of publication year (metafor
    `cumul()`): one row per step with study, year, k, estimate, ci_low, ci_high, i2."""
    condition = evidence_condition(condition)
    eff = analysis_rows(condition, measure, include_nonrandomised=include_nonrandomised)
    if eff.empty:
        raise InputError(f"{condition}: no randomised placebo-controlled trial gives a {measure}.")
    rows = []
    for k in range(1, len(eff) + 1):
        sub = eff.iloc[:k]
        res = (
            single_study(float(sub["yi"].iloc[0]), float(sub["vi"].iloc[0]), measure=measure)
            if k == 1
            else pool(sub["yi"].to_numpy(), sub["vi"].to_numpy(), method, measure=measure)
        )
        rows.append(
            {
                "study_id": sub["study_id"].iloc[-1],
                "year": int(sub["year"].iloc[-1]),
                "k": k,
                "n_total": int(sub["n_total"].sum()),
                "estimate": res.estimate,
                "ci_low": res.ci_low,
                "ci_high": res.ci_high,
                "i2": res.i2 if k >= 2 else float("nan"),
            }
        )
    return pd.DataFrame(rows)


__all__ = [
    "correlation_sensitivity",
    "cumulative_meta",
    "diary_sensitivity",
    "evidence_summary",
    "pool_with_certainty",
    "pooled_by_condition",
]
