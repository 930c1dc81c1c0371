"""Figures of the calibration: families side by side, posterior-predictive checks, LOO-PIT."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ldn.mechanisms.report import load_posterior


def plot_hypotheses(report: dict, directory: Path | None = None) -> object:
    """Left: each family's (and the model average's) effects with 95 % intervals; right: the
    condition's fitted trials, observed vs each family's 95 % posterior-predictive interval."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    post = load_posterior(directory)
    rows = [(h["name"], h["effects"]) for h in report["hypotheses"]]
    rows.append(("model average", report["model_average"]["effects"]))
    trials = [t for t in post.summary["trials"] if t["condition"] == report["condition"]]
    n_eff = len(rows[0][1])
    n_lines = max(len(rows), len(trials) * len(rows))
    fig, axes = plt.subplots(1, n_eff + 1, figsize=(3.6 * (n_eff + 1) + 1.6,
                                                    0.3 * n_lines + 1.8))  # fmt: skip
    for j in range(n_eff):
        ax = axes[j]
        for i, (_, effects) in enumerate(rows):
            e = effects[j]
            # a mixture's mean can lie outside its 95 % interval: no negative error bar
            err = [[max(e["mean"] - e["pi_low"], 0.0)], [max(e["pi_high"] - e["mean"], 0.0)]]
            ax.errorbar(e["mean"], i, xerr=err, fmt="o",
                        color="C3" if i == len(rows) - 1 else "C0", capsize=3)  # fmt: skip
        ax.axvline(0, color="grey", lw=0.8)
        ax.set_yticks(range(len(rows)), [r[0] for r in rows] if j == 0 else [""] * len(rows))
        e0 = rows[0][1][j]
        ax.set_title(f"{e0['scale']}, {e0['regimen']}", fontsize=8)
        ax.invert_yaxis()
    _trials_panel(axes[-1], trials, [name for name, _ in rows[:-1]], post.summary)
    fig.tight_layout()
    return fig


def _trials_panel(ax: Any, trials: list[dict], families: list[str], summary: dict) -> None:
    """One block per trial: its label with the observed value (◆, at 0), then one labelled row
    per family with its 95 % posterior-predictive interval; legend outside the axes.

    Trials report on different scales (NRS points, % of baseline, FIQR points), so each block is
    drawn relative to its observed value and divided by the widest family's half-interval."""
    ticks: list[float] = []
    labels: list[str] = []
    block = len(families) + 1
    for k, t in enumerate(trials):
        y0 = k * block
        ppcs = [next(p for p in summary["families"][n]["ppc"] if p["trial"] == t["label"])
                for n in families]  # fmt: skip
        obs = t["observed"]
        half = max(max(0.5 * (p["pp_high"] - p["pp_low"]) for p in ppcs), 1e-9)
        ax.plot(0.0, y0, "kD", label="observed" if k == 0 else None)
        ticks.append(y0)
        labels.append(f"{t['label']}: {obs:+.3g}")
        for i, (name, ppc) in enumerate(zip(families, ppcs, strict=True)):
            ax.plot([(ppc["pp_low"] - obs) / half, (ppc["pp_high"] - obs) / half],
                    [y0 + 1 + i] * 2, color=f"C{i}", lw=2.5,
                    label=name if k == 0 else None)  # fmt: skip
            ticks.append(y0 + 1 + i)
            labels.append(f"  {name}")
        if k:
            ax.axhline(y0 - 0.5, color="0.7", lw=0.6)
    ax.axvline(0.0, color="0.6", lw=0.8)
    ax.set_yticks(ticks, labels, fontsize=7)
    for tick, label in zip(ax.get_yticklabels(), labels, strict=True):
        if not label.startswith(" "):
            tick.set_fontweight("bold")
    ax.invert_yaxis()
    ax.set_title("trials: observed (◆) vs 95 %\nposterior-predictive interval", fontsize=8)
    ax.set_xlabel("(value − observed) ÷ widest half-interval", fontsize=7)
    if trials:
        ax.legend(fontsize=6, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False)
    else:
        ax.text(0.5, 0.5, "no randomised trial", ha="center", transform=ax.transAxes)


def plot_checks(directory: Path | None = None) -> object:
    """Prior- (thin) and posterior-predictive (thick) 95 % intervals of each fitted trial's
    result relative to the observed value, and LOO-PIT per trial; one colour per family."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    post = load_posterior(directory)
    fams = list(post.summary["families"])
    fig, axes = plt.subplots(1, 2, figsize=(11, 0.5 * len(fams) + 2.5))
    trials = [t for t in post.summary["trials"] if t["role"] == "fit"]
    for i, name in enumerate(fams):
        ppc = post.summary["families"][name]["ppc"]
        for k, p in enumerate(ppc):
            y = k + 0.12 * i
            obs = p["observed"]
            scale = max(abs(p["pp_high"] - p["pp_low"]), 1e-9)
            axes[0].plot([(p["pp_low"] - obs) / scale, (p["pp_high"] - obs) / scale], [y, y],
                         color=f"C{i}", lw=3, label=name if k == 0 else None)  # fmt: skip
            lo, hi = np.percentile(post.trial_prior[name][:, k], [2.5, 97.5])
            axes[0].plot([(lo - obs) / scale, (hi - obs) / scale], [y + 0.05] * 2,
                         color=f"C{i}", lw=0.8)  # fmt: skip
        pit = [p["loo_pit"] for p in ppc]
        axes[1].plot(pit, np.arange(len(pit)) + 0.12 * i, "o", color=f"C{i}")
    axes[0].axvline(0, color="k", lw=1)
    axes[0].set_xlim(-4, 4)  # wide prior intervals run off the edge
    axes[0].set_yticks(range(len(trials)), [t["label"] for t in trials], fontsize=7)
    axes[0].set_xlabel(
        "95 % predictive interval − observed (÷ posterior interval width);"
        " thin: prior, thick: posterior"
    )
    axes[0].legend(fontsize=6)
    axes[1].set_xlim(0, 1)
    axes[1].axvspan(0.025, 0.975, color="0.92")
    axes[1].set_yticks(range(len(trials)), [""] * len(trials))
    axes[1].set_xlabel("LOO-PIT (uniform if calibrated)")
    fig.tight_layout()
    return fig
