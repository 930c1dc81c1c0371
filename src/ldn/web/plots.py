"""The regimen timeline of the patient page (matplotlib, imported inside the function).

The outcome/N-of-1 plot is the analyst's `PatientAnalysis.png()`; this module draws what it
does not: each prescription as its dose over calendar time (titration steps first, then the
maintenance dose until the stop date or today) with side effects marked on the same axis.
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import TYPE_CHECKING

from ldn.registry.schemas import AdverseEventPublic, PrescriptionPublic

if TYPE_CHECKING:
    from matplotlib.figure import Figure

_SEVERITY_COLOURS = {"mild": "#f2b134", "moderate": "#e0672b", "severe": "#a4262c"}


def dose_steps(rx: PrescriptionPublic, today: date) -> list[tuple[date, date, float]]:
    """(from, to, dose_mg) segments of one prescription: titration steps, then maintenance."""
    end = rx.stop_date or max(today, rx.start_date)
    segments = []
    start = rx.start_date
    for step in rx.titration:
        step_end = min(start + timedelta(days=step.days), end)
        if step_end > start:
            segments.append((start, step_end, float(step.dose_mg)))
        start = step_end
    if end > start or not segments:
        segments.append((start, max(end, start + timedelta(days=1)), float(rx.dose_mg)))
    return segments


def timeline_png(
    prescriptions: list[PrescriptionPublic],
    adverse_events: list[AdverseEventPublic],
    *,
    today: date | None = None,
    dpi: int = 110,
) -> bytes:
    """PNG of the dose over time (one step line per prescription) with side-effect markers."""
    import matplotlib.dates as mdates
    from matplotlib.figure import Figure

    today = today or date.today()
    fig = Figure(figsize=(9.0, 2.4), layout="constrained")
    ax = fig.add_subplot()
    top = 0.0
    for rx in prescriptions:
        for start, end, dose in dose_steps(rx, today):
            # matplotlib draws dates; its type hints only name numbers
            ax.fill_between([start, end], 0, dose, step="post", color="#1f5f8b", alpha=0.35)  # type: ignore[arg-type]
            ax.plot([start, end], [dose, dose], color="#1f5f8b", lw=2)  # type: ignore[arg-type]
            top = max(top, dose)
        label = f"{rx.dose_mg:g} mg at {rx.clock_time}"
        ax.annotate(
            label,
            (rx.start_date, rx.dose_mg),
            xytext=(3, 4),
            textcoords="offset points",
            fontsize=8,
        )
        if rx.stop_date is not None:
            ax.axvline(rx.stop_date, color="#5b6776", lw=1, ls="--")  # type: ignore[arg-type]
    top = top or 4.5
    for ae in adverse_events:
        ax.plot(
            [ae.onset_date],  # type: ignore[arg-type]
            [top * 1.15],
            marker="v",
            ms=8,
            ls="none",
            color=_SEVERITY_COLOURS.get(ae.severity, "#5b6776"),
        )
        ax.annotate(
            ae.event_type.replace("_", " "),
            (ae.onset_date, top * 1.15),
            xytext=(0, 6),
            textcoords="offset points",
            fontsize=7,
            ha="center",
        )
    if not prescriptions and not adverse_events:
        ax.text(
            0.5,
            0.5,
            "no prescriptions yet",
            transform=ax.transAxes,
            ha="center",
            va="center",
            color="#5b6776",
        )
    ax.set_ylim(0, top * 1.45)
    ax.set_ylabel("dose (mg)")
    ax.set_title(
        "Regimen timeline (▼ side effects: mild / moderate / severe)", fontsize=9, loc="left"
    )
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(mdates.AutoDateLocator()))
    ax.grid(alpha=0.3)
    return figure_png(fig, dpi=dpi)


def figure_png(fig: Figure, dpi: int = 110) -> bytes:
    """A matplotlib figure as PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()
