"""`ldn simulate`: exposure and receptor occupancy of a regimen as a table, CSV or JSON.

JSON shape (`--format json`): an object
    {"regimen": str, "days": float, "step_h": float, "columns": [...],
     "records": [{"t_h": 0.0, "clock_time": "day 1 00:00", "naltrexone_ng_per_ml": ..., ...}, ...],
     "summary": {metric: value, ...}}   (with --uncertainty: {metric: [p5, p50, p95]})
so `pandas.DataFrame(json.load(f)["records"])` restores the time series.  CSV has the same
columns as the records, one row per output time.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import typer

from ldn.cli._options import with_options
from ldn.cli._output import FORMAT_OPTION
from ldn.cli._regimen_options import RegimenOptions


@with_options
def simulate(
    *,
    dosing: RegimenOptions,
    interval_h: float | None = typer.Option(
        None, "--interval-h", help="Dose every N hours instead of daily."
    ),
    events: Path | None = typer.Option(
        None, "--events", help="NONMEM-style event table (CSV) with one subject."
    ),
    missed: str | None = typer.Option(None, "--missed", help="Missed days, e.g. '3,10-12'."),
    adherence: float | None = typer.Option(
        None, "--adherence", help="Probability each dose is taken."
    ),
    seed: int | None = typer.Option(None, "--seed", help="Seed for --adherence draws."),
    days: float = typer.Option(14.0, "--days", help="Days to simulate."),
    step_h: float = typer.Option(1.0, "--step-h", help="Output step in hours."),
    condition: str | None = typer.Option(
        None, "--condition", help="Add rebound/immune/disease columns for this condition."
    ),
    hypothesis: str | None = typer.Option(
        None,
        "--hypothesis",
        help="Mechanism family for --condition (default rebound_brain, the seed's chain); "
        "see `ldn hypotheses`.",
    ),
    pk_model: str | None = typer.Option(
        None,
        "--pk-model",
        help="PK structural variant: brain_retention | metabolite_tail | binding_kinetics "
        "(default: the best fit, see docs/model.md).",
    ),
    uncertainty: bool = typer.Option(
        False, "--uncertainty", help="Add _p5/_p50/_p95 bands over posterior parameter draws."
    ),
    draws: int = typer.Option(200, "--draws", help="Posterior draws used by --uncertainty."),
    fmt: str = FORMAT_OPTION,
    out: Path | None = typer.Option(None, "--out", help="Write csv/json here instead of stdout."),
    plot: Path | None = typer.Option(None, "--plot", help="Write a figure (PNG/SVG/PDF)."),
) -> None:
    """Simulate naltrexone/6β-naltrexol plasma levels and MOR/KOR/DOR occupancy of a regimen."""
    from ldn.cli._output import check_output
    from ldn.errors import InputError

    check_output(fmt, out, plot)
    if draws < 2:
        raise InputError(f"--draws must be at least 2, got {draws}")

    from ldn.simulation import simulate as run

    regimen = dosing.regimen(
        interval_h=interval_h, events_file=events, missed=missed, adherence=adherence, seed=seed
    )
    result = run(
        regimen,
        days=days,
        step_h=step_h,
        condition=condition,
        pk_model=pk_model,
        uncertainty=uncertainty,
        n_draws=draws,
        hypothesis=hypothesis,
    )
    _write_result(result, fmt, out, plot, uncertainty, default_hypothesis=hypothesis is None)


def _write_result(
    result: Any,
    fmt: str,
    out: Path | None,
    plot: Path | None,
    uncertainty: bool,
    *,
    default_hypothesis: bool,
) -> None:
    """Print or write the time series and the final-day metrics; draw `plot`."""
    from ldn.cli._output import write_text
    from ldn.figures import save_figure

    frame = result.to_frame()
    note = _hypothesis_note(result.hypothesis, default_hypothesis)
    if note is not None:
        from ldn.simulation.scenarios import signalling_note

        sign = signalling_note(result.extra, result.exposure.t_h)
        note = note if sign is None else f"{note}\n{sign}"
    summary: dict = result.summary()
    if uncertainty:
        summary = {k: list(v) for k, v in result.summary_ranges().items()}

    if fmt == "table":
        _print_table(result.description, frame, summary, result.step_h)
        if note:
            typer.echo(note)
    else:
        text = _to_text(fmt, result.description, result.days, result.step_h, frame, summary, note)
        if out is None:
            typer.echo(text, nl=False)
        else:
            write_text(out, text)
    if plot is not None:
        save_figure(result.plot(), plot, tight=True, option="--plot")


def _hypothesis_note(name: str | None, default: bool) -> str | None:
    """The mechanism family behind the chain columns, said in the output."""
    if name is None:
        return None
    if default:
        return (f"hypothesis: {name} (the seed's hypothesis, one of several; weights and "
                "intervals: ldn hypotheses --condition …)")  # fmt: skip
    return f"hypothesis: {name}"


def _to_text(
    fmt: str, description: str, days: float, step_h: float, frame: object, summary: dict,
    note: str | None = None,
) -> str:  # fmt: skip
    import json

    import pandas as pd

    from ldn.cli._output import json_value

    assert isinstance(frame, pd.DataFrame)
    if fmt == "csv":
        return str(frame.to_csv(index=False, float_format="%.6g", lineterminator="\n"))
    payload = {
        **({"hypothesis": note.removeprefix("hypothesis: ")} if note else {}),
        "regimen": description,
        "days": days,
        "step_h": step_h,
        "columns": list(frame.columns),
        "records": json.loads(frame.to_json(orient="records", double_precision=10)),
        "summary": json_value(summary),  # NaN (e.g. no trough without doses) → null
    }
    return json.dumps(payload, indent=1) + "\n"


def _cell(column: str, value: object) -> str:
    """Table text of one value, chosen by the unit in the column name."""
    if column.endswith("_occupancy") or "_occupancy_" in column:
        return f"{value:.1%}"
    if column.endswith("_ng_per_ml"):
        return f"{value:.3g}"
    return f"{value:g}" if isinstance(value, float | int) else str(value)


def _print_table(description: str, frame: object, summary: dict, step_h: float) -> None:
    import pandas as pd
    from rich.console import Console
    from rich.table import Table

    from ldn.simulation import CSV_COLUMNS

    assert isinstance(frame, pd.DataFrame)
    console = Console()
    # at most ~48 rows: every k-th output time
    k = max(1, math.ceil(len(frame) / 48))
    columns = ("clock_time", *CSV_COLUMNS)
    table = Table(title=f"{description} (every {k * step_h:g} h)")
    for col in columns:  # fold, not "naltrexo…" twice: the two analytes must stay apart
        table.add_column(col, justify="right", overflow="fold")
    for row in frame.iloc[::k][list(columns)].itertuples(index=False):
        table.add_row(*(_cell(col, v) for col, v in zip(columns, row, strict=True)))
    console.print(table)
    ranged = any(isinstance(v, list) for v in summary.values())
    title = "Metrics over the final 24 h" + (" — p50 [p5–p95] over draws" if ranged else "")
    metrics = Table(title=title)
    metrics.add_column("metric")
    metrics.add_column("value", justify="right")
    for name, value in summary.items():
        if isinstance(value, list):  # p5, p50, p95
            metrics.add_row(name, f"{value[1]:.4g} [{value[0]:.4g}–{value[2]:.4g}]")
        else:
            metrics.add_row(name, f"{value:.4g}")
    console.print(metrics)
