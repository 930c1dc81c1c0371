"""Randomised, blinded N-of-1 trials: the schedule, the pharmacy key, the patient's blinded
calendar, and the analysis that breaks the blind.

    >>> s = n_of_1_schedule(cycles=3, period_weeks=2, seed=7)
    >>> sorted(p.treatment for p in s.periods)
    ['ldn', 'ldn', 'ldn', 'placebo', 'placebo', 'placebo']

Design: `cycles` cycles, each one LDN period and one placebo period of `period_weeks` weeks in
random order (a fair coin per cycle from `numpy.random.default_rng(seed)`), every period followed
by a washout of `washout_days` (rule `n_of_1_washout_days`, an assumption). Periods are numbered
1..2·cycles; the pharmacy dispenses "bottle k" for period k, LDN or an identical placebo, from
the pharmacy key; the patient's calendar shows only period numbers and bottle numbers.

Analysis (`analyse_schedule`): the existing Bayesian N-of-1 model (`ldn.analysis.n_of_1.analyse`:
trend + LDN effect δ + AR(1) errors, sceptical prior) on the assessments inside the randomised
periods — on = 1 in LDN periods, 0 in placebo periods; assessments in washouts are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final, Literal, get_args

import numpy as np

from ldn.errors import InputError
from ldn.regimen.validate import check_count

MAX_CYCLES: Final = 12
Treatment = Literal["ldn", "placebo"]
TREATMENTS: Final[tuple[Treatment, ...]] = get_args(Treatment)


@dataclass(frozen=True, slots=True)
class Period:
    """One treatment period: number (1-based), cycle, first day (1-based), length, treatment."""

    number: int
    cycle: int
    start_day: int
    days: int
    treatment: Treatment

    def __post_init__(self) -> None:
        if self.treatment not in TREATMENTS:  # e.g. "LDN" in a hand-edited pharmacy key
            raise InputError(
                f"period {self.number}: treatment {self.treatment!r} is not one of "
                f"{', '.join(TREATMENTS)}"
            )

    @property
    def end_day(self) -> int:
        """Last day of the period (inclusive)."""
        return self.start_day + self.days - 1


@dataclass(frozen=True)
class NOf1Schedule:
    """A randomised balanced schedule (see the module docstring)."""

    seed: int
    cycles: int
    period_days: int
    washout_days: int
    periods: tuple[Period, ...]

    @property
    def total_days(self) -> int:
        """Days from day 1 to the end of the last washout."""
        return self.periods[-1].end_day + self.washout_days

    def washouts(self) -> list[dict[str, int]]:
        """The washouts: start day and length (after every period)."""
        return [{"start_day": p.end_day + 1, "days": self.washout_days} for p in self.periods]

    def to_dict(self) -> dict[str, Any]:
        """The JSON of `ldn plan n-of-1`: treatment periods only; washouts listed apart."""
        return {
            "seed": self.seed,
            "cycles": self.cycles,
            "period_days": self.period_days,
            "washout_days": self.washout_days,
            "periods": [
                {"cycle": p.cycle, "start_day": p.start_day, "treatment": p.treatment}
                for p in self.periods
            ],
            "washouts": self.washouts(),
            "total_days": self.total_days,
        }

    def pharmacy_key(self, start: date | None = None) -> dict[str, Any]:
        """What the pharmacy needs: bottle k → LDN or placebo (keep away from the patient)."""
        rows = []
        for p in self.periods:
            row: dict[str, Any] = {
                "period": p.number,
                "bottle": p.number,
                "cycle": p.cycle,
                "start_day": p.start_day,
                "days": p.days,
                "treatment": p.treatment,
            }
            if start is not None:
                row["start_date"] = (start + timedelta(days=p.start_day - 1)).isoformat()
            rows.append(row)
        return {
            "title": "N-of-1 pharmacy key — CONFIDENTIAL: do not give to the patient",
            "seed": self.seed,
            "bottles": rows,
            "instructions": (
                "Fill bottle k with LDN or with an identical-looking placebo as listed; label "
                "every bottle only 'Study medicine – period k'."
            ),
        }

    def blinded_calendar(self, start: date | None = None) -> list[dict[str, Any]]:
        """The patient's calendar: periods and washouts without the treatment."""
        entries: list[dict[str, Any]] = []
        for p in self.periods:
            entries.append(
                {
                    "kind": "period",
                    "period": p.number,
                    "start_day": p.start_day,
                    "end_day": p.end_day,
                    "what": f"Take the study medicine from bottle {p.number} every evening.",
                }
            )
            entries.append(
                {
                    "kind": "washout",
                    "start_day": p.end_day + 1,
                    "end_day": p.end_day + self.washout_days,
                    "what": "No study medicine (washout). Keep filling in your diary.",
                }
            )
        if start is not None:
            for e in entries:
                e["start_date"] = (start + timedelta(days=e["start_day"] - 1)).isoformat()
                e["end_date"] = (start + timedelta(days=e["end_day"] - 1)).isoformat()
        return entries

    def on_flags(self, day: np.ndarray) -> np.ndarray:
        """For 1-based study days: 1.0 in LDN periods, 0.0 in placebo periods, NaN in washouts
        (and outside the schedule)."""
        d = np.asarray(day, dtype=float)
        out = np.full(d.shape, np.nan)
        for p in self.periods:
            inside = (d >= p.start_day) & (d <= p.end_day)
            out[inside] = 1.0 if p.treatment == "ldn" else 0.0
        return out


def n_of_1_schedule(
    *, cycles: int, period_weeks: int, seed: int, washout_days: int | None = None
) -> NOf1Schedule:
    """A randomised balanced schedule: each cycle one LDN and one placebo period, random order."""
    from ldn.practice.rules import value

    n_cycles = check_count(cycles, "--cycles", minimum=1)
    if n_cycles > MAX_CYCLES:
        raise InputError(f"--cycles {n_cycles} is more than {MAX_CYCLES}; an N-of-1 trial is short")
    weeks = check_count(period_weeks, "--period-weeks", minimum=1)
    if weeks > 26:
        raise InputError(f"--period-weeks {weeks} is more than 26; use shorter periods")
    seed_int = check_count(seed, "--seed", minimum=0)
    wash = int(value("n_of_1_washout_days")) if washout_days is None else washout_days
    wash = check_count(wash, "--washout-days", minimum=0)
    rng = np.random.default_rng(seed_int)
    periods: list[Period] = []
    day = 1
    for cycle in range(1, n_cycles + 1):
        order = TREATMENTS if rng.random() < 0.5 else TREATMENTS[::-1]
        for treatment in order:
            periods.append(Period(len(periods) + 1, cycle, day, 7 * weeks, treatment))
            day += 7 * weeks + wash
    return NOf1Schedule(seed_int, n_cycles, 7 * weeks, wash, tuple(periods))


def schedule_from_dict(data: dict[str, Any]) -> NOf1Schedule:
    """Rebuild a schedule from `to_dict()` output (the registry stores that JSON)."""
    try:
        period_days = int(data["period_days"])
        periods = tuple(
            Period(i, int(p["cycle"]), int(p["start_day"]), period_days, p["treatment"])
            for i, p in enumerate(data["periods"], start=1)
        )
        return NOf1Schedule(
            int(data["seed"]), int(data["cycles"]), period_days, int(data["washout_days"]), periods
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"not an N-of-1 schedule: {exc}") from None


def analyse_schedule(
    schedule: NOf1Schedule,
    day: np.ndarray,
    values: np.ndarray,
    *,
    scale_code: str,
    prior_sd_in_mid: float | None = None,
) -> dict[str, Any]:
    """Break the blind: the Bayesian N-of-1 posterior of δ on the randomised periods.

    `day`: 1-based study days of the assessments; `values`: scores on `scale_code`. Returns
    the posterior summary with P(improvement ≥ MID), plus the per-period means.
    """
    from ldn.analysis.course import NOf1Settings
    from ldn.analysis.n_of_1 import analyse, sceptical_prior
    from ldn.scales import SCALES

    if scale_code not in SCALES:
        raise InputError(f"unknown scale {scale_code!r}")
    scale = SCALES[scale_code]
    d = np.asarray(day, dtype=float)
    y = np.asarray(values, dtype=float)
    on = schedule.on_flags(d)
    keep = np.isfinite(on)
    sd_in_mid = prior_sd_in_mid or NOf1Settings.from_parameters().prior_delta_sd_in_mid
    result = analyse(
        d[keep],
        y[keep],
        on[keep],
        scale=scale,
        delta_prior=sceptical_prior(scale.mid, sd_in_mid),
    )
    per_period = []
    for p in schedule.periods:
        inside = (d >= p.start_day) & (d <= p.end_day)
        mean = float(y[inside].mean()) if inside.any() else None
        per_period.append({"period": p.number, "treatment": p.treatment, "mean": mean})
    return {
        "scale": scale_code,
        "n_used": int(keep.sum()),
        "n_in_washout": int((~keep).sum()),
        **result.summary(),
        "periods": per_period,
    }
