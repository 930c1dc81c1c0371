"""`ldn registry …`: create, migrate, fill, import, export and FHIR-export the clinic registry.

Every command takes `--database URL` (else `LDN_DATABASE_URL`, else the default SQLite file in
the user data directory; see `ldn.registry.config`). The CLI is a local administration tool:
commands run as the built-in system admin and are written to the audit log as user "system".
Errors are printed as one message (exit code 2). The analysis commands `n-of-1` and `report`
come from `ldn.cli.registry_analysis` and are attached at the bottom of this module.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from ldn.cli._registry_db import _clinic_id, _database_errors, _open, _where

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


registry_app = typer.Typer(
    name="registry",
    help="Clinic registry: database, users, demo data, CSV import/export, FHIR export.",
    no_args_is_help=True,
)
app = registry_app  # the name `ldn.cli.main` registers

_DATABASE = typer.Option(
    None,
    "--database",
    help="Database URL (default: LDN_DATABASE_URL or the user-data SQLite file).",
)
_CLINIC = typer.Option(None, "--clinic", help="Clinic name or id (needed when there are several).")


@registry_app.command("init")
def init(database: str | None = _DATABASE) -> None:
    """Create the database (or bring it up to date) and say where it is."""
    from rich.console import Console

    from ldn.registry.db import current_revision

    reg = _open(database)
    Console().print(f"registry ready at {_where(reg)} (schema {current_revision(reg.engine)})")
    reg.dispose()


@registry_app.command("migrate")
def migrate(
    revision: str = typer.Option("head", "--revision", help="Target revision (default head)."),
    down: bool = typer.Option(False, "--down", help="Downgrade to --revision (e.g. base)."),
    database: str | None = _DATABASE,
) -> None:
    """Upgrade (or with --down, downgrade) the schema with the shipped Alembic migrations."""
    from rich.console import Console

    from ldn.registry.db import current_revision, downgrade, make_engine, upgrade

    engine: Engine = make_engine(database)
    try:
        with _database_errors(database):
            before = current_revision(engine)
            (downgrade if down else upgrade)(engine, revision)
            after = current_revision(engine)
    finally:
        engine.dispose()
    Console().print(f"schema {before or 'empty'} → {after or 'empty'}")


@registry_app.command("demo-data")
def demo_data(
    patients: int = typer.Option(60, "--patients", help="Number of synthetic patients."),
    seed: int = typer.Option(1, "--seed", help="Random seed."),
    database: str | None = _DATABASE,
) -> None:
    """Fill an empty registry with demo clinics, users and model-generated patients."""
    from rich.console import Console
    from rich.table import Table

    from ldn.registry.demo_data import fill_demo

    reg = _open(database)
    console = Console()
    with console.status("simulating patients with the model chain…"), reg.session() as s:
        summary = fill_demo(session=s, n_patients=patients, seed=seed)
    table = Table(title="Demo users (passwords are public: demo use only)")
    for col in ("username", "password", "role"):
        table.add_column(col)
    for row in summary.users:
        table.add_row(*row)
    console.print(table)
    made = ", ".join(f"{n} {k.replace('_', ' ')}s" for k, n in summary.created.items())
    console.print(f"created {made} in {', '.join(summary.clinics)} at {_where(reg)}")
    console.print(
        "start the web app with: ldn serve" + (f" --database {database}" if database else "")
    )
    reg.dispose()


@registry_app.command("create-clinic")
def create_clinic(
    name: str = typer.Argument(..., help="Clinic name."), database: str | None = _DATABASE
) -> None:
    """Add a clinic."""
    from rich.console import Console

    from ldn.registry import services as svc
    from ldn.registry.permissions import SYSTEM

    reg = _open(database)
    with reg.session() as s:
        clinic = svc.create_clinic(session=s, actor=SYSTEM, data={"name": name})
    Console().print(f"created clinic {clinic.name!r} (id {clinic.id})")
    reg.dispose()


@registry_app.command("create-user")
def create_user(
    username: str = typer.Argument(..., help="Login name."),
    role: str = typer.Option(..., "--role", help="admin, clinician or researcher."),
    clinic: str | None = _CLINIC,
    password: str | None = typer.Option(
        None, "--password", help="Password (prompted for, hidden, when not given)."
    ),
    database: str | None = _DATABASE,
) -> None:
    """Add a user with an argon2-hashed password."""
    from rich.console import Console

    from ldn.registry import services as svc
    from ldn.registry.permissions import SYSTEM

    if password is None:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    reg = _open(database)
    clinic_id = _clinic_id(reg, clinic)
    with reg.session() as s:
        user = svc.create_user(
            session=s,
            actor=SYSTEM,
            data={"username": username, "password": password, "role": role, "clinic_id": clinic_id},
        )
    Console().print(f"created {user.role} {user.username!r} (id {user.id})")
    reg.dispose()


@registry_app.command("import")
def import_(
    file: Path = typer.Argument(..., help="CSV file in the registry format (docs/registry.md)."),
    clinic: str | None = _CLINIC,
    database: str | None = _DATABASE,
) -> None:
    """Import a CSV file, all or nothing; every problem is listed by row and column, and every
    row read in an old spelling gets a note (stderr) naming the new one."""
    from rich.console import Console

    from ldn.errors import DataFileError
    from ldn.registry.import_export import import_csv
    from ldn.registry.permissions import SYSTEM

    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(f"{file}: cannot read the file as UTF-8 text: {exc}") from None
    reg = _open(database)
    clinic_id = _clinic_id(reg, clinic)
    with reg.session() as s:
        summary = import_csv(session=s, actor=SYSTEM, text=text, clinic_id=clinic_id)
    made = ", ".join(f"{n} {k.replace('_', ' ')}(s)" for k, n in summary.created.items())
    Console().print(f"imported {made or 'nothing'} from {file}")
    for note in summary.notes:  # rows read in an old spelling: say how to write them now
        typer.echo(f"ldn: note: {note}", err=True)
    reg.dispose()


@registry_app.command("export")
def export(
    file: Path = typer.Argument(..., help="CSV file to write."),
    clinic: str | None = _CLINIC,
    database: str | None = _DATABASE,
    raw: bool = typer.Option(
        False,
        "--raw",
        help="Write stored values unchanged (for a round trip into another registry). Without "
        "it, cells starting with = + - @ get a leading ' so spreadsheets do not run them.",
    ),
) -> None:
    """Export a clinic's records as CSV (the import format)."""
    from rich.console import Console

    from ldn.cli._output import check_folder, write_text
    from ldn.registry.csv_export import export_csv
    from ldn.registry.permissions import SYSTEM

    check_folder(file, "FILE")
    reg = _open(database)
    clinic_id = _clinic_id(reg, clinic)
    with reg.session() as s:
        text = export_csv(session=s, actor=SYSTEM, clinic_id=clinic_id, raw=raw)
    write_text(file, text, "FILE")
    Console().print(f"wrote {text.count(chr(10)) - 1} rows to {file}")
    reg.dispose()


@registry_app.command("fhir")
def fhir(
    patient: list[str] = typer.Option(..., "--patient", help="Patient code (repeat for several)."),
    out: Path = typer.Option(..., "--out", help="JSON file to write the FHIR R4 Bundle to."),
    clinic: str | None = _CLINIC,
    database: str | None = _DATABASE,
) -> None:
    """Export patients as a FHIR R4 Bundle (validated with fhir.resources)."""
    from rich.console import Console

    from ldn.cli._output import check_folder, write_text
    from ldn.registry import services as svc
    from ldn.registry.fhir import export_fhir
    from ldn.registry.permissions import SYSTEM

    check_folder(out, "--out")
    reg = _open(database)
    clinic_id = _clinic_id(reg, clinic)
    with reg.session() as s:
        ids = [
            svc.get_patient_by_code(session=s, actor=SYSTEM, code=c, clinic_id=clinic_id).id
            for c in patient
        ]
        text = export_fhir(session=s, actor=SYSTEM, patient_ids=ids)
    write_text(out, text)
    Console().print(f"wrote FHIR R4 Bundle of {len(ids)} patient(s) to {out}")
    reg.dispose()


def _attach_analysis() -> None:
    """Add `n-of-1` and `report` from the analysis module."""
    from ldn.cli.registry_analysis import register

    register(registry_app)


_attach_analysis()
