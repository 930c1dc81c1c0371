"""`ldn plan diary-link | trial | unblind`: the registry side of the practice tools.

The command line is trusted like `ldn registry …` (it acts as the system administrator and
writes the audit log as `system`). Patients are named by code (and `--clinic` when the code
exists in several clinics).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

import json
from datetime import date
from pathlib import Path

import typer

from ldn.cli._output import FORMAT_NO_CSV_OPTION

DATABASE = typer.Option(None, "--database", help="Registry URL (default: LDN_DATABASE_URL).")
PATIENT = typer.Option(..., "--patient", help="Patient code, e.g. P-0001.")
CLINIC = typer.Option(None, "--clinic", help="Clinic name or id (when codes repeat).")


def iso_date(text: str | None, option: str) -> date:
    """`text` as a date (today when None); a bad date is one `InputError` naming the option."""
    from ldn.errors import InputError

    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{option} {text!r} is not a date; write YYYY-MM-DD") from None


def _patient_id(session: Session, code: str, clinic_id: int | None) -> int:
    from ldn.registry import services
    from ldn.registry.permissions import SYSTEM

    found = services.get_patient_by_code(
        session=session, actor=SYSTEM, code=code, clinic_id=clinic_id
    )
    return found.id


def diary_link(
    patient: str = PATIENT,
    clinic: str | None = CLINIC,
    revoke: int | None = typer.Option(None, "--revoke", help="Withdraw the link with this id."),
    list_links: bool = typer.Option(False, "--list", help="List the patient's links."),
    base_url: str = typer.Option(
        "http://127.0.0.1:8000", "--base-url", help="Where `ldn serve` is reached."
    ),
    database: str | None = DATABASE,
) -> None:
    """Make (default), list or withdraw a patient's diary link; a new link is printed once."""
    from ldn.cli._registry_db import _clinic_id, _open_existing
    from ldn.registry import diary
    from ldn.registry.permissions import SYSTEM

    registry = _open_existing(database)
    try:
        with registry.session() as s:
            pid = _patient_id(s, patient, _clinic_id(registry, clinic))
            if revoke is not None:
                link = diary.revoke_diary_link(session=s, actor=SYSTEM, link_id=revoke)
                typer.echo(f"diary link {link.id} withdrawn at {link.revoked_at:%Y-%m-%d %H:%M}")
            elif list_links:
                for link in diary.list_diary_links(session=s, actor=SYSTEM, patient_id=pid):
                    state = "active" if link.active else "withdrawn"
                    used = f"{link.last_used_at:%Y-%m-%d}" if link.last_used_at else "never"
                    typer.echo(f"{link.id}\t{link.scale}\t{state}\tlast used {used}")
            else:
                token, link = diary.create_diary_link(session=s, actor=SYSTEM, patient_id=pid)
                typer.echo(f"diary link {link.id} for {patient} (shown once):")
                typer.echo(f"{base_url.rstrip('/')}/diary/{token}")
    finally:
        registry.dispose()


def trial(
    patient: str = PATIENT,
    clinic: str | None = CLINIC,
    scale: str = typer.Option("pain_nrs", "--scale", help="Outcome scale of the trial."),
    start: str = typer.Option(..., "--start", help="Day 1 of the trial, YYYY-MM-DD."),
    cycles: int = typer.Option(3, "--cycles", help="Cycles (one LDN + one placebo period)."),
    period_weeks: int = typer.Option(2, "--period-weeks", help="Weeks per period."),
    seed: int | None = typer.Option(None, "--seed", help="Randomisation seed (random if unset)."),
    key_out: Path | None = typer.Option(None, "--key-out", help="Write the pharmacy key (JSON)."),
    calendar_out: Path | None = typer.Option(
        None, "--calendar-out", help="Write the patient's blinded calendar (JSON)."
    ),
    database: str | None = DATABASE,
) -> None:
    """Randomise a blinded N-of-1 trial for a patient and store it in the registry."""
    from ldn.cli._output import check_folder, write_text
    from ldn.cli._registry_db import _clinic_id, _open_existing
    from ldn.registry import n_of_1_trials as trials
    from ldn.registry.permissions import SYSTEM

    for path, option in ((key_out, "--key-out"), (calendar_out, "--calendar-out")):
        check_folder(path, option)
    day1 = iso_date(start, "--start")
    registry = _open_existing(database)
    try:
        with registry.session() as s:
            pid = _patient_id(s, patient, _clinic_id(registry, clinic))
            info = trials.create_n_of_1_trial(
                session=s,
                actor=SYSTEM,
                patient_id=pid,
                scale=scale,
                start_date=day1,
                cycles=cycles,
                period_weeks=period_weeks,
                seed=seed,
            )
            key = trials.pharmacy_key(session=s, actor=SYSTEM, trial_id=info.id)
            cal = trials.blinded_calendar(session=s, actor=SYSTEM, trial_id=info.id)
    finally:
        registry.dispose()
    if key_out is not None:
        write_text(key_out, json.dumps(key, indent=1) + "\n", "--key-out")
    if calendar_out is not None:
        write_text(calendar_out, json.dumps({"calendar": cal}, indent=1) + "\n", "--calendar-out")
    typer.echo(
        f"N-of-1 trial {info.id} for {patient}: {info.start_date} to {info.end_date}, "
        f"seed {info.schedule.seed}"
    )


def unblind(
    trial_id: int = typer.Option(..., "--trial", help="Trial id (from `ldn plan trial`)."),
    fmt: str = FORMAT_NO_CSV_OPTION,
    database: str | None = DATABASE,
) -> None:
    """Break the blind: the Bayesian N-of-1 analysis on the randomised periods."""
    from ldn.cli._output import json_value
    from ldn.cli._registry_db import _open_existing
    from ldn.errors import InputError
    from ldn.registry import n_of_1_trials as trials
    from ldn.registry.permissions import SYSTEM

    if fmt not in ("table", "json"):
        raise InputError(f"--format {fmt!r} is not table or json")
    registry = _open_existing(database)
    try:
        with registry.session() as s:
            result = trials.unblind_n_of_1_trial(session=s, actor=SYSTEM, trial_id=trial_id)
    finally:
        registry.dispose()
    if fmt == "json":
        typer.echo(json.dumps(json_value(result), indent=1))
        return
    typer.echo(
        f"trial {result['trial']} ({result['patient']}, {result['scale']}): δ = "
        f"{result['delta_mean']:.2f} ({result['delta_ci95_low']:.2f} to "
        f"{result['delta_ci95_high']:.2f}); P(improvement ≥ MID {result['mid']:g}) = "
        f"{result['p_improvement_ge_mid']:.3f}; {result['n_used']} assessments used, "
        f"{result['n_in_washout']} in washouts left out"
    )
    for p in result["periods"]:
        mean = "—" if p["mean"] is None else f"{p['mean']:.2f}"
        typer.echo(f"  period {p['period']}: {p['treatment']:8s} mean {mean}")
