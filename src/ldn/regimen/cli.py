"""The one place command-line options become a `Regimen`.

Option formats (documented for users in docs/regimen.md):

- `--titrate "1.5:7,3:7,4.5"`: comma-separated `dose_mg:days` steps; the last step may omit
  `:days` to continue indefinitely.
- `--missed "3,10-12"`: 1-based day numbers and inclusive ranges.
- `--adherence 0.8 --seed 1`: each dose taken with probability 0.8; the seed defaults to 0 so
  that a run is reproducible.
"""

from __future__ import annotations

from pathlib import Path

from ldn.errors import InputError
from ldn.regimen.schedule import Regimen, daily, every, titration
from ldn.regimen.titration_text import parse_titration
from ldn.regimen.validate import check_clock, check_count, check_dose_mg, check_positive

DEFAULT_DOSE_MG = 4.5  # the usual LDN target dose; see docs/regimen.md
DEFAULT_AT = "22:00"  # bedtime dosing, the common LDN practice
DEFAULT_SEED = 0


def parse_days(text: str) -> list[int]:
    """'3,10-12' → [3, 10, 11, 12] (1-based day numbers; ranges inclusive)."""
    help_ = "write --missed as day numbers and ranges, e.g. '3,10-12' (day 1 is the first day)"
    if not isinstance(text, str) or not text.strip():
        raise InputError(f"--missed is empty; {help_}.")
    days: set[int] = set()
    for piece in (p.strip() for p in text.split(",")):
        lo_text, sep, hi_text = piece.partition("-")
        if not piece or (sep and not hi_text.strip()):
            raise InputError(f"--missed entry {piece!r} is not a day or a range; {help_}.")
        lo = check_count(lo_text, f"--missed day {lo_text.strip()!r}", minimum=1)
        hi = check_count(hi_text, f"--missed day {hi_text.strip()!r}", minimum=1) if sep else lo
        if hi < lo:
            raise InputError(f"--missed range {piece!r} runs backwards; {help_}.")
        if hi - lo > 100_000:
            raise InputError(f"--missed range {piece!r} is longer than 100000 days; {help_}.")
        days.update(range(lo, hi + 1))
    return sorted(days)


def regimen_from_cli(
    *,
    dose_mg: float | None = None,
    at: str | None = None,
    interval_h: float | None = None,
    titrate: str | None = None,
    events_file: Path | None = None,
    missed: str | None = None,
    adherence: float | None = None,
    seed: int | None = None,
) -> Regimen:
    """Build the regimen described by `ldn simulate` options; refuse contradictory combinations.

    - nothing given: 4.5 mg daily at 22:00;
    - `dose_mg` [+ `at`]: daily at `at` (default 22:00);
    - `dose_mg` + `interval_h` [+ `at`]: every `interval_h` h from `at` (default 00:00, t = 0);
    - `titrate` [+ `at`]: daily titration steps (see `parse_titration`);
    - `events_file`: a NONMEM-style event table with one subject (see `ldn.regimen.nonmem`).
    `missed` (days) and `adherence`/`seed` then apply to any of these.
    """
    if at is not None:
        check_clock(at, "--at")
    if events_file is not None:
        given = _given(dose_mg=dose_mg, at=at, interval_h=interval_h, titrate=titrate)
        if given:
            raise InputError(
                f"--events {events_file} already defines the doses; drop {', '.join(given)} "
                "or drop --events."
            )
        regimen = _from_event_file(Path(events_file))
    elif titrate is not None:
        if dose_mg is not None:
            raise InputError(
                "--titrate sets the doses itself; drop --dose-mg (the last titration step is "
                "the maintenance dose)."
            )
        if interval_h is not None:
            raise InputError("--titrate doses once daily; drop --interval-h.")
        regimen = titration(parse_titration(titrate), at=at or DEFAULT_AT)
    elif interval_h is not None:
        dose = check_dose_mg(DEFAULT_DOSE_MG if dose_mg is None else dose_mg, "--dose-mg")
        start_h = 0.0 if at is None else check_clock(at, "--at")
        regimen = every(dose, check_positive(interval_h, "--interval-h"), start_h=start_h)
    else:
        dose = check_dose_mg(DEFAULT_DOSE_MG if dose_mg is None else dose_mg, "--dose-mg")
        regimen = daily(dose, at=at or DEFAULT_AT)

    if missed is not None:
        regimen = regimen.with_missed(days=parse_days(missed))
    if adherence is not None:
        regimen = regimen.with_adherence(adherence, DEFAULT_SEED if seed is None else seed)
    elif seed is not None:
        raise InputError("--seed only applies with --adherence; add --adherence or drop --seed.")
    return regimen


def _given(**options: object) -> list[str]:
    return ["--" + name.replace("_", "-") for name, value in options.items() if value is not None]


def _from_event_file(path: Path) -> Regimen:
    from ldn.regimen.nonmem import read_event_table

    by_id = read_event_table(path)
    if len(by_id) != 1:
        ids = ", ".join(str(i) for i in sorted(by_id))
        raise InputError(
            f"{path} holds {len(by_id)} subjects (IDs {ids}); `ldn simulate --events` takes one. "
            "Keep one ID in the file."
        )
    return next(iter(by_id.values()))
