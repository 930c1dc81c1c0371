"""Demo section: the LDN hypothesis chain for 4.5 mg at 22:00 vs 50 mg/day vs placebo."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ldn.demo.summary import DemoSection

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
    from ldn.simulate.scenarios import arm_events, chain_columns

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
    fig.suptitle("LDN hypothesis chain, Crohn's disease (default parameters)")
    fig.tight_layout()
    name = "chain_crohns.png"
    fig.savefig(out_dir / name, dpi=110)
    plt.close(fig)
    return name


def run(out_dir: Path) -> DemoSection:
    """Headline outputs for all six conditions and a figure of the chain for Crohn's disease."""
    from ldn.model.chain import CONDITIONS, get_condition
    from ldn.parameters import default_parameters
    from ldn.simulate.scenarios import headline

    params = default_parameters()
    lines = [
        "Net opioid signalling is ligand × free receptor relative to the untreated 24-h mean; "
        "disease changes are expected LDN − placebo differences at 12 weeks "
        "(docs/model.md part II).",
        "",
    ]
    first = headline(CONDITIONS[0], params)
    s = first.signalling
    lines += [
        f"Daily net signalling on day 84: 4.5 mg 22:00 **{s['ldn_bedtime']:.3f}**, "
        f"4.5 mg 08:00 {s['ldn_morning']:.3f}, 50 mg/day {s['high_dose']:.3f} (baseline 1).",
        "",
        "| condition | scale | 4.5 mg 22:00 | 4.5 mg 08:00 | 50 mg/day | evidence |",
        "|---|---|---|---|---|---|",
    ]
    for name in CONDITIONS:
        h = headline(name, params)
        cond = get_condition(name)
        for col, d in h.vs_placebo.items():
            lines.append(
                f"| {cond.title} | {col} | {d['ldn_bedtime']:+.2f} | {d['ldn_morning']:+.2f} "
                f"| {d['high_dose']:+.2f} | {cond.evidence} |"
            )
    out_dir.mkdir(parents=True, exist_ok=True)
    figure = _figure(out_dir)
    return DemoSection(title="Model chain: rebound → immune → disease", markdown="\n".join(lines),
                       figures=(figure,))  # fmt: skip
