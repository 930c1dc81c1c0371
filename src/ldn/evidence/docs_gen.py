"""Regenerate the data-driven parts of docs/evidence.md and docs/evidence-changelog.md.

docs/evidence.md contains blocks

    <!-- generated:NAME:start -->
    ...
    <!-- generated:NAME:end -->

that `render_docs(docs_dir)` rewrites from the data (`ldn evidence docs`), together with the
figures in docs/figures/ and docs/evidence-changelog.md. The block `data-hash` records the
SHA-256 of every input file (studies, risk of bias, adverse events, search log, screening,
changelog, evidence parameters); figures are only ever written together with that hash, so a
test that re-renders the text blocks and compares them (and the hash) with the file fails
whenever the data changed without the docs being regenerated — no image bytes compared.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ldn.conditions import CONDITION_NAMES
from ldn.errors import InputError
from ldn.figures import save_figure
from ldn.markdown import markdown_table

if TYPE_CHECKING:
    from ldn.evidence.meta import MetaResult

INPUT_FILES = (
    "studies.csv",
    "risk_of_bias.csv",
    "adverse_events.csv",
    "parameters_evidence.toml",
    "evidence/search_log.csv",
    "evidence/screening.csv",
    "evidence/changelog.csv",
)
FIGURES = {
    "prisma": "evidence_prisma.png",
    "cumulative": "evidence_cumulative_fibromyalgia.png",
    "forest": "evidence_forest_randomised.png",
}
_BLOCK = re.compile(
    r"<!-- generated:(?P<name>[\w-]+):start -->\n(?P<body>.*?)<!-- generated:(?P=name):end -->",
    re.S,
)


def data_hash() -> str:
    """SHA-256 over the evidence input files (name and bytes, in a fixed order)."""
    h = hashlib.sha256()
    root = Path(str(resources.files("ldn") / "data"))
    for name in INPUT_FILES:
        h.update(name.encode())
        h.update((root / name).read_bytes())
    return h.hexdigest()


def _fmt(x: object, nd: int = 2) -> str:
    if isinstance(x, float):
        return "–" if not math.isfinite(x) else f"{x:.{nd}f}"
    return "" if x is None else str(x)


def md_table(frame: pd.DataFrame) -> str:
    """A pipe table (`ldn.markdown`); floats to two decimals, NaN as an en dash."""
    return markdown_table(frame, cell=_fmt)


def _ci(lo: float, hi: float) -> str:
    return f"{lo:.2f} to {hi:.2f}"


def block_prisma() -> str:
    from ldn.evidence.search import prisma_counts, prisma_table

    return (
        md_table(prisma_table(prisma_counts()))
        + f"\n\n![PRISMA 2020 flow](figures/{FIGURES['prisma']})\n"
    )


def block_search_log() -> str:
    from ldn.evidence.search import load_search_log

    return md_table(load_search_log()) + "\n"


def block_pooled() -> str:
    from ldn.evidence import pool_with_certainty, pooled_by_condition

    table = pooled_by_condition()
    rows = []
    for r in table.itertuples(index=False):
        _, cert, _ = pool_with_certainty(r.condition)
        downs = "; ".join(f"{d.domain} −{d.levels}" for d in cert.domains if d.levels) or "none"
        rows.append(
            {
                "condition": r.label,
                "k": r.k,
                "n": r.n_total,
                "SMD": f"{r.estimate:.2f}",
                "95 % CI": _ci(r.ci_low, r.ci_high),
                "I²": f"{r.i2:.0f} %" if r.pooled else "–",
                "certainty": r.certainty,
                "down-graded for": downs,
                "trials": r.studies,
            }
        )
    return md_table(pd.DataFrame(rows)) + "\n"


def block_sensitivity(condition: str = "fibromyalgia") -> str:
    from ldn.evidence import correlation_sensitivity, diary_sensitivity, pool_condition

    rows: list[dict[str, object]] = []

    def add(label: str, res: MetaResult) -> None:
        rows.append(
            {
                "analysis": label,
                "k": res.k,
                "SMD": f"{res.estimate:.2f}",
                "95 % CI": _ci(res.ci_low, res.ci_high),
            }
        )

    add("primary: randomised, REML, r = 0.5", pool_condition(condition))
    add("Hartung–Knapp (HKSJ) CI", pool_condition(condition, hksj=True))
    add("fixed effect", pool_condition(condition, method="FE"))
    add("+ non-randomised (Younger 2009)", pool_condition(condition, include_nonrandomised=True))
    add("without high-risk trials", pool_condition(condition, exclude_high_risk=True))
    for r in correlation_sensitivity(condition).itertuples(index=False):
        rows.append(
            {
                "analysis": f"crossover correlation r = {r.r:.2f}",
                "k": "",
                "SMD": f"{r.estimate:.2f}",
                "95 % CI": _ci(r.ci_low, r.ci_high),
            }
        )
    for r in diary_sensitivity(condition).itertuples(index=False):
        if r.deflation == 1.0:
            continue
        rows.append(
            {
                "analysis": f"diary mixed-model t divided by {r.deflation:g}",
                "k": "",
                "SMD": f"{r.estimate:.2f}",
                "95 % CI": _ci(r.ci_low, r.ci_high),
            }
        )
    return md_table(pd.DataFrame(rows)) + "\n"


def block_cumulative(condition: str = "fibromyalgia") -> str:
    from ldn.evidence import cumulative_meta

    frame = cumulative_meta(condition)
    view = pd.DataFrame(
        {
            "added trial": frame["study_id"],
            "year": frame["year"],
            "k": frame["k"],
            "n": frame["n_total"],
            "pooled SMD": [f"{x:.2f}" for x in frame["estimate"]],
            "95 % CI": [_ci(a, b) for a, b in zip(frame["ci_low"], frame["ci_high"], strict=True)],
        }
    )
    return (
        md_table(view)
        + f"\n\n![Cumulative meta-analysis, {condition}](figures/{FIGURES['cumulative']})\n"
    )


def block_risk_of_bias() -> str:
    from ldn.evidence import load_studies

    s = load_studies()
    s = s[s["risk_of_bias"].notna()].drop_duplicates("study_id")
    cols = [
        "study_id",
        "rob_tool",
        *(f"rob_d{i}" for i in range(1, 8)),
        "risk_of_bias",
        "risk_of_bias_reason",
    ]
    view = (
        s[cols]
        .fillna("")
        .rename(columns={"rob_tool": "tool", **{f"rob_d{i}": f"D{i}" for i in range(1, 8)}})
    )
    return md_table(view.reset_index(drop=True)) + "\n"


def block_unreported() -> str:
    from ldn.evidence import load_studies

    s = load_studies()
    s = s[s["status"] != "reported"].drop_duplicates("study_id")
    view = s[["study_id", "condition", "design", "registry_id", "status", "reported"]]
    return md_table(view.reset_index(drop=True)) + "\n"


def block_new_studies() -> str:
    from ldn.evidence import load_studies
    from ldn.evidence.search import load_changelog

    log = load_changelog()
    studies = load_studies()
    rows = []
    for sid in dict.fromkeys(log.loc[log["change"] == "added", "study_id"]):
        rec = studies[studies["study_id"] == sid].iloc[0]
        n = "" if pd.isna(rec["n_ldn"]) else str(int(rec["n_ldn"]))
        rows.append(
            {
                "study": sid,
                "condition": rec["condition"],
                "design": rec["design"],
                "n (LDN arm or total)": n,
                "status": rec["status"],
                "result": rec["reported"],
            }
        )
    return md_table(pd.DataFrame(rows)) + "\n"


CORE = CONDITION_NAMES  # the modelled conditions, listed first


def _condition_facts(cond: str) -> str:
    from ldn.evidence import CONDITIONS, evidence_summary, load_studies

    studies = load_studies(cond)
    rct = studies[
        studies["design"].isin(["parallel_rct", "crossover_rct"])
        & (studies["status"] == "reported")
        & (studies["comparator"] == "placebo")
    ]
    other = studies[
        ~studies["design"].isin(["parallel_rct", "crossover_rct", "review"])
        & (studies["status"] == "reported")
    ]
    waiting = studies[studies["status"] != "reported"].drop_duplicates("study_id")
    s = evidence_summary(cond)
    head = f"- **{CONDITIONS[cond]}.** "
    if s["available"]:
        cert = s["certainty"]
        downs = "; ".join(r.split(":")[0] for r in cert["reasons"]) or "none"  # type: ignore[index]
        head += (
            f"Randomised placebo-controlled trials with a usable number: {s['k']} "
            f"({', '.join(s['studies'])}; n = {s['n_total']}); "  # type: ignore[arg-type]
            f"SMD {s['estimate']:.2f} (95 % CI {s['ci_low']:.2f} to {s['ci_high']:.2f}); "
            f"GRADE certainty **{cert['rating']}** (down-graded for {downs})."  # type: ignore[index]
        )
    else:
        head += "No randomised placebo-controlled trial gives a usable number."
    n_rct_ids = rct["study_id"].nunique()
    head += (
        f" Randomised trial reports in the dataset: {n_rct_ids}; non-randomised or "
        f"uncontrolled studies: {other['study_id'].nunique()}."
    )
    if not waiting.empty:
        head += (
            " Trials without usable results: "
            + ", ".join(
                f"{a} ({b.replace('_', ' ')})"
                for a, b in zip(waiting["study_id"], waiting["status"], strict=True)
            )
            + "."
        )
    return head


def block_clinician() -> str:
    """One line of facts per condition: the modelled conditions (`ldn.conditions`), then every
    other condition with a randomised trial (reported or registered)."""
    from ldn.evidence import load_studies
    from ldn.evidence.schema import RANDOMISED_DESIGNS

    studies = load_studies()
    rct = studies[studies["design"].isin(RANDOMISED_DESIGNS)]
    others = [c for c in dict.fromkeys(rct["condition"]) if c not in CORE]
    return "\n".join(_condition_facts(c) for c in [*CORE, *others]) + "\n"


BLOCKS: dict[str, Callable[[], str]] = {
    "clinician-facts": block_clinician,
    "data-hash": lambda: f"Generated by `ldn evidence docs` from data hash `{data_hash()[:16]}`.\n",
    "prisma": block_prisma,
    "new-studies": block_new_studies,
    "pooled": block_pooled,
    "sensitivity-fibromyalgia": block_sensitivity,
    "cumulative-fibromyalgia": block_cumulative,
    "risk-of-bias": block_risk_of_bias,
    "unreported": block_unreported,
    "search-log": block_search_log,
}


def render_text(text: str) -> str:
    """`text` with every generated block replaced by its current content."""
    names = {m.group("name") for m in _BLOCK.finditer(text)}
    unknown = names - set(BLOCKS)
    if unknown:
        raise InputError(
            f"docs/evidence.md: unknown generated block(s) {', '.join(sorted(unknown))}"
        )

    def sub(m: re.Match[str]) -> str:
        name = m.group("name")
        return f"<!-- generated:{name}:start -->\n{BLOCKS[name]()}<!-- generated:{name}:end -->"

    return _BLOCK.sub(sub, text)


def _cell(value: object) -> str:
    """A table cell as text; a missing value (None/NaN) is the empty string, never "nan"."""
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def render_changelog() -> str:
    """docs/evidence-changelog.md from data/evidence/changelog.csv."""
    from ldn.evidence.search import load_changelog

    log = load_changelog()
    lines = [
        "# Evidence changelog",
        "",
        "What changed in the LDN evidence base and why. Generated from",
        "`src/ldn/data/evidence/changelog.csv` by `ldn evidence docs`; `ldn evidence add` appends",
        "to that file.",
        "",
    ]
    for date, group in log.groupby("date", sort=False):
        lines += [f"## {date}", ""]
        for r in group.itertuples(index=False):
            sid, url = _cell(r.study_id), _cell(r.url)
            who = f"**{sid}** " if sid else ""
            src = f" ([source]({url}))" if url else ""
            lines.append(f"- {r.change}: {who}— {r.detail}{src}")
        lines.append("")
    return "\n".join(lines)


def write_figures(figures_dir: Path) -> list[Path]:
    """Draw the PRISMA diagram, the fibromyalgia cumulative plot and the randomised forest grid."""
    import matplotlib

    matplotlib.use("Agg")
    from ldn.evidence import CONDITIONS, cumulative_meta, pool_condition, pooled_by_condition
    from ldn.evidence.plots import forest_grid, plot_cumulative
    from ldn.evidence.search import plot_prisma, prisma_counts

    figures_dir.mkdir(parents=True, exist_ok=True)
    conds = list(pooled_by_condition()["condition"])
    figures = {
        "prisma": plot_prisma(prisma_counts()),
        "cumulative": plot_cumulative(
            cumulative_meta("fibromyalgia"),
            title="Fibromyalgia: cumulative meta-analysis (randomised trials)",
        ),
        "forest": forest_grid(
            {CONDITIONS[c]: pool_condition(c) for c in conds},
            title="LDN vs placebo, randomised trials (SMD, REML); > 0 favours LDN",
        ),
    }
    for key, fig in figures.items():
        save_figure(fig, figures_dir / FIGURES[key])
    return [figures_dir / FIGURES[key] for key in figures]


def render_docs(docs_dir: Path, *, check: bool = False) -> list[str]:
    """Rewrite (or with `check`, compare) the generated parts; return the stale file names."""
    evidence_md = docs_dir / "evidence.md"
    changelog_md = docs_dir / "evidence-changelog.md"
    if not evidence_md.is_file():
        raise InputError(f"{evidence_md}: not found; run from the repository root or pass --docs")
    current = evidence_md.read_text(encoding="utf-8")
    want = {evidence_md: render_text(current), changelog_md: render_changelog()}
    stale = [
        p.name
        for p, text in want.items()
        if not p.is_file() or p.read_text(encoding="utf-8") != text
    ]
    stale += [n for n in FIGURES.values() if not (docs_dir / "figures" / n).is_file()]
    if check:
        return stale
    for p, text in want.items():
        p.write_text(text, encoding="utf-8")
    write_figures(docs_dir / "figures")
    return stale


__all__ = ["BLOCKS", "data_hash", "md_table", "render_changelog", "render_docs", "render_text"]
