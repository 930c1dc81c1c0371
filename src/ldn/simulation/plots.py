"""PK and receptor-occupancy figures (matplotlib is imported inside each function)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ldn.figures import save_figure

if TYPE_CHECKING:
    import pandas as pd

    from ldn.model.exposure import Exposure
    from ldn.types import FloatArray


class SimulationResult(Protocol):
    """What the figures read of an `ldn.simulation.SimulationResult` (no import cycle)."""

    @property
    def description(self) -> str: ...

    @property
    def exposure(self) -> Exposure: ...

    @property
    def bands(self) -> dict[str, FloatArray]: ...


def plot_concentrations(results: Sequence[SimulationResult], path: str | Path | None = None) -> Any:
    """Plasma naltrexone and 6β-naltrexol (ng/mL, log axis) over days for each result."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), sharex=True)
    for res in results:
        e = res.exposure
        days = e.t_h / 24.0
        axes[0].plot(days, e.naltrexone_ng_per_ml, label=res.description)
        axes[1].plot(days, e.naltrexol_ng_per_ml, label=res.description)
    for ax, title in zip(axes, ("naltrexone (plasma)", "6β-naltrexol (plasma)"), strict=True):
        ax.set_yscale("log")
        ax.set_ylim(bottom=1e-3)
        ax.set_xlabel("time (days)")
        ax.set_ylabel("ng/mL")
        ax.set_title(title)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    return save_figure(fig, path, tight=True)


def plot_occupancy(results: Sequence[SimulationResult], path: str | Path | None = None) -> Any:
    """MOR, KOR and DOR occupancy (%) over days for each result, 50 % and 90 % marked."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8), sharex=True, sharey=True)
    for res in results:
        e = res.exposure
        days = e.t_h / 24.0
        for ax, occ in zip(axes, (e.mor_occupancy, e.kor_occupancy, e.dor_occupancy), strict=True):
            ax.plot(days, 100 * occ, label=res.description)
    for ax, name in zip(axes, ("mu (MOR)", "kappa (KOR)", "delta (DOR)"), strict=True):
        ax.axhline(50, color="grey", lw=0.8, ls="--")
        ax.axhline(90, color="grey", lw=0.8, ls=":")
        ax.set_ylim(0, 100)
        ax.set_xlabel("time (days)")
        ax.set_title(f"{name} occupancy")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("receptor occupancy (%)")
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    return save_figure(fig, path, tight=True)


def plot_simulation(results: Sequence[SimulationResult], path: str | Path | None = None) -> Any:
    """Concentrations (top) and MOR/KOR/DOR occupancy (bottom) in one figure."""
    import matplotlib.pyplot as plt

    fig, (ax_c, ax_o) = plt.subplots(2, 1, figsize=(10, 7), sharex=True)
    for res in results:
        e = res.exposure
        days = e.t_h / 24.0
        (line,) = ax_c.plot(days, e.naltrexone_ng_per_ml, label=f"naltrexone, {res.description}")
        ax_c.plot(
            days,
            e.naltrexol_ng_per_ml,
            ls="--",
            color=line.get_color(),
            label=f"6β-naltrexol, {res.description}",
        )
        ax_o.plot(
            days, 100 * e.mor_occupancy, color=line.get_color(), label=f"MOR, {res.description}"
        )
        ax_o.plot(days, 100 * e.kor_occupancy, color=line.get_color(), ls="--", label="KOR")
        ax_o.plot(days, 100 * e.dor_occupancy, color=line.get_color(), ls=":", label="DOR")
        ax_o.plot(
            days,
            100 * e.mor_occupancy_plasma,
            color=line.get_color(),
            ls="-.",
            lw=0.9,
            label="MOR, plasma (unbound)",
        )
        _bands(ax_c, ax_o, res, days, line.get_color())
    ax_c.set_yscale("log")
    ax_c.set_ylim(bottom=1e-3)
    ax_c.set_ylabel("plasma concentration (ng/mL)")
    ax_c.legend(fontsize=8)
    ax_c.grid(alpha=0.3)
    ax_o.axhline(50, color="grey", lw=0.8)
    ax_o.set_ylim(0, 100)
    ax_o.set_ylabel("receptor occupancy (%)")
    ax_o.set_xlabel("time (days)")
    ax_o.legend(fontsize=8, ncol=3)
    ax_o.grid(alpha=0.3)
    fig.tight_layout()
    return save_figure(fig, path, tight=True)


def _bands(ax_c: Any, ax_o: Any, res: SimulationResult, days: Any, color: str) -> None:
    """Shade the p5–p95 band of every series that has one (`simulate(..., uncertainty=True)`)."""
    b = res.bands
    for col, ax, scale in (
        ("naltrexone_ng_per_ml", ax_c, 1.0),
        ("naltrexol_ng_per_ml", ax_c, 1.0),
        ("mor_occupancy", ax_o, 100.0),
        ("mor_occupancy_plasma", ax_o, 100.0),
    ):
        if f"{col}_p5" in b:
            ax.fill_between(
                days,
                scale * b[f"{col}_p5"],
                scale * b[f"{col}_p95"],
                color=color,
                alpha=0.18,
                lw=0,
            )


def plot_dose_response(frame: pd.DataFrame, path: str | Path | None = None) -> Any:
    """Steady-state MOR occupancy (peak, mean, trough) and hours > 50 % vs daily dose (log)."""
    import matplotlib.pyplot as plt
    import numpy as np

    fig, ax = plt.subplots(figsize=(9, 4.5))
    dose = frame["dose_mg"]
    ax.plot(dose, 100 * frame["mor_occupancy_peak"], label="peak")
    ax.plot(dose, 100 * frame["mor_occupancy_mean"], label="24-h mean")
    ax.plot(dose, 100 * frame["mor_occupancy_trough"], label="trough (pre-dose)")
    ax.set_xscale("log")
    ax.set_ylim(0, 100)
    ax.set_xlabel("daily dose (mg, log scale)")
    ax.set_ylabel("MOR occupancy at steady state (%)")
    ax2 = ax.twinx()
    ax2.plot(
        dose,
        frame["mor_hours_above_50pct_per_day"],
        color="black",
        ls=":",
        label="hours/day > 50 %",
    )
    ax2.set_ylim(0, 24.5)
    ax2.set_ylabel("hours/day with MOR occupancy > 50 %")
    # shade and name the dose classes; spans meet halfway (log scale) between neighbouring doses
    classes = frame["dose_class"].to_numpy()
    d = dose.to_numpy()
    edges = np.concatenate([[d[0]], np.sqrt(d[1:] * d[:-1]), [d[-1] * 1.15]])
    shades = {
        "ultra-low": "#f2f2f2",
        "very-low": "#e3eef9",
        "low": "#fde9d9",
        "intermediate": "#eeeeee",
        "standard": "#e2f0d9",
    }
    start = 0
    for i in range(1, len(classes) + 1):
        if i == len(classes) or classes[i] != classes[start]:
            lo, hi = edges[start], edges[i]
            ax.axvspan(lo, hi, color=shades.get(classes[start], "#ffffff"), zorder=0)
            ax.text(
                (lo * hi) ** 0.5,
                97,
                classes[start],
                ha="center",
                va="top",
                fontsize=8,
                rotation=90 if hi / lo < 3 else 0,
            )
            start = i
    lines = ax.get_legend_handles_labels()
    lines2 = ax2.get_legend_handles_labels()
    ax.legend(lines[0] + lines2[0], lines[1] + lines2[1], fontsize=8, loc="center left")
    ax.set_title("Dose–response at steady state (daily dosing)")
    fig.tight_layout()
    return save_figure(fig, path, tight=True)
