"""Demo section: the LDN hypothesis chain for 4.5 mg at 22:00 vs 50 mg/day vs placebo."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ldn.demo.section import DemoSection
from ldn.figures import save_figure

_ARMS = (
    ("ldn_bedtime", "4.5 mg at 22:00"),
    ("high_dose", "50 mg at 08:00"),
    ("placebo", "placebo"),
)


def _figure(out_dir: Path) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ldn.parameters import default_parameters
    from ldn.simulation.scenarios import arm_events, chain_columns

    params = default_parameters()
    days = 84
    t = np.arange(0.0, days * 24.0 + 0.5, 0.5)
    fig, axes = plt.subplots(2, 2, figsize=(10, 7), sharex=True)
    for arm, label in _ARMS:
        cols = chain_columns(arm_events(arm, t[-1] + 1.0), t, "crohns", params)
        day = t / 24.0
        daily = cols["net_signalling_rel"][:-1].reshape(days, -1).mean(axis=1)
        axes[0, 0].plot(np.arange(days) + 0.5, daily, label=label)
        axes[0, 1].plot(day, cols["mor_density_rel"], label=f"{label}: MOR")
        axes[0, 1].plot(day, cols["ogf_rel"], ls=":", color=axes[0, 1].lines[-1].get_color())
        axes[1, 0].plot(day, cols["cytokine_index"], label=label)
        axes[1, 1].plot(day, cols["cdai"], label=label)
    axes[0, 0].axhline(1.0, color="grey", lw=0.8)
    axes[0, 0].set_ylabel("daily mean net opioid signalling (rel.)")
    axes[0, 1].set_ylabel("MOR density (solid), OGF production (dotted)")
    axes[1, 0].set_ylabel("cytokine index (rel.)")
    axes[1, 1].set_ylabel("CDAI (expected, blinded)")
    for ax in axes[1]:
        ax.set_xlabel("day")
    for ax in axes.flat:
        ax.legend(fontsize=7)
    fig.suptitle("Seed hypothesis (rebound_brain), Crohn's disease, default parameters")
    fig.tight_layout()
    name = "chain_crohns.png"
    save_figure(fig, out_dir / name)
    return name


def _cell(e: dict) -> str:
    names = ("not_estimable", "prior_dominated", "at_assumed_bound")
    flags = "".join(f" *{f.replace('_', ' ')}*" for f in names if e[f])
    return f"{e['mean']:+.3g} ({e['pi_low']:+.3g} to {e['pi_high']:+.3g}){flags}"


def _weights_table(weights: dict[str, Any]) -> list[str]:
    """Condition × family weight table (pseudo-BMA on the condition's own trials, 95 % interval).

    A condition without a fitted randomised trial gets no numbers: its weights are not
    estimable (its model average uses the pseudo-BMA weights over all fitted trials,
    `weights["untested"]`; docs/model.md part II).
    """
    from ldn.model.chain import CONDITIONS
    from ldn.model.disease import get_condition

    families = list(weights["all"])
    lines = [
        "Family weights per condition (pseudo-BMA on the condition's randomised trials, "
        "weight (95 % interval)):",
        "",
        "| condition | " + " | ".join(f"`{f}`" for f in families) + " |",
        "|---|" + "---|" * len(families),
    ]
    for name in CONDITIONS:
        title = get_condition(name).title
        if name not in weights:
            blank = " | ".join(["–"] * (len(families) - 1))
            lines.append(f"| {title} | not estimable (no randomised trial) | {blank} |")
            continue
        cells = (f"{w['weight']:.2f} ({w['weight_low']:.2f}–{w['weight_high']:.2f})"
                 for w in (weights[name][f] for f in families))  # fmt: skip
        lines.append(f"| {title} | " + " | ".join(cells) + " |")
    return lines


def run(out_dir: Path) -> DemoSection:
    """Mechanism families: weights and model-averaged effects with 95 % intervals per condition."""

    from ldn.mechanisms.plots import plot_checks, plot_hypotheses
    from ldn.mechanisms.report import hypotheses_report, load_posterior
    from ldn.model.chain import CONDITIONS
    from ldn.model.disease import get_condition

    post = load_posterior()
    lines = [
        "The LDN hypothesis as competing mechanism families, each calibrated by Bayes (emcee) to "
        "the randomised trials up to 2024 (docs/model.md part II). Effects are LDN − placebo at "
        "12 weeks on the scale's own units: posterior mean (95 % interval), model-averaged over "
        "the families with the condition's weights (for a condition without a trial, the "
        "pseudo-BMA weights over all fitted trials).",
        "",
        *_weights_table(post.summary["weights"]),
        "",
        "| condition | scale | 4.5 mg at 22:00 | 50 mg daily | evidence |",
        "|---|---|---|---|---|",
    ]  # fmt: skip
    for name in CONDITIONS:
        rep = hypotheses_report(name)
        eff = {(e["scale"], e["regimen"]): e for e in rep["model_average"]["effects"]}
        cond = get_condition(name)
        for scale in cond.scales:
            low = eff[(scale.column, "ldn_4.5mg_22:00")]
            high = eff[(scale.column, "naltrexone_50mg_08:00")]
            lines.append(f"| {cond.title} | {scale.column} | {_cell(low)} | {_cell(high)} "
                         f"| {cond.evidence} |")  # fmt: skip
    loose = [n for n, f in post.summary["families"].items() if not f.get("converged", True)]
    if loose:
        lines += ["", f"Not converged (R-hat > 1.05 or ESS < 200): {', '.join(loose)} — the "
                  "intervals are indicative; refit with `ldn calibrate --steps …`."]  # fmt: skip
    cover = [p["covered"] for f in post.summary["families"].values() for p in f["ppc"]]
    lines += [
        "",
        f"Posterior-predictive coverage of the fitted trials: {sum(cover)}/{len(cover)} "
        "(trial × family pairs inside the 95 % interval). *prior dominated*: the data barely "
        "narrowed the prior; *not estimable*: no randomised trial, interval from the hierarchy.",
    ]
    out_dir.mkdir(parents=True, exist_ok=True)
    figures = [_figure(out_dir)]
    for name, fig in (("hypotheses_crohns.png", plot_hypotheses(hypotheses_report("crohns"))),
                      ("calibration_checks.png", plot_checks())):  # fmt: skip
        save_figure(fig, out_dir / name)
        figures.append(name)
    return DemoSection(title="Mechanism families: rebound, OGF, null — weighed by the trials",
                       markdown="\n".join(lines), figures=tuple(figures))  # fmt: skip
