"""Rich tables for `ldn plan ...` (kept apart from the command definitions)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return " + ".join(f"{v:g}" for v in value) + " mg"
    return f"{value:g}" if isinstance(value, float | int) else str(value)


def print_titration(plan: Any) -> None:
    """The plan's steps; with a step-back rule, the halved dose of each step."""
    rows = plan.rows()
    table = Table(title=plan.regimen().describe())
    columns = [c for c in rows[0] if c != "note"] + (
        ["note"] if any("note" in r for r in rows) else []
    )
    for c in columns:
        table.add_column(c, justify="left" if c == "note" else "right")
    for r in rows:
        table.add_row(*(_fmt(r.get(c, "")) if c != "days" or r[c] else "ongoing" for c in columns))
    console = Console()
    console.print(table)
    data = plan.to_dict()
    if "step_back" in data:
        console.print(data["step_back"]["rule"])
        for src in data["step_back"]["sources"]:
            console.print(
                f"  [{src['kind']}] {src.get('source') or src.get('reason')}",
                markup=False,
                highlight=False,
            )


def print_worksheet(sheet: Any) -> None:
    """The worksheet, its label text and the rules it applied (kind and source)."""
    console = Console()
    table = Table(title=f"Compounding worksheet: {sheet.strength} {sheet.form}, {sheet.quantity}")
    table.add_column("item")
    table.add_column("value", justify="right")
    if sheet.tablets_50mg is not None:
        table.add_row("tablets_50mg", str(sheet.tablets_50mg))
    table.add_row("naltrexone HCl (mg)", f"{sheet.api_mg:g}")
    for name, amount, unit in sheet.ingredients[1:]:
        table.add_row(name, f"{amount:g} {unit}")
    for key, val in sheet.batch.items():
        table.add_row(key, f"{val:g}")
    table.add_row("vehicle / filler", sheet.vehicle)
    table.add_row("beyond_use_days", str(sheet.beyond_use_days))
    table.add_row("beyond_use_date", sheet.beyond_use_date.isoformat())
    table.add_row("storage", sheet.storage)
    console.print(table)
    console.print("[bold]Method[/]")
    for i, step in enumerate(sheet.steps, start=1):
        console.print(f"  {i}. {step}", highlight=False)
    console.print("[bold]Label[/]")
    console.print(sheet.label_text, highlight=False)
    console.print("[bold]Rules applied[/]")
    for r in sheet.rules:
        console.print(f"  {r.citation()}", highlight=False, markup=False)


def print_washout(rows: list[dict[str, Any]], extra: dict[str, Any]) -> None:
    """Washout hours per dose (typical and 5-95 % range), then the reverse question and caveats."""
    console = Console()
    table = Table(title=f"Hours from the last dose until MOR occupancy < {rows[0]['threshold']:g}")
    for c in ("dose_mg", "hours_typical", "hours_p5", "hours_median", "hours_p95", "days_typical"):
        table.add_column(c, justify="right")
    for r in rows:
        table.add_row(
            *(
                f"{r[c]:.1f}" if c != "dose_mg" else f"{r[c]:g}"
                for c in (
                    "dose_mg",
                    "hours_typical",
                    "hours_p5",
                    "hours_median",
                    "hours_p95",
                    "days_typical",
                )
            )
        )
    console.print(table)
    console.print(
        f"Range: {rows[0]['variability']} ({rows[0]['n_patients']} patients, "
        f"seed {rows[0]['seed']}).",
        highlight=False,
    )
    console.print("[bold]After opioids, before (re)starting LDN[/]")
    console.print(extra["restart_after_opioids"]["answer"], highlight=False)
    console.print("[bold]Caveats[/]")
    for c in extra["caveats"]:
        console.print(f"  - {c}", highlight=False)


def print_n_of_1(schedule: Any) -> None:
    """The schedule (pharmacist's view: treatments shown) and the washouts."""
    console = Console()
    table = Table(title=f"N-of-1 schedule (seed {schedule.seed}) — contains the key")
    for c in ("period", "cycle", "start_day", "end_day", "treatment"):
        table.add_column(c, justify="right")
    for p in schedule.periods:
        table.add_row(str(p.number), str(p.cycle), str(p.start_day), str(p.end_day), p.treatment)
    console.print(table)
    console.print(
        f"Washout of {schedule.washout_days} days after each period; "
        f"{schedule.total_days} days in all.",
        highlight=False,
    )
