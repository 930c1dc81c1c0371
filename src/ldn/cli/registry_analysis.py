"""`ldn registry n-of-1` and `ldn registry report`: analysis commands of the registry group.

`register(app)` adds both commands to the registry Typer group (called from
`ldn.cli.registry`). They read the database given by `--database URL`, else
`LDN_DATABASE_URL`, else the default SQLite file (`ldn.registry.config`), as the local system
user (admin scope). They only read, and a SQLite file must already exist: a mistyped
`--database` is reported, not created.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer


class OutputFormat(StrEnum):
    """How `n-of-1` prints its result."""

    table = "table"
    json = "json"


class PriorKind(StrEnum):
    """Prior for the LDN effect δ."""

    sceptical = "sceptical"
    evidence = "evidence"


_DATABASE = typer.Option(
    None, "--database", help="Registry database URL (default: LDN_DATABASE_URL or SQLite)."
)
_CLINIC = typer.Option(
    None, "--clinic", help="Clinic name or id (when the code exists in several)."
)


def n_of_1(
    patient: str = typer.Option(..., "--patient", help="Pseudonymous patient code, e.g. P-0001."),
    scale: str | None = typer.Option(
        None, "--scale", help="Scale code (das28, pain_nrs, ...); default: the most assessed."
    ),
    plot: Path | None = typer.Option(None, "--plot", help="Write the course plot (.png/.svg)."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table or json."),
    prior: PriorKind = typer.Option(
        PriorKind.sceptical, "--prior", help="sceptical (centred on 0) or evidence (pooled MD)."
    ),
    clinic: str | None = _CLINIC,
    database: str | None = _DATABASE,
) -> None:
    """Bayesian N-of-1 estimate of one patient's change on LDN (AR(1) errors, linear trend)."""
    import json

    from rich.console import Console
    from rich.table import Table

    from ldn.cli._output import check_plot
    from ldn.cli._registry_db import _clinic_id, _open_existing
    from ldn.figures import save_figure
    from ldn.registry.analysis_io import patient_analysis
    from ldn.report.n_of_1_plot import analysis_figure

    check_plot(plot)
    registry = _open_existing(database)
    try:
        clinic_id = _clinic_id(registry, clinic)
        with registry.session() as session:
            analysis = patient_analysis(
                session, patient, scale, clinic_id=clinic_id, prior=prior.value
            )
    finally:
        registry.dispose()
    if plot is not None:
        save_figure(analysis_figure(analysis), plot, option="--plot")
    summary = analysis.summary()
    console = Console()
    if fmt is OutputFormat.json:
        console.print_json(json.dumps(summary, default=float))
        return
    table = Table(title=f"N-of-1: patient {patient}, {summary['scale_label']}")
    table.add_column("quantity")
    table.add_column("value", justify="right")
    for key, value in summary.items():
        table.add_row(key, f"{value:.4g}" if isinstance(value, float) else str(value))
    console.print(table)
    if plot is not None:
        console.print(f"plot written to {plot}")


def report(
    out: Path = typer.Option(..., "--out", help="HTML report file to write."),
    csv: Path | None = typer.Option(None, "--csv", help="Folder for the CSV tables."),
    clinic: str | None = typer.Option(None, "--clinic", help="Only this clinic (name or id)."),
    database: str | None = _DATABASE,
) -> None:
    """Cohort report: responders by condition and dose, adverse events, trial evidence."""
    from rich.console import Console

    from ldn.cli._output import check_folder, make_folder, write_text
    from ldn.cli._registry_db import _clinic_id, _open_existing
    from ldn.registry.analysis_io import cohort_report
    from ldn.report.cohort_html import render_cohort_html

    check_folder(out, "--out")
    if csv is not None:
        make_folder(csv, "--csv")  # a FOLDER option: created (or refused) before any work
    registry = _open_existing(database)
    try:
        clinic_id = _clinic_id(registry, clinic)
        with registry.session() as session:
            cohort = cohort_report(session, clinic_id=clinic_id)
    finally:
        registry.dispose()
    write_text(out, render_cohort_html(cohort))
    console = Console()
    console.print(
        f"cohort report for {cohort.n_patients} patients written to {out}", highlight=False
    )
    if csv is not None:
        for path in cohort.to_csv(csv):
            console.print(f"  {path}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add `n-of-1` and `report` to the registry command group."""
    app.command("n-of-1")(n_of_1)
    app.command("report")(report)
