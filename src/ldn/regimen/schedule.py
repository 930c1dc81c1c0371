"""`Regimen`: an immutable dosing schedule that composes, and its builders.

A regimen is a tuple of dose records in the NONMEM/mrgsolve sense (`Dosing`: a dose at a start
time, repeated every `ii_h` for `addl` additional doses, or indefinitely) plus modifiers: missed
doses (explicit days or dose indices) and random adherence (one Bernoulli draw per scheduled dose
from a seeded `numpy.random.Generator`). `Regimen.events(until_h)` materialises the doses given
before `until_h` as `DoseEvents`.

Units: dose in mg of naltrexone hydrochloride as labelled; time in hours. With clock times,
`t_h = 0` is 00:00 on day 1, so "4.5 mg daily at 22:00" doses at 22, 46, 70 … h. Day `d`
(1-based) covers `24·(d-1) <= t_h < 24·d`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from ldn.errors import InputError
from ldn.regimen.events import DoseEvents, SteadyState
from ldn.regimen.validate import (
    MAX_DOSES,
    SIMULTANEOUS_H,
    as_number,
    check_clock,
    check_count,
    check_dose_mg,
    check_non_negative,
    check_positive,
    format_clock,
    format_dose,
)
from ldn.types import FloatArray
from ldn.units import H_PER_DAY

# Composition checks for simultaneous doses over the finite records plus this many hours past the
# last start; `events()` checks whatever it materialises as well.
_OVERLAP_LOOKAHEAD_H = 28 * H_PER_DAY


@dataclass(frozen=True, slots=True)
class Dosing:
    """One dose record: `dose_mg` at `start_h`, then `addl` more every `ii_h` (None: no end)."""

    dose_mg: float
    start_h: float
    ii_h: float = 0.0
    addl: int | None = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "dose_mg", check_dose_mg(self.dose_mg))
        object.__setattr__(self, "start_h", check_non_negative(self.start_h, "start time (h)"))
        object.__setattr__(self, "ii_h", check_non_negative(self.ii_h, "dosing interval (h)"))
        if self.addl is not None:
            addl = check_count(self.addl, "number of additional doses", minimum=0)
            if addl + 1 > MAX_DOSES:
                raise InputError(
                    f"{addl} additional doses is more than the {MAX_DOSES} doses one regimen "
                    "may list; shorten the schedule."
                )
            object.__setattr__(self, "addl", addl)
        if (self.addl is None or self.addl > 0) and self.ii_h < SIMULTANEOUS_H:
            raise InputError(
                f"repeated doses need an interval of at least {SIMULTANEOUS_H:g} h, got "
                f"{self.ii_h!r}; give the interval in hours (24 for daily)."
            )

    @property
    def last_h(self) -> float:
        """Time of the last dose (h); infinite for an open-ended record."""
        if self.addl is None:
            return math.inf
        return self.start_h + self.addl * self.ii_h

    def times(self, until_h: float) -> FloatArray:
        """Dose times before `until_h`, computed as `start + k·ii` (no accumulated rounding)."""
        if until_h <= self.start_h:
            return np.empty(0)
        if self.addl is not None:
            n = self.addl + 1
        else:
            n = math.ceil((until_h - self.start_h) / self.ii_h)
            if n > MAX_DOSES:
                raise InputError(
                    f"a dose every {self.ii_h:g} h up to t = {until_h:g} h is {n} doses, more "
                    f"than the {MAX_DOSES} one regimen may list; shorten the horizon."
                )
        t = self.start_h + np.arange(n, dtype=np.float64) * self.ii_h
        return t[t < until_h]

    def describe(self) -> str:
        dose = format_dose(self.dose_mg)
        day = int(self.start_h // H_PER_DAY) + 1
        clock = format_clock(self.start_h % H_PER_DAY)
        when = f"at {clock}" + ("" if day == 1 else f" from day {day}")
        if self.addl == 0:
            return f"{dose} once at {clock} on day {day} (t = {self.start_h:g} h)"
        count = "" if self.addl is None else f" for {self.addl + 1} doses"
        if self.ii_h == H_PER_DAY:
            if self.addl is not None:
                count = f" for {self.addl + 1} day" + ("s" if self.addl else "")
            return f"{dose} daily {when}{count}"
        return f"{dose} every {self.ii_h:g} h from t = {self.start_h:g} h{count}"


def _find_simultaneous(t_h: FloatArray) -> float | None:
    """The first time at which two sorted doses coincide (within SIMULTANEOUS_H), else None."""
    if t_h.size < 2:
        return None
    close = np.flatnonzero(np.diff(t_h) < SIMULTANEOUS_H)
    return float(t_h[close[0]]) if close.size else None


@dataclass(frozen=True, slots=True)
class Regimen:
    """An immutable dosing schedule; build it with `daily`, `every`, `single`, `titration`.

    Either `records` (dose records) or `parts` (regimens merged with `+`) is set, not both.
    `steady_state=True` means the first dose is given at steady state of the first record's dose
    and interval (NONMEM SS=1). Modifiers apply to this regimen's scheduled doses in time order:
    `missed_days` (1-based days), `missed_doses` (0-based indices), `adherence` (probability that
    each dose is taken, drawn with `seed`). The steady-state first dose is never dropped.
    """

    records: tuple[Dosing, ...] = ()
    parts: tuple[Regimen, ...] = ()
    steady_state: bool = False
    missed_days: frozenset[int] = field(default_factory=frozenset)
    missed_doses: frozenset[int] = field(default_factory=frozenset)
    adherence: float | None = None
    seed: int | None = None

    def __post_init__(self) -> None:
        if bool(self.records) == bool(self.parts):
            raise InputError("a regimen needs dose records or parts (exactly one of the two).")
        if self.steady_state and self.parts:
            raise InputError("steady state belongs to a dose record, not to a merged regimen.")
        if self.steady_state and self.records[0].ii_h <= 0:
            raise InputError(
                "steady state needs a dosing interval greater than 0 h on the first dose record."
            )
        if self.parts:
            _check_parts(self.parts)
        elif len(self.records) > 1:
            _check_no_simultaneous(self.records)

    # ---- derived facts -------------------------------------------------------------------
    @property
    def first_h(self) -> float:
        """Time of the first scheduled dose (h)."""
        if self.parts:
            return min(p.first_h for p in self.parts)
        return min(r.start_h for r in self.records)

    @property
    def last_h(self) -> float:
        """Time of the last scheduled dose (h); infinite for an open-ended regimen."""
        if self.parts:
            return max(p.last_h for p in self.parts)
        return max(r.last_h for r in self.records)

    @property
    def steady_state_of(self) -> SteadyState | None:
        """The `SteadyState` carried by the first dose, if any (also through `+`)."""
        if self.parts:
            first = min(self.parts, key=lambda p: p.first_h)
            return first.steady_state_of
        if not self.steady_state:
            return None
        rec0 = self.records[0]
        return SteadyState(dose_mg=rec0.dose_mg, tau_h=rec0.ii_h)

    @property
    def is_modified(self) -> bool:
        """True if missed doses or adherence are set on this regimen itself."""
        return bool(self.missed_days or self.missed_doses or self.adherence is not None)

    # ---- composition and modifiers -------------------------------------------------------
    def __add__(self, other: object) -> Regimen:
        if not isinstance(other, Regimen):
            return NotImplemented
        if not (self.is_modified or other.is_modified or self.parts or other.parts):
            if self.steady_state or other.steady_state:
                return Regimen(parts=(self, other))
            records = tuple(sorted(self.records + other.records, key=lambda r: r.start_h))
            return Regimen(records=records)
        return Regimen(parts=(self, other))

    def with_missed(
        self, *, days: Iterable[int] | None = None, doses: Iterable[int] | None = None
    ) -> Regimen:
        """This regimen without the doses on the given 1-based `days` or at 0-based `doses` indices.

        Indices count this regimen's scheduled doses in time order (before adherence draws).
        """
        if days is None and doses is None:
            raise InputError("with_missed needs days=[...] (1-based) or doses=[...] (0-based).")
        new_days = frozenset(check_count(d, "missed day", minimum=1) for d in (days or ()))
        new_doses = frozenset(check_count(i, "missed dose index", minimum=0) for i in (doses or ()))
        if self.steady_state_of is not None:
            first_day = int(self.first_h // H_PER_DAY) + 1
            if 0 in new_doses or first_day in new_days:
                raise InputError(
                    "the first dose of a steady-state regimen cannot be missed: it anchors the "
                    "steady state; start the regimen one interval later instead."
                )
        return replace(
            self,
            missed_days=self.missed_days | new_days,
            missed_doses=self.missed_doses | new_doses,
        )

    def with_adherence(self, p: float, seed: int) -> Regimen:
        """Each scheduled dose is taken with probability `p` (independent draws from `seed`).

        The draws follow the scheduled doses in time order, so a longer horizon extends, and never
        reshuffles, the pattern of a shorter one.
        """
        prob = as_number(p, "adherence")
        if not 0.0 <= prob <= 1.0:
            raise InputError(
                f"adherence is the probability of taking each dose, between 0 and 1; got {p!r} "
                "(write 80% as 0.8)."
            )
        if self.adherence is not None:
            raise InputError("adherence is already set on this regimen; set it once.")
        seed_int = check_count(seed, "seed", minimum=0)
        return replace(self, adherence=prob, seed=seed_int)

    # ---- materialisation -----------------------------------------------------------------
    def scheduled(self, until_h: float) -> tuple[FloatArray, FloatArray]:
        """All doses before `until_h` ignoring this regimen's own modifiers: (t_h, dose_mg)."""
        if self.parts:
            pieces = [p.events(until_h) for p in self.parts]
            t = np.concatenate([e.t_h for e in pieces])
            d = np.concatenate([e.dose_mg for e in pieces])
        else:
            t = np.concatenate([r.times(until_h) for r in self.records])
            d = np.concatenate([np.full(r.times(until_h).size, r.dose_mg) for r in self.records])
        order = np.argsort(t, kind="stable")
        t, d = t[order], d[order]
        clash = _find_simultaneous(t)
        if clash is not None:
            raise InputError(
                f"two doses are scheduled at the same time, t = {clash:g} h; "
                "a regimen gives one dose at a time (combine them into one larger dose)."
            )
        return t, d

    def events(self, until_h: float) -> DoseEvents:
        """The doses given at `t_h < until_h` (h), after missed doses and adherence draws."""
        horizon = check_non_negative(until_h, "until_h")
        t, d = self.scheduled(horizon)
        keep = np.ones(t.size, dtype=bool)
        if self.missed_doses:
            idx = np.fromiter(self.missed_doses, dtype=np.int64)
            keep[idx[idx < t.size]] = False
        if self.missed_days:
            day = np.floor(t / H_PER_DAY).astype(np.int64) + 1
            keep &= ~np.isin(day, np.fromiter(self.missed_days, dtype=np.int64))
        if self.adherence is not None:
            draws = np.random.default_rng(self.seed).random(t.size)
            keep &= draws < self.adherence
        steady = self.steady_state_of
        if steady is not None and t.size and t[0] == self.first_h:
            keep[0] = True
        else:
            steady = None
        return DoseEvents(t_h=t[keep], dose_mg=d[keep], steady_state=steady)

    def describe(self) -> str:
        """Human text, e.g. '4.5 mg daily at 22:00'."""
        if self.parts:
            text = " + ".join(f"({p.describe()})" for p in self.parts)
        else:
            text = self.records[0].describe()
            for prev, rec in itertools.pairwise(self.records):
                text += (", then " if prev.last_h < rec.start_h else " and ") + rec.describe()
        extras = []
        if self.steady_state:
            extras.append("first dose at steady state")
        if self.missed_days:
            extras.append("missing day" + _plural_list(sorted(self.missed_days)))
        if self.missed_doses:
            extras.append("missing dose index" + _plural_list(sorted(self.missed_doses)))
        if self.adherence is not None:
            extras.append(f"adherence {self.adherence:.0%} (seed {self.seed})")
        return "; ".join([text, *extras])


def _plural_list(values: Sequence[int]) -> str:
    return ("s " if len(values) > 1 else " ") + ", ".join(str(v) for v in values)


def _check_no_simultaneous(records: Sequence[Dosing]) -> None:
    finite_ends = [r.last_h for r in records if math.isfinite(r.last_h)]
    horizon = max([*finite_ends, *(r.start_h for r in records)]) + _OVERLAP_LOOKAHEAD_H
    t = np.sort(np.concatenate([r.times(horizon) for r in records]))
    clash = _find_simultaneous(t)
    if clash is not None:
        raise InputError(
            f"two doses are scheduled at the same time, t = {clash:g} h; "
            "a regimen gives one dose at a time (shift one schedule or combine the doses)."
        )


def _check_parts(parts: Sequence[Regimen]) -> None:
    first = min(p.first_h for p in parts)
    for p in parts:
        if p.steady_state_of is not None and (
            p.first_h != first or sum(q.first_h == first for q in parts) > 1
        ):
            raise InputError(
                "steady state (SS=1) is allowed only on the very first dose of a regimen; "
                f"this one starts at t = {p.first_h:g} h, after another dose."
            )
    finite_ends = [p.last_h for p in parts if math.isfinite(p.last_h)]
    horizon = max([*finite_ends, *(p.first_h for p in parts)]) + _OVERLAP_LOOKAHEAD_H
    t = np.sort(np.concatenate([p.scheduled(horizon)[0] for p in parts]))
    clash = _find_simultaneous(t)
    if clash is not None:
        raise InputError(
            f"the combined regimens both dose at t = {clash:g} h; "
            "a regimen gives one dose at a time (shift one schedule or combine the doses)."
        )


# ---- builders ------------------------------------------------------------------------------
def daily(
    dose_mg: float,
    at: str = "22:00",
    days: int | None = None,
    *,
    start_day: int = 1,
    steady_state: bool = False,
) -> Regimen:
    """`dose_mg` every 24 h at clock time `at` ('HH:MM'), from `start_day` for `days` days.

    `days=None` continues indefinitely. `steady_state=True`: the first dose is at steady state.
    """
    dose = check_dose_mg(dose_mg)
    clock_h = check_clock(at, "time of day (at)")
    first_day = check_count(start_day, "start_day", minimum=1)
    addl = None if days is None else check_count(days, "days", minimum=1) - 1
    start_h = (first_day - 1) * H_PER_DAY + clock_h
    record = Dosing(dose_mg=dose, start_h=start_h, ii_h=H_PER_DAY, addl=addl)
    return Regimen(records=(record,), steady_state=bool(steady_state))


def every(
    dose_mg: float,
    interval_h: float,
    start_h: float = 0.0,
    n: int | None = None,
    *,
    until_h: float | None = None,
    steady_state: bool = False,
) -> Regimen:
    """`dose_mg` every `interval_h` hours from `start_h`: `n` doses, or those before `until_h`.

    With neither `n` nor `until_h` the doses continue indefinitely (mrgsolve `ii`/`addl`/`until`).
    """
    dose = check_dose_mg(dose_mg)
    ii = check_positive(interval_h, "interval_h")
    start = check_non_negative(start_h, "start_h")
    if n is not None and until_h is not None:
        raise InputError("give either n (number of doses) or until_h, not both.")
    addl: int | None = None
    if n is not None:
        addl = check_count(n, "n (number of doses)", minimum=1) - 1
    elif until_h is not None:
        end = check_non_negative(until_h, "until_h")
        if end <= start:
            raise InputError(
                f"until_h = {end:g} h must be after start_h = {start:g} h, or no dose is given."
            )
        addl = math.ceil((end - start) / ii) - 1
    record = Dosing(dose_mg=dose, start_h=start, ii_h=ii, addl=addl)
    return Regimen(records=(record,), steady_state=bool(steady_state))


def single(dose_mg: float, at_h: float = 0.0) -> Regimen:
    """One dose of `dose_mg` at `at_h` hours."""
    dose = check_dose_mg(dose_mg)
    start = check_non_negative(at_h, "at_h")
    return Regimen(records=(Dosing(dose_mg=dose, start_h=start),))


def titration(
    steps: Sequence[tuple[float, int | None]],
    at: str = "22:00",
    *,
    start_day: int = 1,
) -> Regimen:
    """Daily doses at clock time `at` stepping through `(dose_mg, days)`; only the last may be None.

    Example: `titration([(1.5, 7), (3.0, 7), (4.5, None)])` is 1.5 mg for a week, 3 mg for a week,
    then 4.5 mg indefinitely, every night at 22:00.
    """
    if isinstance(steps, str | bytes) or not isinstance(steps, Sequence) or not steps:
        raise InputError(
            "titration steps must be a non-empty list of (dose_mg, days) pairs, "
            "for example [(1.5, 7), (3.0, 7), (4.5, None)]."
        )
    clock_h = check_clock(at, "time of day (at)")
    day = check_count(start_day, "start_day", minimum=1)
    records = []
    for i, step in enumerate(steps, start=1):
        if not (isinstance(step, Sequence) and len(step) == 2):
            raise InputError(f"titration step {i} must be a (dose_mg, days) pair, got {step!r}.")
        dose_value, days_value = step
        dose = check_dose_mg(dose_value, f"titration step {i} dose_mg")
        if days_value is None:
            if i != len(steps):
                raise InputError(
                    f"titration step {i} has no length (days=None) but is not the last step; "
                    "only the last step may continue indefinitely."
                )
            addl = None
            n_days = 0
        else:
            n_days = check_count(days_value, f"titration step {i} days", minimum=1)
            addl = n_days - 1
        start_h = (day - 1) * H_PER_DAY + clock_h
        records.append(Dosing(dose_mg=dose, start_h=start_h, ii_h=H_PER_DAY, addl=addl))
        day += n_days
    return Regimen(records=tuple(records))
