"""Titration plans: steps, measures (mL, capsules), the step-back rule, and simulation."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ldn.errors import InputError
from ldn.practice.titration import fewest_capsules, parse_strengths, titration_plan
from ldn.simulation import simulate


def test_weekly_plan_in_ml() -> None:
    plan = titration_plan(
        start_mg=1.5, step_mg=1.5, every_days=7, target_mg=4.5, liquid_mg_per_ml=1
    )
    rows = plan.rows()
    assert [(r["day"], r["dose_mg"], r["volume_ml"]) for r in rows] == [
        (1, 1.5, 1.5),
        (8, 3.0, 3.0),
        (15, 4.5, 4.5),
    ]
    assert rows[-1]["days"] is None
    assert plan.to_dict()["steps"] == rows


def test_slow_schedule_half_mg_every_two_weeks() -> None:
    # LDN Research Trust's slow schedule (rule titration_slow): 0.5 mg every two weeks
    plan = titration_plan(
        start_mg=0.5, step_mg=0.5, every_days=14, target_mg=4.5, liquid_mg_per_ml=1
    )
    assert [s.dose_mg for s in plan.steps] == [0.5 * k for k in range(1, 10)]
    assert [s.day for s in plan.steps] == [1 + 14 * k for k in range(9)]
    assert plan.target_day == 113


def test_target_not_a_multiple_of_the_step_is_capped() -> None:
    plan = titration_plan(start_mg=1, step_mg=1, every_days=7, target_mg=4.5)
    assert [s.dose_mg for s in plan.steps] == [1, 2, 3, 4, 4.5]


def test_the_plan_simulates_with_the_same_doses() -> None:
    plan = titration_plan(start_mg=1.5, step_mg=1.5, every_days=7, target_mg=4.5, at="21:30")
    result = simulate(plan.regimen(), days=21)
    ev = result.events
    assert ev.t_h.size == 21
    np.testing.assert_allclose(ev.t_h % 24, 21.5)
    assert ev.dose_mg.tolist() == [plan.dose_on(d) for d in range(1, 22)]
    assert result.exposure.mor_occupancy.max() > 0


def test_capsules_fewest_and_exact() -> None:
    strengths = [0.5, 1, 1.5, 3, 4.5]
    assert fewest_capsules(4.5, strengths) == [4.5]
    assert fewest_capsules(4.0, strengths) == [3.0, 1.0]
    assert fewest_capsules(2.0, strengths) == [1.5, 0.5]
    with pytest.raises(InputError, match="cannot be made"):
        fewest_capsules(0.25, strengths)


def test_capsule_plan_and_step_back_rounds_down_to_a_capsule() -> None:
    plan = titration_plan(
        start_mg=1.5,
        step_mg=1.5,
        every_days=7,
        target_mg=4.5,
        capsule_strengths_mg=[0.5, 1, 1.5, 3, 4.5],
        step_back_on="insomnia",
    )
    last = plan.rows()[-1]
    assert last["capsules"] == [4.5]
    assert last["step_back_dose_mg"] == 2.0  # half of 4.5 is 2.25: not a capsule sum
    assert last["step_back_capsules"] == [1.5, 0.5]


def test_step_back_halves_then_climbs_again() -> None:
    plan = titration_plan(
        start_mg=1.5,
        step_mg=1.5,
        every_days=7,
        target_mg=4.5,
        liquid_mg_per_ml=1,
        step_back_on="vivid dreams",
    )
    assert plan.step_back_on == "vivid_dreams"
    after = plan.step_back_at(17)
    doses = [after.dose_on(d) for d in range(1, 41)]
    assert doses[:14] == [1.5] * 7 + [3.0] * 7
    assert doses[14:16] == [4.5, 4.5]  # days 15-16 at the target
    assert doses[16:23] == [2.25] * 7  # day 17: half of 4.5 for one step
    assert doses[23:30] == [3.75] * 7  # then up by 1.5 mg
    assert doses[30:] == [4.5] * 10
    rule = plan.to_dict()["step_back"]
    assert "halve" in rule["rule"]
    assert {s["kind"] for s in rule["sources"]} == {"sourced", "assumption"}
    assert after.regimen().events(40 * 24).dose_mg.tolist() == doses


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"start_mg": 5, "target_mg": 4.5}, "above --target-mg"),
        ({"step_mg": 0}, "--step-mg"),
        ({"every_days": 0}, "--every-days"),
        ({"at": "25:00"}, "--at"),
        ({"liquid_mg_per_ml": 50}, "oral syringe"),
        ({"step_back_on": "sneezing"}, "not a side effect"),
        ({"liquid_mg_per_ml": 1, "capsule_strengths_mg": [1.5]}, "not both"),
        ({"step_mg": 0.001}, "more than"),
    ],
)
def test_bad_input_is_one_clear_message(kwargs: dict, message: str) -> None:
    base = {"start_mg": 1.5, "step_mg": 1.5, "every_days": 7, "target_mg": 4.5}
    with pytest.raises(InputError, match=message):
        titration_plan(**{**base, **kwargs})


def test_parse_strengths() -> None:
    assert parse_strengths("0.5, 1,1.5") == [0.5, 1.0, 1.5]
    for bad in ("", "1,1", "a"):
        with pytest.raises(InputError):
            parse_strengths(bad)


@settings(max_examples=60, deadline=None)
@given(
    start=st.sampled_from([0.5, 1.0, 1.5, 2.0]),
    step=st.sampled_from([0.5, 1.0, 1.5]),
    every=st.integers(1, 21),
    target=st.sampled_from([3.0, 4.5, 6.0]),
)
def test_plans_climb_monotonically_to_the_target(
    start: float, step: float, every: int, target: float
) -> None:
    plan = titration_plan(start_mg=start, step_mg=step, every_days=every, target_mg=target)
    doses = [s.dose_mg for s in plan.steps]
    assert doses[0] == start and doses[-1] == target
    assert all(b > a for a, b in itertools.pairwise(doses))
    assert all(b - a <= step + 1e-9 for a, b in itertools.pairwise(doses))
    assert [s.day for s in plan.steps] == [1 + every * k for k in range(len(doses))]
