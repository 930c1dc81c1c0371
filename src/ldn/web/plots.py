"""The regimen timeline of the patient page (matplotlib, imported inside the function).

The outcome/N-of-1 plot is the analyst's `PatientAnalysis.png()`; this module draws what it
does not: each prescription as its dose over calendar time (titration steps first, then the
maintenance dose until the stop date or today) with side effects marked on the same axis.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from ldn.figures import figure_png
from ldn.registry.schemas import AdverseEventPublic, PrescriptionPublic

if TYPE_CHECKING:
    pass

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
    _side_effect_markers(ax, adverse_events, prescriptions, top, today)
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
    rows = max(label_rows(*_label_spans(adverse_events, prescriptions, today)), default=-1) + 1
    ax.set_ylim(0, top * (1.45 + 0.12 * max(rows - 1, 0)))
    ax.set_ylabel("dose (mg)")
    ax.set_title(
        "Regimen timeline (▼ side effects: mild / moderate / severe)", fontsize=9, loc="left"
    )
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(mdates.AutoDateLocator()))
    ax.grid(alpha=0.3)
    return figure_png(fig, dpi=dpi)


_AXES_WIDTH_PX = 830  # the plot area of the 9-inch figure at 110 dpi, about
_LABEL_PX_PER_CHAR = 4.6  # 7-point labels
_LABEL_GAP_PX = 6


def label_rows(starts: list[float], widths: list[float]) -> list[int]:
    """A row for each centred label (centre `starts[i]`, width `widths[i]`, same units) so
    that labels in one row never overlap: the lowest row whose last label ends before it."""
    order = sorted(range(len(starts)), key=lambda i: starts[i])
    row_end: list[float] = []
    rows = [0] * len(starts)
    for i in order:
        left = starts[i] - widths[i] / 2
        for r, end in enumerate(row_end):
            if left > end:
                rows[i] = r
                row_end[r] = starts[i] + widths[i] / 2
                break
        else:
            rows[i] = len(row_end)
            row_end.append(starts[i] + widths[i] / 2)
    return rows


def _label_spans(
    adverse_events: list[AdverseEventPublic], prescriptions: list[PrescriptionPublic], today: date
) -> tuple[list[float], list[float]]:
    """Label centres and widths in days, from the axis span the timeline will show."""
    days = [d.toordinal() for rx in prescriptions for seg in dose_steps(rx, today) for d in seg[:2]]
    days += [ae.onset_date.toordinal() for ae in adverse_events]
    span = max((max(days) - min(days)) * 1.1, 30.0) if days else 30.0
    days_per_px = span / _AXES_WIDTH_PX
    starts = [float(ae.onset_date.toordinal()) for ae in adverse_events]
    widths = [
        (len(_ae_label(ae)) * _LABEL_PX_PER_CHAR + _LABEL_GAP_PX) * days_per_px
        for ae in adverse_events
    ]
    return starts, widths


def _ae_label(ae: AdverseEventPublic) -> str:
    return ae.event_type.replace("_", " ")


def _side_effect_markers(
    ax: object,
    adverse_events: list[AdverseEventPublic],
    prescriptions: list[PrescriptionPublic],
    top: float,
    today: date,
) -> None:
    """▼ at each onset; labels stacked in rows so that none overlap."""
    starts, widths = _label_spans(adverse_events, prescriptions, today)
    rows = label_rows(starts, widths) if adverse_events else []
    for ae, row in zip(adverse_events, rows, strict=True):
        ax.plot(  # type: ignore[attr-defined]
            [ae.onset_date],
            [top * 1.15],
            marker="v",
            ms=8,
            ls="none",
            color=_SEVERITY_COLOURS.get(ae.severity, "#5b6776"),
        )
        ax.annotate(  # type: ignore[attr-defined]
            _ae_label(ae),
            (ae.onset_date, top * 1.15),
            xytext=(0, 6 + 9 * row),
            textcoords="offset points",
            fontsize=7,
            ha="center",
        )
