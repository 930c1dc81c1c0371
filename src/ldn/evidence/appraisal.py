"""Risk of bias per study (and outcome): RoB 2 for randomised trials, ROBINS-I for the rest.

`src/ldn/data/risk_of_bias.csv` holds one row per study (an empty `outcome` applies to every
outcome of the study; a filled one overrides it for that outcome). Domains d1…d5 are the RoB 2
domains (randomisation, deviations from intended interventions, missing outcome data,
measurement of the outcome, selection of the reported result; Sterne et al. 2019) and d1…d7
the ROBINS-I domains (confounding, selection of participants, classification of
interventions, deviations, missing data, measurement of outcomes, selection of the reported
result; Sterne et al. 2016). Every judgement carries its reason. `risk_of_bias` is the overall
judgement on one scale for both tools: low / some concerns / high / critical (ROBINS-I
moderate → some concerns, serious → high).

`attach_risk_of_bias` merges these columns onto the study table (flat rows) and checks that
every comparative row with results (comparator placebo or active, not a review, status
reported) has an overall judgement from the right tool.
"""

from __future__ import annotations

import pandas as pd

from ldn.errors import DataFileError
from ldn.evidence.schema import RANDOMISED_DESIGNS, Column, records, validate_table

ROB2_LEVELS = ("low", "some_concerns", "high")
ROBINS_LEVELS = ("low", "moderate", "serious", "critical", "no_information")
OVERALL_LEVELS = ("low", "some concerns", "high", "critical")
ROB2_DOMAINS = (
    "randomisation process",
    "deviations from intended interventions",
    "missing outcome data",
    "measurement of the outcome",
    "selection of the reported result",
)
ROBINS_DOMAINS = (
    "confounding",
    "selection of participants",
    "classification of interventions",
    "deviations from intended interventions",
    "missing data",
    "measurement of outcomes",
    "selection of the reported result",
)
_ROBINS_TO_OVERALL = {"low": "low", "moderate": "some concerns", "serious": "high"}

ROB_COLUMNS: tuple[Column, ...] = (
    Column("study_id", "str", True),
    Column("outcome", "str"),
    Column("tool", "enum", True, ("rob2", "robins_i")),
    *(Column(f"d{i}", "str") for i in range(1, 8)),
    *(Column(f"d{i}_reason", "str") for i in range(1, 8)),
    Column("risk_of_bias", "enum", True, OVERALL_LEVELS),
    Column("risk_of_bias_reason", "str", True),
)
# Column names as they appear on the merged study rows.
MERGED_COLUMNS = (
    "rob_tool",
    *(f"rob_d{i}" for i in range(1, 8)),
    *(f"rob_d{i}_reason" for i in range(1, 8)),
    "risk_of_bias",
    "risk_of_bias_reason",
)


def _check_row(file: str, i: int, rec: dict[str, object]) -> None:
    tool = rec["tool"]
    levels, n = (ROB2_LEVELS, 5) if tool == "rob2" else (ROBINS_LEVELS, 7)
    for d in range(1, 8):
        value, reason = rec[f"d{d}"], rec[f"d{d}_reason"]
        if d > n:
            if value is not None:
                raise DataFileError(f"{file} row {i}, column d{d}: RoB 2 has only 5 domains")
            continue
        if value not in levels:
            raise DataFileError(
                f"{file} row {i}, column d{d}: {value!r} is not one of {', '.join(levels)}"
            )
        if not reason:
            raise DataFileError(
                f"{file} row {i}, column d{d}_reason: every judgement needs a reason"
            )


def validate_rob(raw: pd.DataFrame, file: str = "risk_of_bias.csv") -> pd.DataFrame:
    """Parse and check the risk-of-bias table (levels per tool, a reason per judgement)."""
    frame = validate_table(raw, ROB_COLUMNS, file)
    for i, rec in enumerate(records(frame), start=1):
        _check_row(file, i, rec)
        n = 5 if rec["tool"] == "rob2" else 7
        floor = overall_from_domains(str(rec["tool"]), [str(rec[f"d{d}"]) for d in range(1, n + 1)])
        if OVERALL_LEVELS.index(str(rec["risk_of_bias"])) < OVERALL_LEVELS.index(floor):
            raise DataFileError(
                f"{file} row {i}, column risk_of_bias: {rec['risk_of_bias']!r} is better than "
                f"its worst domain allows ({floor!r})"
            )
    return frame


def overall_from_domains(tool: str, domains: list[str]) -> str:
    """The least severe overall judgement the domains allow: the worst domain (RoB 2
    some_concerns → some concerns; ROBINS-I moderate → some concerns, serious → high). A
    reviewer may rate the overall judgement worse (several 'some concerns' can make it high),
    never better; `validate_rob` checks that."""
    if tool == "rob2":
        if "high" in domains:
            return "high"
        return "some concerns" if "some_concerns" in domains else "low"
    if "critical" in domains:
        return "critical"
    if "serious" in domains:
        return "high"
    return "some concerns" if ("moderate" in domains or "no_information" in domains) else "low"


def needs_rob(rec: dict[str, object]) -> bool:
    """A comparative row with results: it must carry an overall risk-of-bias judgement."""
    return rec["comparator"] != "none" and rec["design"] != "review" and rec["status"] == "reported"


def attach_risk_of_bias(studies: pd.DataFrame, rob: pd.DataFrame) -> pd.DataFrame:
    """Merge RoB columns onto the study rows (outcome-specific rows win) and check coverage."""
    by_study = {r["study_id"]: r for r in records(rob) if not r["outcome"]}
    by_outcome = {(r["study_id"], r["outcome"]): r for r in records(rob) if r["outcome"]}
    out = studies.copy()
    for col in MERGED_COLUMNS:
        out[col] = None
    for idx, rec in zip(out.index, records(studies), strict=True):
        judged = by_outcome.get((rec["study_id"], rec["outcome"])) or by_study.get(
            str(rec["study_id"])
        )
        if judged is None:
            if needs_rob(rec):
                raise DataFileError(
                    f"studies.csv: {rec['study_id']} ({rec['outcome']}) is comparative but has "
                    "no row in risk_of_bias.csv; add its RoB 2 / ROBINS-I judgement."
                )
            continue
        want = "rob2" if rec["design"] in RANDOMISED_DESIGNS else "robins_i"
        if judged["tool"] != want:
            raise DataFileError(
                f"risk_of_bias.csv: {rec['study_id']} is {rec['design']}, so its tool must be "
                f"{want}, not {judged['tool']}."
            )
        out.at[idx, "rob_tool"] = judged["tool"]
        for d in range(1, 8):
            out.at[idx, f"rob_d{d}"] = judged[f"d{d}"]
            out.at[idx, f"rob_d{d}_reason"] = judged[f"d{d}_reason"]
        out.at[idx, "risk_of_bias"] = judged["risk_of_bias"]
        out.at[idx, "risk_of_bias_reason"] = judged["risk_of_bias_reason"]
    unknown = set(by_study) - set(studies["study_id"])
    if unknown:
        raise DataFileError(
            f"risk_of_bias.csv: study_id(s) {', '.join(sorted(unknown))} are not in studies.csv"
        )
    return out


__all__ = [
    "MERGED_COLUMNS",
    "OVERALL_LEVELS",
    "ROB2_DOMAINS",
    "ROBINS_DOMAINS",
    "attach_risk_of_bias",
    "needs_rob",
    "overall_from_domains",
    "validate_rob",
]
