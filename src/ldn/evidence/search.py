"""The documented literature search: queries run, records screened, the PRISMA 2020 flow.

Data (all under `src/ldn/data/evidence/`):

- `search_log.csv`: one row per query actually run (query_id, date, corpus, query, hits);
- `screening.csv`: one row per distinct record found (a report, registry entry, review or web
  page; mirrors of one record count once), with decision `included`, `excluded` or
  `not_retrieved`, the reason for an exclusion and, when included, the `study_id` it supports;
- `changelog.csv`: what each update added, corrected or changed and why (`ldn evidence add`
  appends to it).

`prisma_counts()` turns them into the PRISMA 2020 flow for an updated review (Page et al.
2021): studies in the previous version, records identified, duplicates removed, records
screened, excluded (with reasons), not retrieved, new studies and reports included, total.
"""

from __future__ import annotations

import itertools
from collections import Counter
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ldn.errors import DataFileError
from ldn.evidence.schema import Column, read_table

if TYPE_CHECKING:
    from matplotlib.figure import Figure

CORPORA = ("pages", "docs", "issues", "code", "find_string", "registry", "reference_list")
DECISIONS = ("included", "excluded", "not_retrieved")
SEARCH_COLUMNS: tuple[Column, ...] = (
    Column("query_id", "str", True),
    Column("date", "str", True),
    Column("corpus", "enum", True, CORPORA),
    Column("query", "str", True),
    Column("hits", "int", True),
)
SCREENING_COLUMNS: tuple[Column, ...] = (
    Column("record_id", "str", True),
    Column("query_id", "str", True),
    Column(
        "record_type",
        "enum",
        True,
        ("article", "registry", "protocol", "review", "news", "web", "other"),
    ),
    Column("citation", "str", True),
    Column("locator", "str", True),
    Column("decision", "enum", True, DECISIONS),
    Column("reason", "str"),
    Column("study_id", "str"),
)
CHANGELOG_COLUMNS: tuple[Column, ...] = (
    Column("date", "str", True),
    Column("change", "enum", True, ("added", "corrected", "removed", "method")),
    Column("study_id", "str"),
    Column("detail", "str", True),
    Column("url", "str"),
)


def evidence_data_path(name: str) -> Path:
    """Path of a file in `ldn/data/evidence/`."""
    return Path(str(resources.files("ldn") / "data" / "evidence" / name))


@cache
def load_search_log() -> pd.DataFrame:
    """The queries run (validated)."""
    return read_table(evidence_data_path("search_log.csv"), SEARCH_COLUMNS)


@cache
def load_screening() -> pd.DataFrame:
    """The records screened (validated: query ids exist, reasons and study ids consistent)."""
    frame = read_table(evidence_data_path("screening.csv"), SCREENING_COLUMNS)
    known = set(load_search_log()["query_id"])
    for i, rec in enumerate(frame.to_dict("records"), start=1):
        if rec["query_id"] not in known:
            raise DataFileError(
                f"screening.csv row {i}, column query_id: {rec['query_id']!r} is not in "
                "search_log.csv"
            )
        if rec["decision"] == "included" and not rec["study_id"]:
            raise DataFileError(
                f"screening.csv row {i}, column study_id: an included record needs its study_id"
            )
        if rec["decision"] != "included" and not rec["reason"]:
            raise DataFileError(
                f"screening.csv row {i}, column reason: give the reason for {rec['decision']}"
            )
    if frame["record_id"].duplicated().any():
        raise DataFileError("screening.csv: record_id values must be unique")
    return frame


def load_changelog() -> pd.DataFrame:
    """The evidence changelog (validated)."""
    return read_table(evidence_data_path("changelog.csv"), CHANGELOG_COLUMNS)


def prisma_counts(studies: pd.DataFrame | None = None) -> dict[str, Any]:
    """PRISMA 2020 flow (updated review) from the search log, screening and changelog.

    Top-level keys: `previous`, `identified`, `duplicates_removed`, `screened`, `excluded`,
    `not_retrieved`, `assessed`, `included`.
    """
    from ldn.evidence.dataset import load_studies

    studies = load_studies() if studies is None else studies
    log, screen, changes = load_search_log(), load_screening(), load_changelog()
    added = [s for s in dict.fromkeys(changes.loc[changes["change"] == "added", "study_id"]) if s]
    all_ids = list(dict.fromkeys(studies["study_id"]))
    missing = [s for s in added if s not in all_ids]
    if missing:
        raise DataFileError(
            f"changelog.csv: added study_id(s) not in studies.csv: {', '.join(missing)}"
        )
    unknown = set(screen["study_id"].dropna()) - set(all_ids) - {""}
    if unknown:
        raise DataFileError(
            f"screening.csv: study_id(s) not in studies.csv: {', '.join(sorted(unknown))}"
        )
    hits = int(log["hits"].sum())
    excluded = screen[screen["decision"] == "excluded"]
    included = screen[screen["decision"] == "included"]
    by_study = studies.drop_duplicates("study_id").set_index("study_id")
    new = [s for s in added if s in by_study.index]
    with_results = [s for s in new if by_study.at[s, "status"] == "reported"]
    randomised = [
        s for s in with_results if by_study.at[s, "design"] in ("parallel_rct", "crossover_rct")
    ]
    return {
        "previous": {"studies": len(all_ids) - len(new)},
        "identified": {
            "records": hits,
            "queries": len(log),
            "by_corpus": {k: int(v) for k, v in log.groupby("corpus")["hits"].sum().items()},
            "search_date": f"{log['date'].min()} to {log['date'].max()}",
        },
        "duplicates_removed": hits - len(screen),
        "screened": len(screen),
        "excluded": {
            "total": len(excluded),
            "reasons": dict(Counter(excluded["reason"]).most_common()),
        },
        "not_retrieved": int((screen["decision"] == "not_retrieved").sum()),
        "assessed": len(included),
        "included": {
            "new_studies": len(new),
            "new_studies_with_results": len(with_results),
            "new_randomised_with_results": len(randomised),
            "new_registered_without_results": len(new) - len(with_results),
            "reports_of_included_studies": len(included),
            "total_studies": len(all_ids),
            "new_study_ids": new,
        },
    }


def prisma_table(counts: dict[str, Any]) -> pd.DataFrame:
    """The PRISMA boxes as a two-column table (box, n) for the CLI and docs."""
    rows = [
        ("Studies included in the previous version", counts["previous"]["studies"]),
        (
            f"Records identified ({counts['identified']['queries']} queries)",
            counts["identified"]["records"],
        ),
        ("Duplicate records removed", counts["duplicates_removed"]),
        ("Records screened", counts["screened"]),
        ("Records excluded", counts["excluded"]["total"]),
        *((f"  excluded: {r}", n) for r, n in counts["excluded"]["reasons"].items()),
        ("Reports not retrieved", counts["not_retrieved"]),
        ("Reports assessed and included", counts["assessed"]),
        ("New studies included", counts["included"]["new_studies"]),
        ("  with results", counts["included"]["new_studies_with_results"]),
        ("  of which randomised", counts["included"]["new_randomised_with_results"]),
        (
            "  registered, no results (ongoing/unreported/withdrawn)",
            counts["included"]["new_registered_without_results"],
        ),
        ("Total studies in the dataset", counts["included"]["total_studies"]),
    ]
    return pd.DataFrame(rows, columns=["box", "n"])


def plot_prisma(counts: dict[str, Any]) -> Figure:
    """A PRISMA 2020 flow diagram (boxes and arrows) drawn with matplotlib."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 7.5), layout="constrained")
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    inc = counts["included"]
    ident, dup = counts["identified"], counts["duplicates_removed"]
    texts = [
        f"Records identified\n({ident['queries']} queries): {ident['records']}",
        f"Records screened after removing\n{dup} duplicates: {counts['screened']}",
        f"Reports assessed and included: {counts['assessed']}\n"
        f"not retrieved: {counts['not_retrieved']}",
        f"New studies included: {inc['new_studies']}\n(with results "
        f"{inc['new_studies_with_results']}, randomised {inc['new_randomised_with_results']};\n"
        f"registered without results {inc['new_registered_without_results']})",
        f"Total studies in the dataset: {inc['total_studies']}\n"
        f"(previous version: {counts['previous']['studies']})",
    ]
    boxes = list(zip([2.8] * 5, [9.2, 7.6, 5.8, 3.8, 1.6], texts, strict=True))
    import textwrap

    reasons = "\n".join(
        textwrap.fill(f"{n}: {r}", 46, subsequent_indent="    ")
        for r, n in counts["excluded"]["reasons"].items()
    )
    for x, y, text in boxes:
        ax.text(
            x,
            y,
            text,
            ha="center",
            va="center",
            fontsize=9,
            bbox={"boxstyle": "round", "fc": "#eef3fb", "ec": "#4a6fa5"},
        )
    for (_, y0, _), (_, y1, _) in itertools.pairwise(boxes):
        ax.annotate(
            "", xy=(2.8, y1 + 0.55), xytext=(2.8, y0 - 0.55), arrowprops={"arrowstyle": "->"}
        )
    ax.text(
        7.5,
        6.6,
        f"Records excluded: {counts['excluded']['total']}\n{reasons}",
        ha="center",
        va="center",
        fontsize=7,
        bbox={"boxstyle": "round", "fc": "#fbeeee", "ec": "#a54a4a"},
    )
    ax.annotate("", xy=(5.0, 6.9), xytext=(4.3, 7.6), arrowprops={"arrowstyle": "->"})
    ax.set_title("PRISMA 2020 flow (updated review)")
    return fig


__all__ = [
    "evidence_data_path",
    "load_changelog",
    "load_screening",
    "load_search_log",
    "plot_prisma",
    "prisma_counts",
    "prisma_table",
]
