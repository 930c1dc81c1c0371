"""Demo section: forest plot of the LDN trial evidence and the per-condition summary table."""

from __future__ import annotations

from pathlib import Path

from ldn.demo.summary import DemoSection


def _ci(lo: float, hi: float) -> str:
    return f"{lo:.2f} to {hi:.2f}"


def summary_markdown(measure: str = "SMD", method: str = "REML") -> str:
    """The per-condition evidence table (placebo-controlled trials) as Markdown."""
    from ldn.evidence import pooled_by_condition

    table = pooled_by_condition(measure, method)  # type: ignore[arg-type]
    head = "| condition | k | n | pooled effect | 95 % CI | 95 % PI | I² |"
    rows = [head, "|---|---:|---:|---:|---|---|---:|"]
    for r in table.itertuples(index=False):
        pi = _ci(r.pi_low, r.pi_high) if r.pooled else "– (k = 1)"
        i2 = f"{r.i2:.0f} %" if r.pooled else "–"
        rows.append(
            f"| {r.label} | {r.k} | {r.n_total} | {r.estimate:.2f} | {_ci(r.ci_low, r.ci_high)} "
            f"| {pi} | {i2} |"
        )
    return "\n".join(rows)


def run(out_dir: Path) -> DemoSection:
    """Pool the LDN dataset per condition (SMD, REML), draw the forest plots, write the tables."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ldn.evidence import (
        CONDITIONS,
        adverse_event_table,
        load_studies,
        pool_condition,
        study_effects,
    )
    from ldn.evidence.plots import forest_grid

    eff = study_effects("SMD")
    conds = [
        c for c in CONDITIONS if c in set(eff.loc[eff["comparator"] == "placebo", "condition"])
    ]
    results = {CONDITIONS[c]: pool_condition(c, "SMD", "REML") for c in conds}
    fig = forest_grid(results, title="LDN vs placebo, SMD (Hedges' g, REML); > 0 favours LDN")
    figs = ("evidence_forest.png",)
    fig.savefig(out_dir / figs[0], dpi=120)  # type: ignore[attr-defined]
    plt.close("all")
    ae = adverse_event_table()
    ae.to_csv(out_dir / "evidence_adverse_events.csv", index=False, float_format="%.4g")
    studies = load_studies()
    n_rct = studies.loc[
        studies["design"].isin(["parallel_rct", "crossover_rct"]), "study_id"
    ].nunique()
    fm = results.get(CONDITIONS["fibromyalgia"])
    hk = pool_condition("fibromyalgia", "SMD", "REML", hksj=True)
    text = (
        f"{studies['study_id'].nunique()} publications ({len(studies)} study × outcome rows; "
        f"{n_rct} report randomised trials) are curated in `src/ldn/data/studies.csv`, each "
        "with its source and a quote. Effects are pooled per condition from the "
        "placebo-controlled trials, one outcome per trial, as standardised mean differences "
        "(Hedges' g; SMDs from crossover p-values assume a within-patient correlation of 0.5). "
        "Positive values favour LDN.\n\n"
        + summary_markdown()
        + "\n\n"
        + (
            f"Fibromyalgia is the only condition with more than one trial: g = {fm.estimate:.2f} "
            f"(95 % CI {_ci(fm.ci_low, fm.ci_high)}); with the Hartung–Knapp adjustment the "
            f"interval widens to {_ci(hk.ci_low, hk.ci_high)}. The largest and only parallel, "
            "adequately blinded trial (FINAL, n = 99) alone shows a small, non-significant effect. "
            if fm is not None
            else ""
        )
        + "No lupus study and no randomised trial in RA or psoriasis was found. Adverse events "
        "(rates with Wilson intervals) are in `evidence_adverse_events.csv`; details in "
        "docs/evidence.md.\n"
    )
    return DemoSection(
        title="Evidence: LDN trials pooled per condition",
        markdown=text,
        figures=figs,
        files=("evidence_adverse_events.csv",),
    )
