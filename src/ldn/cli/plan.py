"""`ldn plan ...`: practice tools — titration plans, compounding worksheets, hand-outs and dose
calendars, peri-operative washout, and blinded N-of-1 schedules (docs/practice.md).

JSON shapes (`--format json`):
- titration: {"steps": [{"day", "dose_mg", "days", "volume_ml" | "capsules", ...}], "at",
  "regimen", "target_day", "step_back"?}
- compound: the worksheet (`tablets_50mg`, `api_mg`, `ingredients`, `beyond_use_date`,
  `beyond_use_days`, `label_text`, `rules` with kind and source)
- washout: {"dose_mg", "threshold", "hours_typical", "hours_p5", "hours_p95", ...,
  "restart_after_opioids", "caveats", "sources"}; several --dose-mg give {"rows": [...], ...}
- n-of-1: {"seed", "periods": [{"cycle", "start_day", "treatment"}], "washouts", ...}
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from ldn.cli._options import with_options
from ldn.cli._output import FORMAT_NO_CSV_OPTION, FORMAT_OPTION
from ldn.practice.washout import DEFAULT_PATIENTS, default_threshold

app = typer.Typer(
    help="Practice tools: titration, compounding, hand-outs, washout, N-of-1.", no_args_is_help=True
)

_AT = typer.Option("--at", help="Clock time of the daily dose, HH:MM.")
OUT = typer.Option(None, "--out", help="Write csv/json here instead of stdout.")
_CAPS_HELP = "Capsule strengths, e.g. 0.5,1,1.5,3,4.5."


@dataclass(frozen=True, kw_only=True)
class TitrationOptions:
    """The titration plan `titration` and `handout` take (`ldn.practice.titration`)."""

    start_mg: Annotated[float, typer.Option("--start-mg", help="First dose, mg.")]
    step_mg: Annotated[float, typer.Option("--step-mg", help="Increase per step, mg.")]
    every_days: Annotated[int, typer.Option("--every-days", help="Days per step.")] = 7
    target_mg: Annotated[float, typer.Option("--target-mg", help="Maintenance (target) dose, mg.")]
    at: Annotated[str, _AT] = "22:00"
    liquid: Annotated[
        float | None, typer.Option("--liquid-mg-per-ml", help="Measure doses in mL of this liquid.")
    ] = None
    caps: Annotated[str | None, typer.Option("--capsule-strengths", help=_CAPS_HELP)] = None
    step_back_on: Annotated[
        str | None, typer.Option("--step-back-on", help="Side effect that triggers a step back.")
    ] = None

    def plan(self) -> Any:
        """The `TitrationPlan` of these options."""
        from ldn.practice.titration import parse_strengths, titration_plan

        return titration_plan(
            start_mg=self.start_mg,
            step_mg=self.step_mg,
            every_days=self.every_days,
            target_mg=self.target_mg,
            at=self.at,
            liquid_mg_per_ml=self.liquid,
            capsule_strengths_mg=parse_strengths(self.caps) if self.caps else (),
            step_back_on=self.step_back_on,
        )


def _emit(text: str, out: Path | None) -> None:
    from ldn.cli._output import write_text

    if out is None:
        typer.echo(text, nl=False)
    else:
        write_text(out, text)


def _json(payload: Any) -> str:
    from ldn.cli._output import json_value

    return json.dumps(json_value(payload), indent=1, ensure_ascii=False) + "\n"


def _check_no_csv(fmt: str, out: Path | None, command: str) -> None:
    """`check_output` for a command whose output has no table shape for CSV."""
    from ldn.cli._output import check_output
    from ldn.errors import InputError

    check_output(fmt, out)
    if fmt == "csv":
        raise InputError(f"ldn plan {command} writes table or json")


def _date(text: str | None, option: str) -> date:
    from ldn.cli.plan_registry import iso_date

    return iso_date(text, option)


@app.command("titration")
@with_options
def titration(
    *,
    spec: TitrationOptions,
    step_back_day: int | None = typer.Option(
        None, "--step-back-day", help="Show the plan after a step back on this day."
    ),
    fmt: str = FORMAT_OPTION,
    out: Path | None = OUT,
) -> None:
    """A titration plan: day, dose (mg) and mL of liquid or capsules, with the step-back rule."""
    from ldn.cli._output import check_output
    from ldn.errors import InputError

    check_output(fmt, out)
    plan = spec.plan()
    if step_back_day is not None:
        if spec.step_back_on is None:
            raise InputError("--step-back-day needs --step-back-on (which side effect)")
        plan = plan.step_back_at(step_back_day)
    if fmt == "json":
        _emit(_json(plan.to_dict()), out)
    elif fmt == "csv":
        _emit(_csv(plan.rows()), out)
    else:
        from ldn.cli._plan_tables import print_titration

        print_titration(plan)


def _csv(rows: list[dict[str, Any]]) -> str:
    import pandas as pd

    flat = [
        {k: (" + ".join(f"{c:g}" for c in v) if isinstance(v, list) else v) for k, v in r.items()}
        for r in rows
    ]
    frame = pd.DataFrame(flat)
    if "days" in frame:  # whole days; the open-ended last step stays empty
        frame["days"] = frame["days"].astype("Int64")
    return str(frame.to_csv(index=False, lineterminator="\n"))


@app.command("compound")
def compound(
    form: str = typer.Option(..., "--form", help="liquid | capsule."),
    strength: float | None = typer.Option(None, "--strength-mg-per-ml", help="Liquid strength."),
    volume: float | None = typer.Option(None, "--volume-ml", help="Liquid volume to make."),
    capsule_mg: float | None = typer.Option(None, "--capsule-mg", help="Capsule strength, mg."),
    capsule_count: int | None = typer.Option(None, "--capsule-count", help="Capsules to make."),
    vehicle: str = typer.Option("fawcett", "--vehicle", help="Liquid: fawcett | water."),
    filler: str = typer.Option("mcc", "--filler", help="Capsules: mcc | sucrose | lactose | ..."),
    source: str | None = typer.Option(None, "--source", help="tablets | api (powder)."),
    bud_basis: str = typer.Option("usp", "--bud-basis", help="usp (default) | study."),
    overage: float = typer.Option(0.0, "--overage-pct", help="Overage, % (default 0)."),
    made: str | None = typer.Option(None, "--date", help="Compounding date (default today)."),
    expiry: str | None = typer.Option(
        None, "--earliest-expiry", help="Earliest ingredient expiry."
    ),
    dose_mg: float | None = typer.Option(None, "--dose-mg", help="Dose for the label, mg."),
    at: str | None = typer.Option(None, "--at", help="Dose time for the label, HH:MM."),
    fmt: str = FORMAT_NO_CSV_OPTION,
    out: Path | None = OUT,
) -> None:
    """A compounding worksheet: tablets or API, vehicle or filler, beyond-use date, label."""
    from ldn.practice.compound import compound as make

    _check_no_csv(fmt, out, "compound")
    sheet = make(
        form=form,
        strength_mg_per_ml=strength,
        volume_ml=volume,
        capsule_mg=capsule_mg,
        capsule_count=capsule_count,
        vehicle=vehicle,
        filler=filler,
        source=source,
        bud_basis=bud_basis,
        overage_pct=overage,
        compounded_on=_date(made, "--date"),
        earliest_expiry=None if expiry is None else _date(expiry, "--earliest-expiry"),
        dose_mg=dose_mg,
        at=at,
    )
    if fmt == "json":
        _emit(_json(sheet.to_dict()), out)
    else:
        from ldn.cli._plan_tables import print_worksheet

        print_worksheet(sheet)


@app.command("handout")
@with_options
def handout(
    *,
    spec: TitrationOptions,
    days: int = typer.Option(28, "--days", help="Days the hand-out and calendar cover."),
    start: str | None = typer.Option(None, "--start", help="First day, YYYY-MM-DD (today)."),
    patient: str = typer.Option("", "--patient", help="Patient code printed on the hand-out."),
    out: Path = typer.Option(Path("plan.pdf"), "--out", help="PDF to write."),
    ics: Path | None = typer.Option(None, "--ics", help="Also write an iCalendar (.ics) file."),
) -> None:
    """A one-page plain-language PDF hand-out and an RFC 5545 dose calendar."""
    from ldn.cli._output import check_folder
    from ldn.errors import InputError
    from ldn.practice.handout import dose_calendar, handout_pdf

    for path, option, suffix in ((out, "--out", ".pdf"), (ics, "--ics", ".ics")):
        if path is not None and path.suffix.lower() != suffix:
            raise InputError(f"{option} {path} must end in {suffix}")
        check_folder(path, option)
    plan = spec.plan()
    first = _date(start, "--start")
    files = [(out, handout_pdf(plan, first, days, patient=patient), "--out")]
    if ics is not None:
        files.append((ics, dose_calendar(plan, first, days, patient=patient), "--ics"))
    for path, data, option in files:
        try:
            path.write_bytes(data)
        except OSError as exc:
            raise InputError(f"cannot write {option} {path}: {exc.strerror or exc}") from exc
        typer.echo(f"wrote {path}")


@app.command("washout")
def washout(
    dose_mg: list[float] = typer.Option([4.5], "--dose-mg", help="Daily dose, mg (repeatable)."),
    at: Annotated[str, _AT] = "22:00",
    threshold: float | None = typer.Option(
        None,
        "--threshold",
        help=f"MOR occupancy threshold (0-1; default {default_threshold():g}, the practice rule "
        "washout_threshold, an assumption).",
    ),
    patients: int = typer.Option(
        DEFAULT_PATIENTS, "--patients", help="Virtual patients for the range."
    ),
    seed: int = typer.Option(0, "--seed", help="Seed of the virtual population."),
    fmt: str = FORMAT_OPTION,
    out: Path | None = OUT,
) -> None:
    """Hours from the last steady-state dose until MOR occupancy stays below the threshold."""
    from ldn.cli._output import check_output
    from ldn.cli._progress import progress_bar
    from ldn.practice.washout import caveats, guidance_sources, restart_guidance
    from ldn.practice.washout import washout as run

    check_output(fmt, out)
    results = []
    with progress_bar("washout per dose", total=len(dose_mg)) as bar:
        for d in dose_mg:
            results.append(run(d, at, threshold, n_patients=patients, seed=seed))
            if bar is not None:
                bar.advance(1)
    rows = [r.to_dict() for r in results]
    extra = {
        "restart_after_opioids": restart_guidance(),
        "caveats": caveats(),
        "sources": guidance_sources(),
    }
    if fmt == "json":
        payload = {**rows[0], **extra} if len(rows) == 1 else {"rows": rows, **extra}
        _emit(_json(payload), out)
    elif fmt == "csv":
        _emit(_csv(rows), out)
    else:
        from ldn.cli._plan_tables import print_washout

        print_washout(rows, extra)


@app.command("n-of-1")
def n_of_1(
    cycles: int = typer.Option(3, "--cycles", help="Cycles (one LDN + one placebo period each)."),
    period_weeks: int = typer.Option(2, "--period-weeks", help="Weeks per treatment period."),
    seed: int = typer.Option(..., "--seed", help="Randomisation seed (keep it with the key)."),
    washout_days: int | None = typer.Option(None, "--washout-days", help="Days between periods."),
    start: str | None = typer.Option(None, "--start", help="Day 1 as YYYY-MM-DD (dates shown)."),
    key_out: Path | None = typer.Option(None, "--key-out", help="Write the pharmacy key (JSON)."),
    calendar_out: Path | None = typer.Option(
        None, "--calendar-out", help="Write the patient's blinded calendar (JSON)."
    ),
    fmt: str = FORMAT_NO_CSV_OPTION,
    out: Path | None = OUT,
) -> None:
    """A randomised, balanced, blinded N-of-1 schedule with a separate pharmacy key."""
    from ldn.cli._output import check_folder, write_text
    from ldn.practice.n_of_1 import n_of_1_schedule

    _check_no_csv(fmt, out, "n-of-1")
    for path, option in ((key_out, "--key-out"), (calendar_out, "--calendar-out")):
        check_folder(path, option)
    schedule = n_of_1_schedule(
        cycles=cycles, period_weeks=period_weeks, seed=seed, washout_days=washout_days
    )
    day1 = None if start is None else _date(start, "--start")
    if key_out is not None:
        write_text(key_out, _json(schedule.pharmacy_key(day1)), "--key-out")
    if calendar_out is not None:
        calendar = {"calendar": schedule.blinded_calendar(day1)}
        write_text(calendar_out, _json(calendar), "--calendar-out")
    if fmt == "json":
        _emit(_json(schedule.to_dict()), out)
    else:
        from ldn.cli._plan_tables import print_n_of_1

        print_n_of_1(schedule)


def _register_registry_commands() -> None:
    from ldn.cli import plan_registry

    app.command("diary-link")(plan_registry.diary_link)
    app.command("trial")(plan_registry.trial)
    app.command("unblind")(plan_registry.unblind)


_register_registry_commands()
