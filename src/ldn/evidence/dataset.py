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

from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from ldn.errors import InputError
from ldn.evidence import effect_sizes as es
from ldn.evidence.meta import MetaResult, Method, _check_options, pool, single_study
from ldn.evidence.schema import AE_COLUMNS, CONDITIONS, STUDY_COLUMNS, read_table, records


def _data_path(name: str) -> Path:
    return Path(str(resources.files("ldn") / "data" / name))


@cache
def _load_studies_cached() -> pd.DataFrame:
    return read_table(_data_path("studies.csv"), STUDY_COLUMNS)


def load_studies(condition: str | None = None) -> pd.DataFrame:
    """The curated LDN study table (one row per study × outcome), validated; a copy.

    `condition` filters by the normalised condition code (see `CONDITIONS`).
    """
    frame = _load_studies_cached().copy()
    if condition is not None:
        check_condition(condition)
        frame = frame[frame["condition"] == condition].reset_index(drop=True)
    return frame


def load_adverse_events() -> pd.DataFrame:
    """The adverse-event table (events and n per arm, with source), validated."""
    return read_table(_data_path("adverse_events.csv"), AE_COLUMNS)


def check_condition(condition: str) -> None:
    """Raise `InputError` if `condition` is not a known condition code."""
    if condition not in CONDITIONS:
        raise InputError(
            f"condition {condition!r} is unknown; use one of: {', '.join(CONDITIONS)}."
        )


def crossover_correlation() -> float:
    """The assumed within-patient correlation for crossover trials (parameters_evidence.toml)."""
    from ldn.parameters import default_parameters

    return default_parameters().value("evidence.crossover_correlation")


def _smd_row(rec: dict[str, Any], r: float) -> tuple[float, float] | None:
    """(g, v) with positive = LDN better, or None if this row gives no comparative SMD."""
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
        return es.smd_crossover_from_p(rec["p_value"], n1, r, sign=rec["direction"])
    if dt == "counts":
        lo, vlo = es.effect_size_2x2(rec["events_ldn"], n1, rec["events_control"], n2, "OR")
        g, v = es.smd_from_log_or(lo, vlo)
        return flip * float(g[0]), float(v[0])  # flip: fewer harm events on LDN is better
    return None


def study_effects(
    measure: Literal["SMD", "MD", "RR", "OR", "RD"] = "SMD",
    *,
    condition: str | None = None,
    primary_only: bool = True,
    correlation: float | None = None,
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
        if measure == "SMD":
            if primary_only and not rec["primary_smd"]:
                continue
            got = _smd_row(rec, r)
        elif measure == "MD":
            if primary_only and not rec["primary_smd"]:
                continue
            if rec["comparator"] == "none" or rec["data_type"] not in ("md_ci", "means_sd"):
                continue
            flip = -1.0 if rec["lower_is_better"] else 1.0
            if rec["data_type"] == "md_ci":
                got = (flip * rec["md"], es.se_from_ci(rec["md_ci_low"], rec["md_ci_high"]) ** 2)
            else:
                y, v = es.effect_size_md(
                    rec["ldn_mean"],
                    rec["ldn_sd"],
                    rec["n_ldn"],
                    rec["control_mean"],
                    rec["control_sd"],
                    rec["n_control"],
                )
                got = (flip * float(y[0]), float(v[0]))
        else:
            if rec["data_type"] != "counts" or (primary_only and not rec["primary_binary"]):
                continue
            y, v = es.effect_size_2x2(
                rec["events_ldn"], rec["n_ldn"], rec["events_control"], rec["n_control"], measure
            )
            got = (float(y[0]), float(v[0]))
        if got is None:
            continue
        n_total = (rec["n_ldn"] or 0) + (
            0 if str(rec["design"]).startswith("crossover") else (rec["n_control"] or 0)
        )
        out.append(
            {
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
            }
        )
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
    ]
    return pd.DataFrame(out, columns=cols)


def _short(text: str, width: int = 38) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def pool_condition(
    condition: str,
    measure: Literal["SMD", "MD", "RR", "OR", "RD"] = "SMD",
    method: Method = "REML",
    *,
    hksj: bool = False,
    correlation: float | None = None,
) -> MetaResult:
    """Pool the placebo-controlled primary rows of one condition (k = 1 gives the study itself)."""
    _check_options(method, measure, 0.05)
    check_condition(condition)
    eff = study_effects(measure, condition=condition, correlation=correlation)
    eff = eff[eff["comparator"] == "placebo"]
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
        raise InputError(
            f"{condition}: no placebo-controlled study gives a derivable {measure}; see "
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


def pooled_by_condition(
    measure: Literal["SMD", "MD", "RR", "OR", "RD"] = "SMD",
    method: Method = "REML",
    *,
    hksj: bool = False,
    correlation: float | None = None,
) -> pd.DataFrame:
    """Evidence summary per condition (placebo-controlled trials, one row per study).

    Columns: condition, label, k, n_total, estimate, se, ci_low, ci_high, pi_low, pi_high,
    tau2, i2, q_pvalue, pooled (False when k = 1: the single trial's effect is shown, no
    PI/I²), studies. Ratios (RR/OR) are back-transformed; `se` and `tau2` stay on the log
    scale. Positive SMD/MD favours LDN.
    """
    _check_options(method, measure, 0.05)
    eff = study_effects(measure, correlation=correlation)
    eff = eff[eff["comparator"] == "placebo"]
    rows = []
    for cond in [c for c in CONDITIONS if c in set(eff["condition"])]:
        sub = eff[eff["condition"] == cond]
        try:
            res = pool_condition(cond, measure, method, hksj=hksj, correlation=correlation)
        except InputError:  # MD on different scales within one condition: not poolable
            continue
        tr: Callable[[float], float] = np.exp if res.is_ratio else (lambda x: x)
        rows.append(
            {
                "condition": cond,
                "label": CONDITIONS[cond],
                "k": res.k,
                "n_total": int(sub["n_total"].sum()),
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
                "studies": "; ".join(sub["study_id"]),
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
    ]
    return pd.DataFrame(rows, columns=cols)


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
    "load_adverse_events",
    "load_studies",
    "pool_condition",
    "pooled_by_condition",
    "study_effects",
]
