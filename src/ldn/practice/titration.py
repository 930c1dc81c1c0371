"""Titration plans in mg, mL of a liquid or capsules, built on `ldn.regimen` so they simulate.

    >>> plan = titration_plan(start_mg=1.5, step_mg=1.5, every_days=7, target_mg=4.5)
    >>> [(s.day, s.dose_mg) for s in plan.steps]
    [(1, 1.5), (8, 3.0), (15, 4.5)]
    >>> plan.regimen().describe().split(", then ")[-1]
    '4.5 mg daily at 22:00 from day 15'

Doses climb from `start_mg` by `step_mg` every `every_days` days and stop at `target_mg` (the
last step is capped at the target and continues indefinitely). A dose is measured either as a
volume of a liquid of `liquid_mg_per_ml` or as the fewest capsules from `capsule_strengths_mg`
that add up to it exactly. The side-effect rule (`step_back_on`): if that side effect does not
settle after a few days, halve the current dose and climb again as before (LDN Research Trust,
rule `step_back_halve`); `step_back_at(day)` gives the plan after such a step back.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final

from ldn.errors import InputError
from ldn.regimen import Regimen, titration
from ldn.regimen.validate import check_clock, check_count, check_dose_mg, check_positive

MAX_STEPS: Final = 200
MIN_VOLUME_ML: Final = 0.1  # smallest volume worth measuring with an oral syringe (assumption)
_CENTI: Final = 100  # capsules are matched in units of 0.01 mg


@dataclass(frozen=True, slots=True)
class Measure:
    """How to measure one dose: a volume of liquid or a list of capsule strengths."""

    liquid_mg_per_ml: float | None = None
    capsule_strengths_mg: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        if self.liquid_mg_per_ml is not None and self.capsule_strengths_mg:
            raise InputError(
                "give either --liquid-mg-per-ml or --capsule-strengths, not both: a dose is "
                "measured one way"
            )

    def volume_ml(self, dose_mg: float) -> float | None:
        """Volume of liquid for `dose_mg` (mL, 3 decimals), or None without a liquid."""
        if self.liquid_mg_per_ml is None:
            return None
        return round(dose_mg / self.liquid_mg_per_ml, 3)

    def capsules(self, dose_mg: float) -> list[float] | None:
        """The fewest capsules (largest first) adding up to `dose_mg`, or None without capsules."""
        if not self.capsule_strengths_mg:
            return None
        return fewest_capsules(dose_mg, self.capsule_strengths_mg)

    def describe(self, dose_mg: float) -> str:
        """'1.5 mL' / '1 × 3 mg + 1 × 1.5 mg capsule' / '4.5 mg'."""
        volume = self.volume_ml(dose_mg)
        if volume is not None:
            return f"{volume:g} mL"
        caps = self.capsules(dose_mg)
        if caps is not None:
            return capsule_text(caps)
        return f"{dose_mg:g} mg"

    def as_fields(self, dose_mg: float) -> dict[str, Any]:
        """`volume_ml` or `capsules` for JSON, according to the measure."""
        if self.liquid_mg_per_ml is not None:
            return {"volume_ml": self.volume_ml(dose_mg)}
        if self.capsule_strengths_mg:
            return {"capsules": self.capsules(dose_mg)}
        return {}


def fewest_capsules(dose_mg: float, strengths_mg: Sequence[float]) -> list[float]:
    """The fewest capsules whose strengths add up to `dose_mg` exactly (to 0.01 mg).

    Dynamic programming over 0.01 mg units; ties keep the larger strengths first.
    """
    units = sorted({round(s * _CENTI) for s in strengths_mg}, reverse=True)
    target = round(dose_mg * _CENTI)
    if abs(target - dose_mg * _CENTI) > 1e-6 or not units or min(units) <= 0:
        raise InputError(f"{dose_mg:g} mg cannot be made from capsules of {_fmt(strengths_mg)} mg")
    best: list[int | None] = [0] + [None] * target
    last: list[int] = [0] * (target + 1)
    for amount in range(1, target + 1):
        for u in units:
            prev = best[amount - u] if u <= amount else None
            if prev is not None and (best[amount] is None or prev + 1 < best[amount]):  # type: ignore[operator]
                best[amount], last[amount] = prev + 1, u
    if best[target] is None:
        raise InputError(
            f"{dose_mg:g} mg cannot be made from capsules of {_fmt(strengths_mg)} mg; add a "
            "strength or use a liquid (--liquid-mg-per-ml 1)"
        )
    caps, amount = [], target
    while amount:
        caps.append(last[amount] / _CENTI)
        amount -= last[amount]
    return sorted(caps, reverse=True)


def capsule_text(caps: Sequence[float]) -> str:
    """[3.0, 1.5] → '1 × 3 mg + 1 × 1.5 mg capsule'."""
    counts: dict[float, int] = {}
    for c in caps:
        counts[c] = counts.get(c, 0) + 1
    parts = [f"{n} × {s:g} mg" for s, n in sorted(counts.items(), reverse=True)]
    return " + ".join(parts) + (" capsule" if len(caps) == 1 else " capsules")


def _fmt(values: Sequence[float]) -> str:
    return ", ".join(f"{v:g}" for v in values)


@dataclass(frozen=True, slots=True)
class Step:
    """One titration step: `dose_mg` every day from `day` for `days` days (None: continue)."""

    day: int
    dose_mg: float
    days: int | None
    note: str = ""


@dataclass(frozen=True)
class TitrationPlan:
    """A titration plan: steps, dosing clock time, measure and the side-effect rule."""

    steps: tuple[Step, ...]
    at: str = "22:00"
    measure: Measure = field(default_factory=Measure)
    step_mg: float = 0.0
    every_days: int = 7
    target_mg: float = 0.0
    step_back_on: str | None = None

    @property
    def target_day(self) -> int:
        """First day on the target dose."""
        return self.steps[-1].day

    def regimen(self) -> Regimen:
        """The plan as an `ldn.regimen.Regimen` (daily doses at `at`), ready for `ldn.simulate`."""
        return titration([(s.dose_mg, s.days) for s in self.steps], at=self.at)

    def dose_on(self, day: int) -> float:
        """The dose (mg) taken on 1-based `day`."""
        current = self.steps[0].dose_mg
        for s in self.steps:
            if s.day <= day:
                current = s.dose_mg
        return current

    def step_back_at(self, day: int) -> TitrationPlan:
        """The plan if the side effect forces a step back on `day`: halve the dose taken that
        day, hold it `every_days` days, then climb by `step_mg` every `every_days` to target."""
        day = check_count(day, "step-back day", minimum=1)
        halved = self.half_dose(self.dose_on(day))
        if halved is None:
            raise InputError(
                f"no capsule is at most half of {self.dose_on(day):g} mg; a step back on day "
                f"{day} needs a smaller capsule strength or the liquid"
            )
        kept = []
        for s in self.steps:
            if s.day >= day:
                break
            length = day - s.day if s.days is None else min(s.days, day - s.day)
            kept.append(replace(s, days=length))
        climb = _climb(halved, self.step_mg, self.every_days, self.target_mg, start_day=day)
        first = replace(climb[0], note=f"step back: half of {self.dose_on(day):g} mg")
        return replace(self, steps=(*kept, first, *climb[1:]))

    def half_dose(self, dose_mg: float) -> float | None:
        """Half of `dose_mg`; with capsules, the largest dose they make that is not above half
        (None when even the smallest capsule is above half: the plan then says to call)."""
        half = round(dose_mg / 2.0, 4)
        if not self.measure.capsule_strengths_mg:
            return half
        for units in range(round(half * _CENTI), 0, -1):
            try:
                fewest_capsules(units / _CENTI, self.measure.capsule_strengths_mg)
            except InputError:
                continue
            return units / _CENTI
        return None

    def rows(self) -> list[dict[str, Any]]:
        """One JSON-ready dict per step: day, dose_mg, volume_ml or capsules, step-back dose."""
        out = []
        for s in self.steps:
            row: dict[str, Any] = {"day": s.day, "dose_mg": s.dose_mg, "days": s.days}
            row.update(self.measure.as_fields(s.dose_mg))
            if self.step_back_on is not None:
                half = self.half_dose(s.dose_mg)
                row["step_back_dose_mg"] = half
                if half is not None:
                    fields = self.measure.as_fields(half)
                    row.update({f"step_back_{k}": v for k, v in fields.items()})
            if s.note:
                row["note"] = s.note
            out.append(row)
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON form: {"steps": [...], "at", "regimen", "step_back"}."""
        out: dict[str, Any] = {
            "steps": self.rows(),
            "at": self.at,
            "regimen": self.regimen().describe(),
            "target_day": self.target_day,
        }
        if self.measure.liquid_mg_per_ml is not None:
            out["liquid_mg_per_ml"] = self.measure.liquid_mg_per_ml
        if self.measure.capsule_strengths_mg:
            out["capsule_strengths_mg"] = list(self.measure.capsule_strengths_mg)
        if self.step_back_on is not None:
            out["step_back"] = step_back_rule(self)
        return out


def step_back_rule(plan: TitrationPlan) -> dict[str, Any]:
    """The side-effect rule in words, with its sources."""
    from ldn.practice.rules import rule, value

    wait = int(value("step_back_wait_days"))
    effect = (plan.step_back_on or "the side effect").replace("_", " ")
    return {
        "on": plan.step_back_on,
        "rule": (
            f"If {effect} has not settled after {wait} days, halve the dose you are taking, keep "
            f"that dose for {plan.every_days} days, then climb again by {plan.step_mg:g} mg every "
            f"{plan.every_days} days up to {plan.target_mg:g} mg."
        ),
        "sources": [rule("step_back_halve").as_dict(), rule("step_back_wait_days").as_dict()],
    }


def _climb(
    start_mg: float, step_mg: float, every_days: int, target_mg: float, *, start_day: int = 1
) -> list[Step]:
    steps: list[Step] = []
    dose, day = start_mg, start_day
    while dose < target_mg - 1e-9:
        steps.append(Step(day=day, dose_mg=round(dose, 4), days=every_days))
        if len(steps) > MAX_STEPS:
            raise InputError(
                f"climbing from {start_mg:g} to {target_mg:g} mg by {step_mg:g} mg takes more than "
                f"{MAX_STEPS} steps; use a larger --step-mg"
            )
        dose += step_mg
        day += every_days
    steps.append(Step(day=day, dose_mg=round(target_mg, 4), days=None))
    return steps


def titration_plan(
    *,
    start_mg: float,
    step_mg: float,
    every_days: int,
    target_mg: float,
    at: str = "22:00",
    liquid_mg_per_ml: float | None = None,
    capsule_strengths_mg: Sequence[float] = (),
    step_back_on: str | None = None,
) -> TitrationPlan:
    """Build and validate a titration plan (see the module docstring)."""
    start = check_dose_mg(start_mg, "--start-mg")
    target = check_dose_mg(target_mg, "--target-mg")
    step = check_positive(step_mg, "--step-mg")
    every = check_count(every_days, "--every-days", minimum=1)
    check_clock(at, "--at")
    if start > target:
        raise InputError(f"--start-mg {start:g} is above --target-mg {target:g}; swap them")
    conc = (
        None if liquid_mg_per_ml is None else check_positive(liquid_mg_per_ml, "--liquid-mg-per-ml")
    )
    strengths = tuple(check_dose_mg(s, "capsule strength") for s in capsule_strengths_mg)
    measure = Measure(liquid_mg_per_ml=conc, capsule_strengths_mg=strengths)
    if step_back_on is not None:
        step_back_on = check_side_effect(step_back_on)
    plan = TitrationPlan(
        steps=tuple(_climb(start, step, every, target)),
        at=at,
        measure=measure,
        step_mg=step,
        every_days=every,
        target_mg=target,
        step_back_on=step_back_on,
    )
    _check_measurable(plan)
    return plan


def check_side_effect(name: str) -> str:
    """A side-effect code from the registry's list (`vivid_dreams`, `insomnia`, ...)."""
    from ldn.scales import AE_TYPES

    code = name.strip().lower().replace(" ", "_").replace("-", "_")
    if code not in AE_TYPES:
        raise InputError(
            f"--step-back-on {name!r} is not a side effect; use one of {', '.join(AE_TYPES)}"
        )
    return code


def _check_measurable(plan: TitrationPlan) -> None:
    doses = {s.dose_mg for s in plan.steps}
    if plan.step_back_on is not None:
        halves = (plan.half_dose(d) for d in doses)
        doses |= {h for h in halves if h is not None}
    for dose in sorted(doses):
        volume = plan.measure.volume_ml(dose)
        if volume is not None and volume < MIN_VOLUME_ML:
            raise InputError(
                f"{dose:g} mg is only {volume:g} mL of the {plan.measure.liquid_mg_per_ml:g} mg/mL "
                f"liquid, below {MIN_VOLUME_ML:g} mL that an oral syringe measures well; use a "
                "weaker liquid"
            )
        plan.measure.capsules(dose)  # raises when no combination exists


def parse_strengths(text: str) -> list[float]:
    """'0.5,1,1.5,3,4.5' → [0.5, 1.0, 1.5, 3.0, 4.5]."""
    out = []
    for piece in (p.strip() for p in text.split(",")):
        if not piece:
            continue
        out.append(check_dose_mg(piece, f"capsule strength {piece!r}"))
    if not out:
        raise InputError("--capsule-strengths is empty; write e.g. 0.5,1,1.5,3,4.5")
    if any(math.isclose(a, b) for i, a in enumerate(out) for b in out[i + 1 :]):
        raise InputError("--capsule-strengths lists a strength twice")
    return out
