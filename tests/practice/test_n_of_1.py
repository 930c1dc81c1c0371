"""Randomised blinded N-of-1 schedules and the analysis that breaks the blind."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ldn.errors import InputError
from ldn.practice.n_of_1 import analyse_schedule, n_of_1_schedule, schedule_from_dict


@settings(max_examples=50, deadline=None)
@given(cycles=st.integers(1, 6), weeks=st.integers(1, 6), seed=st.integers(0, 2**31))
def test_schedule_is_balanced_and_ordered(cycles: int, weeks: int, seed: int) -> None:
    s = n_of_1_schedule(cycles=cycles, period_weeks=weeks, seed=seed)
    for c in range(1, cycles + 1):
        assert sorted(p.treatment for p in s.periods if p.cycle == c) == ["ldn", "placebo"]
    starts = [p.start_day for p in s.periods]
    assert starts[0] == 1
    assert all(b - a == 7 * weeks + s.washout_days for a, b in itertools.pairwise(starts))
    assert n_of_1_schedule(cycles=cycles, period_weeks=weeks, seed=seed) == s
    assert schedule_from_dict(json.loads(json.dumps(s.to_dict()))) == s


def test_order_is_random_across_seeds() -> None:
    firsts = [
        n_of_1_schedule(cycles=1, period_weeks=2, seed=k).periods[0].treatment for k in range(400)
    ]
    share = firsts.count("ldn") / len(firsts)
    assert 0.4 < share < 0.6  # a fair coin: 400 draws, SD 0.025


def test_json_has_only_treatment_periods_and_washouts_apart() -> None:
    d = n_of_1_schedule(cycles=3, period_weeks=2, seed=5).to_dict()
    assert set(d) >= {"seed", "periods", "washouts"}
    assert all(set(p) == {"cycle", "start_day", "treatment"} for p in d["periods"])
    assert len(d["periods"]) == 6 and len(d["washouts"]) == 6
    assert d["washouts"][0] == {"start_day": 15, "days": 7}


def test_blinded_calendar_hides_the_treatment_and_the_key_has_it() -> None:
    s = n_of_1_schedule(cycles=3, period_weeks=2, seed=11)
    text = json.dumps(s.blinded_calendar()).lower()
    assert "ldn" not in text and "placebo" not in text
    key = s.pharmacy_key()
    assert [b["treatment"] for b in key["bottles"]] == [p.treatment for p in s.periods]


def _series(effect: float, seed: int) -> tuple:
    s = n_of_1_schedule(cycles=3, period_weeks=2, seed=seed)
    days = np.arange(1, s.total_days + 1, dtype=float)
    on = np.nan_to_num(s.on_flags(days))
    rng = np.random.default_rng(seed)
    y = np.clip(6.0 - effect * on + rng.normal(0, 1.0, days.size), 0, 10)
    return s, days, y


def test_analysis_finds_a_real_benefit() -> None:
    s, days, y = _series(effect=3.0, seed=3)  # pain NRS 3 points lower on LDN
    r = analyse_schedule(s, days, y, scale_code="pain_nrs")
    assert r["n_in_washout"] == 42 and r["n_used"] == 84
    assert r["delta_mean"] == pytest.approx(-3.0, abs=0.5)
    assert r["p_improvement_ge_mid"] > 0.8


def test_analysis_of_no_effect_is_not_a_responder() -> None:
    s, days, y = _series(effect=0.0, seed=4)
    r = analyse_schedule(s, days, y, scale_code="pain_nrs")
    assert r["p_improvement_ge_mid"] < 0.2
    assert {p["treatment"] for p in r["periods"]} == {"ldn", "placebo"}


def test_bad_input() -> None:
    with pytest.raises(InputError, match="--cycles"):
        n_of_1_schedule(cycles=0, period_weeks=2, seed=1)
    with pytest.raises(InputError, match="--period-weeks"):
        n_of_1_schedule(cycles=2, period_weeks=40, seed=1)
    with pytest.raises(InputError, match="not an N-of-1 schedule"):
        schedule_from_dict({"seed": 1})


def test_a_stored_schedule_with_an_unknown_treatment_is_refused() -> None:
    """'LDN' (or any other spelling) in a hand-edited key used to count as placebo."""
    data = n_of_1_schedule(cycles=2, period_weeks=2, seed=3).to_dict()
    data["periods"][1]["treatment"] = "LDN"
    with pytest.raises(InputError, match="period 2: treatment 'LDN' is not one of ldn, placebo"):
        schedule_from_dict(data)
