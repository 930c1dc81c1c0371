"""Output helpers shared by the `ldn evidence` command modules (tables, text, figures)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from ldn.cli._output import json_value, write_text
from ldn.conditions import CONDITION_NAMES
from ldn.figures import save_figure

if TYPE_CHECKING:
    import pandas as pd

_COND_HELP = (
    f"Condition: {', '.join(CONDITION_NAMES)} (or a title or alias, e.g. lupus) or another "
    "code of the evidence dataset (arthritis, long_covid, ...)."
)


def _emit_frame(frame: pd.DataFrame, fmt: str, out: Path | None, title: str) -> None:
    if fmt == "table":
        from rich.console import Console
        from rich.table import Table

        table = Table(title=title, show_lines=False)
        for col in frame.columns:
            table.add_column(str(col), overflow="fold")
        for rec in frame.itertuples(index=False):
            table.add_row(*[_fmt(v) for v in rec])
        Console().print(table)
        return
    text = (
        frame.to_csv(index=False)
        if fmt == "csv"
        else json.dumps(json_value(frame.to_dict("records")), indent=2)
    )
    _write(text, out)


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return (
            "" if not math.isfinite(v) else f"{v:.3g}" if abs(v) < 1e-3 and v != 0 else f"{v:.3f}"
        )
    return "" if v is None or (hasattr(v, "__class__") and str(v) in ("<NA>", "nan")) else str(v)


def _write(text: str, out: Path | None) -> None:
    if out is None:
        typer.echo(text)
    else:
        write_text(out, text if text.endswith("\n") else text + "\n")
        typer.echo(f"wrote {out}", err=True)


def _condition_title(name: str) -> str:
    """The evidence title of condition `name` (a code, title or alias; `fm` → Fibromyalgia)."""
    from ldn.evidence.schema import CONDITIONS, evidence_condition

    return CONDITIONS[evidence_condition(name)]


def _save_plot(fig: Any, plot: Path) -> None:
    save_figure(fig, plot, option="--plot")
    typer.echo(f"wrote {plot}", err=True)
