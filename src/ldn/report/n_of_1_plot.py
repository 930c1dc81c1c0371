"""Plot of one patient's course with the N-of-1 estimate (PNG bytes via `ldn.figures`).

`analysis_figure`/`analysis_png` draw a `ldn.analysis.course.PatientAnalysis`; used by the CLI
(`ldn registry n-of-1 --plot`), the web patient page and the HTML cohort report. Matplotlib is
imported inside the functions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ldn.analysis.course import PatientAnalysis, PatientCourse, day_number, on_flags
from ldn.analysis.n_of_1 import NOf1Result
from ldn.figures import figure_png

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def plot_course(
    course: PatientCourse, result: NOf1Result | None = None, *, ax: Axes | None = None
) -> Figure:
    """Matplotlib figure of the patient's course.

    Assessments over calendar time, LDN periods shaded, the fitted posterior-mean lines before
    and on LDN, a band from the off-LDN line to one MID better (during LDN), and a box with δ
    (95 % CrI) and P(improvement ≥ MID). `result=None` draws the course alone (e.g. too few points).
    """
    import matplotlib.dates as mdates
    from matplotlib.figure import Figure

    scale = course.scale
    if ax is None:
        fig = Figure(figsize=(9.0, 3.8), layout="constrained")
        ax = fig.add_subplot()
    else:
        fig = ax.get_figure(root=True)  # type: ignore[assignment]  # never None for a drawn Axes
    dates = np.sort(np.asarray(course.dates, dtype="datetime64[D]"))
    order = np.argsort(np.asarray(course.dates, dtype="datetime64[D]"), kind="stable")
    values = np.asarray(course.values, dtype=float)[order]
    end = dates.max() if dates.size else np.datetime64("today", "D")
    for i, (start, stop) in enumerate(course.periods):
        stop_d = end if stop is None else np.datetime64(stop, "D")  # type: ignore[call-overload]
        dose = f" {course.doses_mg[i]:g} mg" if i < len(course.doses_mg) else ""
        ax.axvspan(
            np.datetime64(start, "D"),  # type: ignore[call-overload]  # numpy stubs lack (datetime64, unit)
            stop_d,  # type: ignore[arg-type]
            color="tab:green",
            alpha=0.12,
            label=f"LDN{dose}" if i == 0 else None,
        )
    ax.plot(dates, values, "o", color="black", ms=4, label="assessment")
    if result is not None and dates.size:
        days = dates.astype("int64").astype(float)
        grid_days = np.linspace(days.min(), days.max(), 200)
        grid = grid_days.astype("int64").astype("datetime64[D]")
        base = result.fitted(grid_days, np.zeros_like(grid_days))
        periods = [(day_number(a), None if b is None else day_number(b)) for a, b in course.periods]
        on = on_flags(grid_days, periods) == 1.0
        ax.plot(grid, base, "--", color="tab:blue", lw=1, label="fit, off LDN")
        better = -result.mid if result.lower_is_better else result.mid
        ax.fill_between(
            grid,
            np.where(on, base, np.nan),
            np.where(on, base + better, np.nan),
            color="tab:orange",
            alpha=0.18,
            label=f"within one MID ({result.mid:g}) of no change",
        )
        fit_on = np.where(on, base + result.delta_mean, np.nan)
        ax.plot(grid, fit_on, "-", color="tab:green", lw=2, label="fit, on LDN")
        lo, hi = result.delta_ci95
        text = (
            f"δ = {result.delta_mean:+.2f}\n95% CrI {lo:+.2f} to {hi:+.2f}\n"
            f"P(improvement ≥ MID)\n  = {result.p_improvement_ge_mid:.2f} (MID {result.mid:g})"
        )
        ax.text(
            1.02,
            0.98,
            text,
            transform=ax.transAxes,
            va="top",
            fontsize=8,
            bbox={"boxstyle": "round", "facecolor": "white", "edgecolor": "0.6"},
        )
    if values.size == 0:
        ax.set_ylim(scale.min, scale.max)
    direction = "lower is better" if scale.lower_is_better else "higher is better"
    ax.set_ylabel(f"{scale.label} ({direction})")
    ax.set_title(f"Patient {course.patient_code}: {scale.label}")
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(ax.xaxis.get_major_locator()))
    ax.legend(loc="lower left", bbox_to_anchor=(1.02, 0.0), fontsize=7, frameon=False)
    return fig


def analysis_figure(analysis: PatientAnalysis) -> Figure:
    """The course plot of an analysis (with the estimate when evaluable)."""
    return plot_course(analysis.course, analysis.result)


def analysis_png(analysis: PatientAnalysis, dpi: int = 110) -> bytes:
    """The course plot of an analysis as PNG bytes."""
    return figure_png(analysis_figure(analysis), dpi=dpi)
