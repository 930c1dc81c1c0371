"""Checks that turn user-supplied regimen values into trusted numbers, or an `InputError`.

Dose limits (mg of naltrexone hydrochloride, per single dose):

- `MIN_DOSE_MG = 1e-6` (1 ng). Toljan & Vrooman (2018) name three low-dose bands: LDN 1–5 mg/day,
  very-low-dose (VLDN) 1 µg–1 mg and ultra-low-dose (ULDN) below 1 µg/day ("In a dosing range at
  less than 1 μg per day, oral naltrexone or intravenous naloxone potentiate opioid analgesia").
  Med Sci (Basel) 2018;6(4):82, doi:10.3390/medsci6040082. We accept ULDN down to 1 ng and refuse
  anything smaller: a sub-nanogram entry is almost always a unit slip (µg or ng typed as mg).
- `MAX_DOSE_MG = 800.0`. The US prescribing information for naltrexone hydrochloride 50 mg tablets
  (OVERDOSAGE section; e.g. DailyMed set adb7c4dc-221a-4d91-9687-0d78913a92ad) reports that
  subjects given 800 mg daily for up to one week showed no evidence of toxicity; it is the highest
  dose the label describes. We read it through a secondary summary of that label section
  (https://www.droracle.ai/articles/450468/what-is-the-treatment-for-naltrexone-toxicity:
  "subjects who received 800 mg daily (16 times the standard dose) for up to one week showed no
  evidence of toxicity"), not from the label text itself. Doses above it are refused as absurd:
  the model has no data there.

`SIMULTANEOUS_H` is a numerical tolerance, not a model constant: two doses closer than 1e-6 h
(3.6 ms) are treated as given at the same time, which a regimen must not contain.
`MAX_DOSES` (10 million doses in one materialised regimen, 80 MB per array) is a memory guard:
hourly dosing for a thousand years stays under it.
"""

from __future__ import annotations

import math
import numbers
from typing import Final

from ldn.errors import InputError
from ldn.units import clock_to_hours

MIN_DOSE_MG: Final = 1e-6
MAX_DOSE_MG: Final = 800.0
SIMULTANEOUS_H: Final = 1e-6
MAX_DOSES: Final = 10_000_000


def as_number(value: object, what: str) -> float:
    """`value` as a finite float, or an `InputError` naming `what`.

    Accepts ints, floats and numeric strings ("4.5"); refuses bools, NaN and infinities.
    """
    if isinstance(value, bool) or value is None:
        raise InputError(f"{what} must be a number, got {value!r}.")
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise InputError(f"{what} must be a number, got {value!r}.") from None
    elif isinstance(value, numbers.Real):
        number = float(value)
    else:
        raise InputError(f"{what} must be a number, got {value!r} ({type(value).__name__}).")
    if not math.isfinite(number):
        raise InputError(f"{what} must be a finite number, got {value!r}.")
    return number


def check_dose_mg(value: object, what: str = "dose_mg") -> float:
    """A single dose in mg, within [MIN_DOSE_MG, MAX_DOSE_MG] (see the module docstring)."""
    dose = as_number(value, what)
    if dose <= 0:
        raise InputError(
            f"{what} must be greater than 0 mg, got {value!r}; "
            "to leave a dose out use a missed dose instead."
        )
    if dose < MIN_DOSE_MG:
        raise InputError(
            f"{what} = {dose:g} mg is below the smallest accepted dose of {MIN_DOSE_MG:g} mg "
            "(1 ng); doses are in mg, so 1 µg is 0.001."
        )
    if dose > MAX_DOSE_MG:
        raise InputError(
            f"{what} = {dose:g} mg is above {MAX_DOSE_MG:g} mg, the highest dose described in the "
            "naltrexone label; doses are per intake in mg (LDN is typically 1-5 mg)."
        )
    return dose


def check_positive(value: object, what: str) -> float:
    """A finite number > 0."""
    number = as_number(value, what)
    if number <= 0:
        raise InputError(f"{what} must be greater than 0, got {value!r}.")
    return number


def check_non_negative(value: object, what: str) -> float:
    """A finite number >= 0."""
    number = as_number(value, what)
    if number < 0:
        raise InputError(f"{what} must be 0 or more, got {value!r}.")
    return number


def check_count(value: object, what: str, minimum: int = 1, maximum: int | None = None) -> int:
    """A whole number >= `minimum` (and <= `maximum` when given; integral floats such as 7.0
    are accepted)."""
    number = as_number(value, what)
    if not number.is_integer():
        raise InputError(f"{what} must be a whole number, got {value!r}.")
    if number < minimum:
        raise InputError(f"{what} must be at least {minimum}, got {value!r}.")
    if maximum is not None and number > maximum:
        raise InputError(f"{what} must be at most {maximum}, got {value!r}.")
    return int(number)


def check_clock(at: object, what: str = "clock time") -> float:
    """'HH:MM' (24-hour) as hours after midnight, via `ldn.units.clock_to_hours`."""
    if not isinstance(at, str):
        raise InputError(f"{what} must be a string 'HH:MM' such as '22:00', got {at!r}.")
    try:
        return clock_to_hours(at)
    except ValueError as exc:
        raise InputError(f"{what}: {exc}.") from None


def format_clock(hours_after_midnight: float) -> str:
    """22.5 → '22:30' (rounded to the minute)."""
    minutes = round(hours_after_midnight * 60.0) % (24 * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def format_dose(dose_mg: float) -> str:
    """A dose for people: '4.5 mg', '0.001 mg'; below 1 µg in µg ('0.5 µg')."""
    if dose_mg >= 1e-3:
        return f"{dose_mg:g} mg"
    return f"{dose_mg * 1000.0:g} µg"
