"""The curated LDN evidence tables: loading with schema checks, effects, per-condition pooling.

`src/ldn/data/studies.csv` holds one row per study × outcome with its source; the schema is
`STUDY_COLUMNS` in `schema.py`. `adverse_events.csv` holds adverse events with counts per arm.
Both are validated on load; a bad cell raises `DataFileError` naming file, row and column
("studies.csv row 12, column n_ldn: 'abc' is not a whole number"). Row numbers count data
rows from 1 (the header is not counted).

Sign convention for comparative effects from the dataset: a positive SMD/MD means LDN is
better than the control (the sign is flipped for scales where lower is better); for counts,
RR/OR > 1 means more responders (or more harm events) on LDN.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from ldn.errors import InputError
from ldn.evidence import effect_sizes as es
from ldn.evidence.meta import MetaResult, Method, _check_options, pool, single_study
from ldn.evidence.schema import (
    AE_COLUMNS,
    CONDITIONS,
    RANDOMISED_DESIGNS,
    STUDY_COLUMNS,
    evidence_condition,
    read_table,
    records,
)


def _data_path(name: str) -> Path:
    return Path(str(resources.files("ldn") / "data" / name))


@cache
def _load_studies_cached() -> pd.DataFrame:
    from ldn.evidence.appraisal import attach_risk_of_bias, validate_rob
    from ldn.evidence.schema import read_raw

    studies = read_table(_data_path("studies.csv"), STUDY_COLUMNS)
    rob = validate_rob(read_raw(_data_path("risk_of_bias.csv")))
    return attach_risk_of_bias(studies, rob)


def load_studies(condition: str | None = None) -> pd.DataFrame:
    """The curated LDN study table (one row per study × outcome), validated; a copy.

    `condition` filters by the condition's code (see `CONDITIONS`; any spelling
    `evidence_condition` accepts, e.g. "lupus" for "sle"). The risk-of-bias
    columns of `risk_of_bias.csv` (`rob_tool`, `rob_d1`…`rob_d7` with reasons,
    `risk_of_bias`, `risk_of_bias_reason`) are merged onto every row they apply to.
    """
    frame = _load_studies_cached().copy()
    if condition is not None:
        condition = evidence_condition(condition)
        frame = frame[frame["condition"] == condition].reset_index(drop=True)
    return frame


def load_adverse_events() -> pd.DataFrame:
    """The adverse-event table (events and n per arm, with source), validated."""
    return read_table(_data_path("adverse_events.csv"), AE_COLUMNS)


def crossover_correlation() -> float:
    """The assumed within-patient correlation for crossover trials (parameters_evidence.toml)."""
    from ldn.parameters import default_parameters

    return default_parameters().value("evidence.crossover_correlation")


def _smd_row(
    rec: dict[str, Any], r: float, diary_deflation: float = 1.0
) -> tuple[float, float] | None:
    """(g, v) with positive = LDN better, or None if this row gives no comparative SMD.

    `diary_deflation` divides the t of rows flagged `diary_mixed_model` (sensitivity analysis:
    a daily-diary mixed model can give a larger t than a paired t on period means)."""
    dt = rec["data_type"]
    flip = -1.0 if rec["lower_is_better"] else 1.0
    n1, n2 = rec["n_ldn"], rec["n_control"]
    if rec["comparator"] == "none":
        return None
    if dt == "means_sd":
        g, v = es.effect_size_smd(
            rec["ldn_mean"], rec["ldn_sd"], n1, rec["control_mean"], rec["control_sd"], n2
        )
        return flip * float(g[0]), float(v[0])
    if dt == "md_ci":
        g_ci, v_ci = es.smd_from_md_ci(rec["md"], rec["md_ci_low"], rec["md_ci_high"], n1, n2)
        return flip * g_ci, v_ci
    if dt == "p_parallel":
        return es.smd_from_p(rec["p_value"], n1, n2, sign=rec["direction"])
    if dt == "p_crossover":
        scale = diary_deflation if rec["diary_mixed_model"] else 1.0
        return es.smd_crossover_from_p(
            rec["p_value"], n1, r, sign=rec["direction"], t_deflation=scale
        )
    if dt == "counts":
        lo, vlo = es.effect_size_2x2(rec["events_ldn"], n1, rec["events_control"], n2, "OR")
        g, v = es.smd_from_log_or(lo, vlo)
        return flip * float(g[0]), float(v[0])  # flip: fewer harm events on LDN is better
    return None


Measure = Literal["SMD", "MD", "RR", "OR", "RD"]


def _row_effect(
    rec: dict[str, Any], measure: Measure, primary_only: bool, r: float, diary_deflation: float
) -> tuple[float, float] | None:
    """(yi, vi) of one dataset row for `measure`, or None when the row does not give it."""
    if measure in ("SMD", "MD") and primary_only and not rec["primary_smd"]:
        return None
    if measure == "SMD":
        return _smd_row(rec, r, diary_deflation)
    if measure == "MD":
        return _md_row(rec)
    if rec["data_type"] != "counts" or (primary_only and not rec["primary_binary"]):
        return None
    y, v = es.effect_size_2x2(
        rec["events_ldn"], rec["n_ldn"], rec["events_control"], rec["n_control"], measure
    )
    return float(y[0]), float(v[0])


def _md_row(rec: dict[str, Any]) -> tuple[float, float] | None:
    if rec["comparator"] == "none" or rec["data_type"] not in ("md_ci", "means_sd"):
        return None
    flip = -1.0 if rec["lower_is_better"] else 1.0
    if rec["data_type"] == "md_ci":
        return flip * rec["md"], es.se_from_ci(rec["md_ci_low"], rec["md_ci_high"]) ** 2
    y, v = es.effect_size_md(
        rec["ldn_mean"],
        rec["ldn_sd"],
        rec["n_ldn"],
        rec["control_mean"],
        rec["control_sd"],
        rec["n_control"],
    )
    return flip * float(y[0]), float(v[0])


def _effect_row(rec: dict[str, Any], got: tuple[float, float]) -> dict[str, Any]:
    n_total = (rec["n_ldn"] or 0) + (
        0 if str(rec["design"]).startswith("crossover") else (rec["n_control"] or 0)
    )
    return {
        "study_id": rec["study_id"],
        "label": f"{rec['study_id']}: {rec['outcome']}",
        "condition": rec["condition"],
        "design": rec["design"],
        "comparator": rec["comparator"],
        "outcome": rec["outcome"],
        "scale": rec["scale"],
        "n_total": n_total,
        "yi": got[0],
        "vi": got[1],
        "derivation": rec["derivation"],
        "year": rec["year"],
        "randomised": rec["design"] in RANDOMISED_DESIGNS,
        "risk_of_bias": rec["risk_of_bias"],
    }


def study_effects(
    measure: Measure = "SMD",
    *,
    condition: str | None = None,
    primary_only: bool = True,
    correlation: float | None = None,
    diary_deflation: float = 1.0,
) -> pd.DataFrame:
    """Per-row effects `yi`, `vi` derived from the dataset where the data allow it.

    SMD: every comparative row with a derivable SMD (see the module docstring for the sign);
    with `primary_only`, only the row marked `primary_smd` per study. MD: rows with a reported
    mean difference (`md_ci` or `means_sd`; with `primary_only`, the `primary_smd` rows), pooled
    only within one scale. RR/OR/RD: rows with
    counts; with `primary_only`, the `primary_binary` rows. Rows against an active comparator
    are kept (column `comparator`) but `pooled_by_condition` uses placebo-controlled rows only.
    """
    if measure not in ("SMD", "MD", "RR", "OR", "RD"):
        raise InputError(f"measure {measure!r} is not one of SMD, MD, RR, OR, RD.")
    r = crossover_correlation() if correlation is None else correlation
    df = load_studies(condition)
    out = []
    for rec in records(df):
        got = _row_effect(rec, measure, primary_only, r, diary_deflation)
        if got is not None:
            out.append(_effect_row(rec, got))
    cols = [
        "study_id",
        "label",
        "condition",
        "design",
        "comparator",
        "outcome",
        "scale",
        "n_total",
        "yi",
        "vi",
        "derivation",
        "year",
        "randomised",
        "risk_of_bias",
    ]
    return pd.DataFrame(out, columns=cols)


def _short(text: str, width: int = 38) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def analysis_rows(
    condition: str,
    measure: Literal["SMD", "MD", "RR", "OR", "RD"] = "SMD",
    *,
    include_nonrandomised: bool = False,
    exclude_high_risk: bool = False,
    correlation: float | None = None,
    diary_deflation: float = 1.0,
) -> pd.DataFrame:
    """The placebo-controlled rows one pool uses: randomised trials only unless
    `include_nonrandomised`; without high/critical risk-of-bias rows if `exclude_high_risk`."""
    condition = evidence_condition(condition)
    eff = study_effects(
        measure, condition=condition, correlation=correlation, diary_deflation=diary_deflation
    )
    keep = eff["comparator"] == "placebo"
    if not include_nonrandomised:
        keep &= eff["randomised"].astype(bool)
    if exclude_high_risk:
        keep &= ~eff["risk_of_bias"].isin(["high", "critical"])
    eff = eff.loc[keep]
    return eff.sort_values(["year", "study_id"], kind="stable").reset_index(drop=True)


def pool_condition(
    condition: str,
    measure: Literal["SMD", "MD", "RR", "OR", "RD"] = "SMD",
    method: Method = "REML",
    *,
    hksj: bool = False,
    correlation: float | None = None,
    include_nonrandomised: bool = False,
    exclude_high_risk: bool = False,
    diary_deflation: float = 1.0,
) -> MetaResult:
    """Pool the placebo-controlled primary rows of one condition (k = 1 gives the study itself).

    The primary analysis uses randomised trials only; `include_nonrandomised` adds
    non-randomised comparisons and `exclude_high_risk` drops trials at high (or critical)
    overall risk of bias — both are sensitivity analyses.
    """
    _check_options(method, measure, 0.05)
    condition = evidence_condition(condition)
    eff = analysis_rows(
        condition,
        measure,
        include_nonrandomised=include_nonrandomised,
        exclude_high_risk=exclude_high_risk,
        correlation=correlation,
        diary_deflation=diary_deflation,
    )
    if measure == "MD" and eff["scale"].nunique() > 1:
        raise InputError(
            f"{condition}: mean differences are on different scales "
            f"({', '.join(eff['scale'].unique())}); use --measure SMD to combine them."
        )
    if eff.empty and load_studies(condition).empty:
        raise InputError(
            f"{condition}: the dataset has no LDN study of {CONDITIONS[condition]} (none was "
            "found in the literature searched; see docs/evidence.md)."
        )
    if eff.empty:
        which = "" if include_nonrandomised else "randomised "
        raise InputError(
            f"{condition}: no placebo-controlled {which}study gives a derivable {measure}"
            f"{' after dropping high-risk trials' if exclude_high_risk else ''}; see "
            f"`ldn evidence list --condition {condition}` for what was reported."
        )
    labels = [f"{s}: {_short(o)}" for s, o in zip(eff["study_id"], eff["outcome"], strict=True)]
    if len(eff) == 1:
        return single_study(
            float(eff["yi"].iloc[0]), float(eff["vi"].iloc[0]), measure=measure, label=labels[0]
        )
    return pool(
        eff["yi"].to_numpy(),
        eff["vi"].to_numpy(),
        method,
        hksj=hksj,
        measure=measure,
        labels=labels,
    )


def adverse_event_table(alpha: float = 0.05) -> pd.DataFrame:
    """Adverse events with rates per arm and Wilson score CIs (`ldn.stats.wilson_interval`;
    Wilson 1927), plus the risk difference LDN − control where a control arm exists (escalc RD
    with its normal CI)."""
    from scipy import stats

    from ldn.stats import wilson_interval

    ae = load_adverse_events()
    z = stats.norm.isf(alpha / 2)

    rows = []
    for rec in records(ae):
        lo, hi = wilson_interval(rec["events_ldn"], rec["n_ldn"], alpha)
        row = {
            "study_id": rec["study_id"],
            "condition": rec["condition"],
            "event": rec["event"],
            "ldn": f"{rec['events_ldn']}/{rec['n_ldn']}",
            "rate_ldn": rec["events_ldn"] / rec["n_ldn"],
            "ci_low_ldn": lo,
            "ci_high_ldn": hi,
            "control": "",
            "rate_control": np.nan,
            "ci_low_control": np.nan,
            "ci_high_control": np.nan,
            "rd": np.nan,
            "rd_ci_low": np.nan,
            "rd_ci_high": np.nan,
        }
        if rec["n_control"] is not None and rec["events_control"] is not None:
            clo, chi = wilson_interval(rec["events_control"], rec["n_control"], alpha)
            rd, vrd = es.effect_size_2x2(
                rec["events_ldn"], rec["n_ldn"], rec["events_control"], rec["n_control"], "RD"
            )
            row.update(
                control=f"{rec['events_control']}/{rec['n_control']}",
                rate_control=rec["events_control"] / rec["n_control"],
                ci_low_control=clo,
                ci_high_control=chi,
                rd=float(rd[0]),
                rd_ci_low=float(rd[0] - z * np.sqrt(vrd[0])),
                rd_ci_high=float(rd[0] + z * np.sqrt(vrd[0])),
            )
        rows.append(row)
    return pd.DataFrame(rows)


__all__ = [
    "CONDITIONS",
    "STUDY_COLUMNS",
    "adverse_event_table",
    "analysis_rows",
    "load_adverse_events",
    "load_studies",
    "pool_condition",
    "study_effects",
]
