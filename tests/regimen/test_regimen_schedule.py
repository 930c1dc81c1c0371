"""Regimen builders, composition, missed doses, adherence and DoseEvents invariants."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from ldn.errors import InputError
from ldn.regimen import (
    MAX_DOSE_MG,
    DoseEvents,
    Regimen,
    SteadyState,
    daily,
    every,
    single,
    titration,
)


# ---- builders ----------------------------------------------------------------------------
def test_daily_at_clock_time_uses_midnight_of_day_one_as_zero() -> None:
    events = daily(4.5, at="22:00").events(until_h=96)
    np.testing.assert_array_equal(events.t_h, [22.0, 46.0, 70.0, 94.0])
    np.testing.assert_array_equal(events.dose_mg, [4.5] * 4)
    assert events.steady_state is None


def test_daily_counts_one_dose_per_day_and_stops_after_days() -> None:
    assert len(daily(4.5, at="22:00").events(until_h=14 * 24)) == 14
    assert len(daily(4.5, at="08:30", days=3).events(until_h=30 * 24)) == 3
    assert daily(3.0, at="07:15").events(24).t_h[0] == pytest.approx(7.25)


def test_daily_start_day_shifts_by_whole_days() -> None:
    assert daily(4.5, at="22:00", start_day=3).events(24 * 5).t_h[0] == 70.0


def test_every_interval_n_and_until() -> None:
    np.testing.assert_array_equal(every(1.0, 8, n=4).events(1000).t_h, [0, 8, 16, 24])
    np.testing.assert_array_equal(
        every(1.0, 12, start_h=6, until_h=40).events(1000).t_h, [6, 18, 30]
    )
    assert len(every(1.0, 6).events(48)) == 8  # open-ended, cut at the horizon


def test_every_rejects_n_with_until() -> None:
    with pytest.raises(InputError, match=r"either n .* or until_h, not both"):
        every(1.0, 12, n=3, until_h=48)


def test_every_rejects_until_before_start() -> None:
    with pytest.raises(InputError, match="must be after start_h"):
        every(1.0, 12, start_h=10, until_h=5)


def test_single_dose() -> None:
    events = single(50.0, at_h=1.5).events(100)
    assert events.t_h.tolist() == [1.5]
    assert events.total_mg == 50.0


def test_titration_steps_follow_each_other_daily() -> None:
    regimen = titration([(1.5, 7), (3.0, 7), (4.5, None)], at="22:00")
    events = regimen.events(until_h=28 * 24)
    assert len(events) == 28
    np.testing.assert_array_equal(events.dose_mg[:7], 1.5)
    np.testing.assert_array_equal(events.dose_mg[7:14], 3.0)
    np.testing.assert_array_equal(events.dose_mg[14:], 4.5)
    np.testing.assert_array_equal(np.diff(events.t_h), 24.0)


def test_titration_with_finite_last_step_ends() -> None:
    assert len(titration([(1.5, 2), (3.0, 2)]).events(24 * 30)) == 4


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ([], "non-empty list"),
        ("1.5:7", "non-empty list"),
        ([(1.5, None), (3.0, 7)], "only the last step may continue"),
        ([(1.5,)], "must be a \\(dose_mg, days\\) pair"),
        ([(1.5, 0)], "titration step 1 days must be at least 1"),
        ([(1.5, 7), (-3, 7)], "titration step 2 dose_mg must be greater than 0"),
    ],
)
def test_titration_errors(steps: object, message: str) -> None:
    with pytest.raises(InputError, match=message):
        titration(steps)  # type: ignore[arg-type]


# ---- dose validation ---------------------------------------------------------------------
@pytest.mark.parametrize("dose", [0.001, 1e-6, 0.5, 4.5, 50.0, MAX_DOSE_MG])
def test_doses_from_nanogram_to_label_maximum_are_accepted(dose: float) -> None:
    assert daily(dose).events(24).dose_mg[0] == dose


@pytest.mark.parametrize(
    ("dose", "message"),
    [
        (0, "must be greater than 0 mg, got 0"),
        (-4.5, "must be greater than 0 mg, got -4.5"),
        ("four", "must be a number, got 'four'"),
        (float("nan"), "must be a finite number"),
        (float("inf"), "must be a finite number"),
        (True, "must be a number, got True"),
        (None, "must be a number, got None"),
        (1e-7, "below the smallest accepted dose of 1e-06 mg"),
        (4500, "above 800 mg, the highest dose described in the naltrexone label"),
    ],
)
def test_bad_doses_name_the_value_and_rule(dose: object, message: str) -> None:
    with pytest.raises(InputError, match=message):
        daily(dose)  # type: ignore[arg-type]


@pytest.mark.parametrize("at", ["25:00", "22", "22:60", "10pm", "", "2:3:4", 22])
def test_malformed_clock_times(at: object) -> None:
    with pytest.raises(InputError, match="time of day \\(at\\)"):
        daily(4.5, at=at)  # type: ignore[arg-type]


def test_interval_must_be_positive() -> None:
    with pytest.raises(InputError, match="interval_h must be greater than 0, got 0"):
        every(1.0, 0)
    with pytest.raises(InputError, match="interval of at least 1e-06 h, got 1e-09"):
        every(1.0, 1e-9)


def test_too_many_doses_is_refused_not_allocated() -> None:
    with pytest.raises(InputError, match="more than the 10000000 one regimen may list"):
        every(1.0, 0.001).events(1e5)
    with pytest.raises(InputError, match="shorten the schedule"):
        every(1.0, 1.0, n=10**9)


def test_builders_store_plain_floats() -> None:
    record = single("4.5", at_h="1").records[0]  # type: ignore[arg-type]
    assert (record.dose_mg, record.start_h) == (4.5, 1.0)
    assert isinstance(record.dose_mg, float)


# ---- composition -------------------------------------------------------------------------
def test_sum_merges_morning_and_evening() -> None:
    regimen = daily(1.0, at="08:00") + daily(3.5, at="20:00")
    events = regimen.events(48)
    np.testing.assert_array_equal(events.t_h, [8, 20, 32, 44])
    np.testing.assert_array_equal(events.dose_mg, [1.0, 3.5, 1.0, 3.5])
    assert regimen.describe() == "1 mg daily at 08:00 and 3.5 mg daily at 20:00"


def test_sum_rejects_simultaneous_doses() -> None:
    with pytest.raises(InputError, match="same time, t = 22 h"):
        daily(4.5) + daily(1.0)


def test_sum_rejects_simultaneous_doses_found_later() -> None:
    with pytest.raises(InputError, match="t = 190 h"):
        daily(1.5, days=8) + daily(3.0, start_day=8)


def test_sum_with_modified_part_rejects_clash() -> None:
    with pytest.raises(InputError, match="both dose at t = 22 h"):
        daily(4.5).with_missed(days=[2]) + single(1.0, at_h=22)


def test_sum_keeps_each_part_modifiers() -> None:
    regimen = daily(4.5, at="22:00").with_missed(days=[1]) + single(10.0, at_h=3)
    events = regimen.events(48)
    assert events.t_h.tolist() == [3.0, 46.0]


def test_add_non_regimen_is_type_error() -> None:
    with pytest.raises(TypeError):
        daily(4.5) + 1  # type: ignore[operator]


# ---- missed doses and adherence ----------------------------------------------------------
def test_missed_days_and_indices() -> None:
    regimen = daily(4.5, at="22:00").with_missed(days=[2, 4]).with_missed(doses=[0])
    assert regimen.events(5 * 24).t_h.tolist() == [70.0, 118.0]


def test_missed_needs_something() -> None:
    with pytest.raises(InputError, match="needs days"):
        daily(4.5).with_missed()


def test_missed_day_zero_is_refused() -> None:
    with pytest.raises(InputError, match="missed day must be at least 1, got 0"):
        daily(4.5).with_missed(days=[0])


def test_adherence_is_reproducible_and_prefix_stable() -> None:
    regimen = daily(4.5).with_adherence(0.7, seed=42)
    short, long = regimen.events(30 * 24), regimen.events(60 * 24)
    assert short == regimen.events(30 * 24)
    np.testing.assert_array_equal(long.t_h[: len(short)], short.t_h)
    other = daily(4.5).with_adherence(0.7, seed=43).events(60 * 24)
    assert other != long


def test_adherence_fraction_is_close_to_p() -> None:
    n = 20_000
    taken = len(every(1.0, 1.0).with_adherence(0.8, seed=1).events(float(n)))
    # binomial sd = sqrt(n p (1-p)) ≈ 57; allow 5 sd
    assert abs(taken - 0.8 * n) < 5 * np.sqrt(n * 0.8 * 0.2)


@pytest.mark.parametrize("p", [-0.1, 1.5, 80])
def test_adherence_out_of_range(p: float) -> None:
    with pytest.raises(InputError, match="between 0 and 1"):
        daily(4.5).with_adherence(p, seed=0)


def test_adherence_only_once() -> None:
    with pytest.raises(InputError, match="already set"):
        daily(4.5).with_adherence(0.5, seed=0).with_adherence(0.5, seed=1)


def test_negative_seed_refused() -> None:
    with pytest.raises(InputError, match="seed must be at least 0"):
        daily(4.5).with_adherence(0.5, seed=-1)


# ---- steady state ------------------------------------------------------------------------
def test_steady_state_flag_on_first_event() -> None:
    events = daily(4.5, at="22:00", steady_state=True).events(72)
    assert events.steady_state == SteadyState(dose_mg=4.5, tau_h=24.0)


def test_steady_state_anchor_survives_adherence() -> None:
    events = daily(4.5, steady_state=True).with_adherence(0.0, seed=0).events(24 * 5)
    assert events.t_h.tolist() == [22.0]
    assert events.steady_state is not None


def test_steady_state_anchor_cannot_be_missed() -> None:
    with pytest.raises(InputError, match="cannot be missed"):
        daily(4.5, steady_state=True).with_missed(days=[1])


def test_steady_state_only_on_first_part() -> None:
    with pytest.raises(InputError, match="only on the very first dose"):
        single(1.0, at_h=0) + daily(4.5, steady_state=True)


def test_steady_state_through_sum_when_first() -> None:
    regimen = daily(4.5, at="08:00", steady_state=True) + daily(1.0, at="20:00")
    assert regimen.events(48).steady_state == SteadyState(4.5, 24.0)


def test_horizon_before_first_dose_gives_no_events_and_no_steady_state() -> None:
    events = daily(4.5, steady_state=True).events(10)
    assert len(events) == 0
    assert events.steady_state is None


def test_events_horizon_validated() -> None:
    with pytest.raises(InputError, match="until_h must be 0 or more"):
        daily(4.5).events(-1)


# ---- describe ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("regimen", "text"),
    [
        (daily(4.5, at="22:00"), "4.5 mg daily at 22:00"),
        (daily(0.0005, at="21:30", days=2), "0.5 µg daily at 21:30 for 2 days"),
        (every(2.0, 12, n=3), "2 mg every 12 h from t = 0 h for 3 doses"),
        (single(50), "50 mg once at 00:00 on day 1 (t = 0 h)"),
        (
            titration([(1.5, 7), (4.5, None)]),
            "1.5 mg daily at 22:00 for 7 days, then 4.5 mg daily at 22:00 from day 8",
        ),
        (
            daily(4.5).with_missed(days=[3, 5]).with_adherence(0.9, seed=7),
            "4.5 mg daily at 22:00; missing days 3, 5; adherence 90% (seed 7)",
        ),
        (daily(4.5, steady_state=True), "4.5 mg daily at 22:00; first dose at steady state"),
    ],
)
def test_describe(regimen: Regimen, text: str) -> None:
    assert regimen.describe() == text


# ---- DoseEvents invariants ---------------------------------------------------------------
def test_dose_events_are_read_only_copies() -> None:
    t = np.array([1.0, 2.0])
    events = DoseEvents(t_h=t, dose_mg=np.array([1.0, 1.0]))
    t[0] = 99.0
    assert events.t_h[0] == 1.0
    with pytest.raises(ValueError, match="read-only"):
        events.t_h[0] = 5.0


@pytest.mark.parametrize(
    ("t", "d", "message"),
    [
        ([2.0, 1.0], [1.0, 1.0], "strictly increasing"),
        ([1.0, 1.0], [1.0, 1.0], "strictly increasing"),
        ([1.0], [0.0], "finite and > 0"),
        ([1.0, 2.0], [1.0], "entries"),
        ([np.nan], [1.0], "finite"),
    ],
)
def test_dose_events_invariants(t: list[float], d: list[float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DoseEvents(t_h=np.array(t), dose_mg=np.array(d))


def test_dose_events_window() -> None:
    events = daily(4.5, steady_state=True).events(24 * 4)
    assert events.window(0, 30).steady_state is not None
    late = events.window(30, 90)
    assert late.t_h.tolist() == [46.0, 70.0]
    assert late.steady_state is None


def test_regimens_and_events_pickle_for_parallel_workers() -> None:
    regimen = (daily(4.5, steady_state=True) + single(1.0, at_h=30)).with_adherence(0.5, seed=1)
    assert pickle.loads(pickle.dumps(regimen)) == regimen
    events = regimen.events(100)
    back = pickle.loads(pickle.dumps(events))
    assert back == events
    assert not back.t_h.flags.writeable
