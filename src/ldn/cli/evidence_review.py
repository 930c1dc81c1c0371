"""`ldn evidence prisma | add | cumulative | docs`: the systematic-review side of the evidence.

    ldn evidence prisma [--format table|json] [--out FILE] [--plot FILE]
    ldn evidence add ROWS.csv --reason TEXT [--rob ROB.csv] [--data-dir DIR] [--dry-run]
    ldn evidence cumulative --condition C [--format table|csv|json] [--out FILE] [--plot FILE]
    ldn evidence docs [--docs DIR] [--check]

`prisma` JSON has the PRISMA box names as top-level keys (`previous`, `identified`,
`duplicates_removed`, `screened`, `excluded` with `reasons`, `not_retrieved`, `assessed`,
`included`). `add` validates new rows (schema, source and quote, duplicates, risk of bias,
effect computable) before appending them and a changelog line. `docs --check` exits 1 when
docs/evidence.md, docs/evidence-changelog.md or the figures are out of date with the data.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from ldn.cli._evidence_common import (
    _COND_HELP,
    _condition_title,
    _emit_frame,
    _save_plot,
    _write,
)
from ldn.cli._output import FORMAT_NO_CSV_OPTION, FORMAT_OPTION, check_output, json_value


def prisma_cmd(
    fmt: str = FORMAT_NO_CSV_OPTION,
    out: Path | None = typer.Option(None, "--out", help="Write json here instead of stdout."),
    plot: Path | None = typer.Option(
        None, "--plot", help="Also draw the PRISMA 2020 flow diagram."
    ),
) -> None:
    """PRISMA 2020 flow of the documented search (identified, screened, excluded, included)."""
    from ldn.errors import InputError

    if fmt not in ("table", "json"):
        raise InputError(f"--format {fmt!r}: prisma prints a table or json.")
    check_output(fmt, out, plot)
    from ldn.evidence.search import plot_prisma, prisma_counts, prisma_table

    counts = prisma_counts()
    if fmt == "json":
        _write(json.dumps(json_value(counts), indent=2), out)
    else:
        _emit_frame(prisma_table(counts), "table", None, "PRISMA 2020 flow (updated review)")
    if plot is not None:
        import matplotlib

        matplotlib.use("Agg")
        _save_plot(plot_prisma(counts), plot)


def add_cmd(
    rows: Path = typer.Argument(..., help="CSV with new studies.csv rows (same columns)."),
    reason: str = typer.Option(
        ..., "--reason", help="Why they are added (goes into the changelog)."
    ),
    rob: Path | None = typer.Option(None, "--rob", help="CSV with their risk_of_bias.csv rows."),
    data_dir: Path | None = typer.Option(
        None, "--data-dir", help="Data folder to update (default: the installed ldn/data)."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Only validate; change nothing."),
) -> None:
    """Validate new study rows (schema, source + quote, risk of bias, computable effect), then
    append them to the dataset with a changelog entry."""
    from importlib import resources

    from ldn.evidence.living import add_rows

    folder = data_dir or Path(str(resources.files("ldn") / "data"))
    ids = add_rows(rows, reason, folder, rob_path=rob, dry_run=dry_run)
    verb = "valid (dry run, nothing written)" if dry_run else f"added to {folder / 'studies.csv'}"
    typer.echo(f"{len(ids)} stud{'y' if len(ids) == 1 else 'ies'} {verb}: {', '.join(ids)}")


def cumulative_cmd(
    condition: str = typer.Option(..., "--condition", help=_COND_HELP),
    fmt: str = FORMAT_OPTION,
    out: Path | None = typer.Option(None, "--out", help="Write csv/json here instead of stdout."),
    plot: Path | None = typer.Option(None, "--plot", help="Cumulative plot (PNG/SVG/PDF)."),
    include_nonrandomised: bool = typer.Option(
        False, "--include-nonrandomised", help="Add non-randomised comparisons."
    ),
) -> None:
    """Cumulative meta-analysis: the pooled SMD after each trial, in order of publication."""
    check_output(fmt, out, plot)
    from ldn.evidence import cumulative_meta

    frame = cumulative_meta(condition, include_nonrandomised=include_nonrandomised)
    title = _condition_title(condition)
    _emit_frame(frame, fmt, out, f"{title}: cumulative meta-analysis (SMD, REML)")
    if plot is not None:
        import matplotlib

        matplotlib.use("Agg")
        from ldn.evidence.plots import plot_cumulative

        _save_plot(plot_cumulative(frame, title=f"{title}: cumulative meta-analysis"), plot)


def docs_cmd(
    docs: Path = typer.Option(Path("docs"), "--docs", help="The docs folder (repository docs/)."),
    check: bool = typer.Option(False, "--check", help="Only report stale files; exit 1 if any."),
) -> None:
    """Regenerate the evidence tables and figures in docs/ from the data (one command)."""
    from ldn.evidence.docs_gen import render_docs

    stale = render_docs(docs, check=check)
    if check:
        if stale:
            typer.echo(f"out of date: {', '.join(stale)}; run `ldn evidence docs`", err=True)
            raise typer.Exit(1)
        typer.echo("docs/evidence.md, evidence-changelog.md and figures are up to date")
    else:
        typer.echo(f"regenerated docs/evidence.md, evidence-changelog.md and figures in {docs}")


def register(app: typer.Typer) -> None:
    """Add the review commands (prisma, add, cumulative, docs) to the `ldn evidence` app."""
    app.command("prisma")(prisma_cmd)
    app.command("add")(add_cmd)
    app.command("cumulative")(cumulative_cmd)
    app.command("docs")(docs_cmd)


__all__ = ["register"]
