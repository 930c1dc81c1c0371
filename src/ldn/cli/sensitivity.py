"""`ldn sensitivity`: which assumptions the LDN conclusion hinges on (Sobol indices).

    ldn sensitivity --condition crohns [--n 64] [--seed 0] [--tlr4] [--top 10]
                    [--format table|csv|json] [--out FILE] [--plot FILE] [--failure-plot FILE]

Prints parameters ranked by their total Sobol index for each headline output (daily net
signalling at 4.5 mg 22:00; LDN − placebo change on each scale at 12 weeks). `--plot` writes the
index bar chart, `--failure-plot` the map of where the hypothesis fails. A Rich progress bar is
shown on a terminal and nothing when piped.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from ldn.cli._output import FORMAT_OPTION
from ldn.cli._progress import progress_bar
from ldn.conditions import CONDITION_NAMES


def sensitivity(
    condition: str = typer.Option(..., "--condition", "-c", help=" | ".join(CONDITION_NAMES)),
    n: int = typer.Option(64, "--n", help="Sobol' base sample size (power of 2)."),
    seed: int = typer.Option(0, "--seed", help="Seed of the scrambled Sobol' sequence."),
    tlr4: bool = typer.Option(False, "--tlr4", help="Switch the TLR4/microglia path on."),
    top: int = typer.Option(10, "--top", help="Rows per output in the table."),
    fmt: str = FORMAT_OPTION,
    out: Path | None = typer.Option(None, "--out", help="Write csv/json to FILE."),
    plot: Path | None = typer.Option(None, "--plot", help="Bar chart of indices (.png/.svg)."),
    failure_plot: Path | None = typer.Option(
        None, "--failure-plot", help="Failure map: upregulation gain × recovery time (.png)."
    ),
) -> None:
    """Rank the chain's assumptions by Sobol index for one condition; optionally plot."""
    from ldn.cli._output import check_output, check_plot, json_value, write_text
    from ldn.errors import InputError

    check_output(fmt, out, plot)
    check_plot(failure_plot, "--failure-plot")
    if top < 1:
        raise InputError(f"--top {top} must be at least 1.")

    from ldn.model.disease import get_condition
    from ldn.parameters import default_parameters
    from ldn.sensitivity import sobol_analysis

    cond = get_condition(condition)
    params = default_parameters()
    with progress_bar(f"Sobol {cond.name}") as bar:
        progress = bar.update if bar else None
        result = sobol_analysis(cond.name, params, n=n, seed=seed, tlr4=tlr4, progress=progress)
    frame = result.summary_frame()
    if plot is not None:
        result.plot(str(plot))
    if failure_plot is not None:
        _failure_map(cond.name, params, tlr4).plot(str(failure_plot))
    if fmt == "csv":
        text = frame.to_csv(index=False)
    elif fmt == "json":
        text = json.dumps(
            {
                "condition": cond.name,
                "n": n,
                "seed": seed,
                "rows": json_value(frame.to_dict("records")),
            },
            indent=2,
        )
    else:
        _print_tables(frame, cond.title, n, top, (plot, failure_plot))
        return
    if out is not None:
        write_text(out, text)
    else:
        typer.echo(text, nl=False)


def _failure_map(condition: str, params: Any, tlr4: bool) -> Any:
    """The failure map over upregulation gain × receptor recovery time."""
    import numpy as np

    from ldn.sensitivity import failure_map

    tau = params["rebound.receptor_tau_down_d"]  # scanned over its plausible range
    assert tau.low is not None and tau.high is not None  # the file gives its range
    return failure_map(
        condition,
        params,
        # factor on all four upregulation gains: from near none to twice the assumed values
        ("rebound.gain_scale", np.linspace(0.1, 2.0, 12)),
        ("rebound.receptor_tau_down_d", np.geomspace(tau.low, tau.high, 8)),
        tlr4=tlr4,
    )


def _print_tables(
    frame: Any, title: str, n: int, top: int, written: tuple[Path | None, ...]
) -> None:
    """The `top` parameters of each output as a table, then the files written."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    for output, rows in frame.groupby("output", sort=False):
        table = Table(title=f"{title}: {output} (Sobol, N = {n})")
        for col in ("rank", "parameter", "ST", "ST_conf", "S1"):
            table.add_column(col, justify="left" if col == "parameter" else "right")
        for r in rows.head(top).itertuples():
            table.add_row(
                str(r.rank), r.parameter, f"{r.ST:.3f}", f"±{r.ST_conf:.3f}", f"{r.S1:.3f}"
            )
        console.print(table)
    for path in written:
        if path is not None:
            console.print(f"wrote {path}")
