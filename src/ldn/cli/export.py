"""`ldn export sbml`: the single-patient model as SBML Level 3 Version 2."""

from __future__ import annotations

from pathlib import Path

import typer

from ldn.cli._options import with_options
from ldn.cli._regimen_options import RegimenOptions

app = typer.Typer(help="Export the model to exchange formats.", no_args_is_help=True)


@app.command("sbml")
@with_options
def sbml(
    *,
    out: Path = typer.Option(Path("model.xml"), "--out", help="SBML file to write."),
    condition: str = typer.Option("ms", "--condition", help="Condition (disease module)."),
    dosing: RegimenOptions,
    days: int = typer.Option(84, "--days", help="Days of doses written as SBML events."),
    placebo: bool = typer.Option(False, "--placebo/--no-placebo", help="Placebo response on."),
    pk_model: str | None = typer.Option(
        None,
        "--pk-model",
        help="Fitted linear PK variant (brain_retention | metabolite_tail; default: the fitted "
        "default, which drives every output).",
    ),
) -> None:
    """Write PK → occupancy → chain → score of a typical patient, dosing as SBML events."""
    from ldn.cli._output import check_folder, write_text
    from ldn.errors import InputError
    from ldn.export.sbml import build_sbml
    from ldn.parameters import default_parameters

    check_folder(out, "--out")
    if not 1 <= days <= 3650:
        raise InputError(f"--days {days} must lie between 1 and 3650")
    regimen = dosing.regimen()
    t_h, d_mg = regimen.scheduled(days * 24.0)
    model = build_sbml(
        default_parameters(), condition, t_h, d_mg, placebo=placebo, pk_model=pk_model
    )
    write_text(out, model.xml)
    typer.echo(f"wrote {out} ({len(model.dose_ids)} dose events, {regimen.describe()})")
