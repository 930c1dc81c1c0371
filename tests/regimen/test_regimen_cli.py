"""`regimen_from_cli` and the option-string parsers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ldn.errors import DataFileError, InputError
from ldn.regimen import (
    format_titration,
    parse_days,
    parse_titration,
    regimen_from_cli,
    write_event_table,
)
from ldn.regimen.schedule import daily

FIXTURES = Path(__file__).parent / "fixtures"


def test_default_is_bedtime_ldn() -> None:
    regimen = regimen_from_cli()
    assert regimen.describe() == "4.5 mg daily at 22:00"
    assert regimen.events(48).t_h.tolist() == [22.0, 46.0]


def test_dose_and_clock() -> None:
    regimen = regimen_from_cli(dose_mg=3.0, at="21:00")
    assert regimen.describe() == "3 mg daily at 21:00"


def test_interval_starts_at_clock_time_or_zero() -> None:
    assert regimen_from_cli(dose_mg=1.0, interval_h=12).events(25).t_h.tolist() == [0, 12, 24]
    assert regimen_from_cli(dose_mg=1.0, interval_h=12, at="08:00").events(30).t_h.tolist() == [
        8,
        20,
    ]


def test_titration_string() -> None:
    regimen = regimen_from_cli(titrate="1.5:7,3:7,4.5", at="22:30")
    events = regimen.events(21 * 24)
    assert events.t_h[0] == 22.5
    np.testing.assert_array_equal(events.dose_mg[[0, 7, 14, 20]], [1.5, 3.0, 4.5, 4.5])


def test_missed_and_adherence_apply() -> None:
    regimen = regimen_from_cli(dose_mg=4.5, missed="2,4-5")
    assert regimen.events(6 * 24).t_h.tolist() == [22.0, 70.0, 142.0]
    a = regimen_from_cli(adherence=0.5).events(100 * 24)
    b = regimen_from_cli(adherence=0.5, seed=0).events(100 * 24)
    assert a == b  # the default seed is 0


def test_events_file(tmp_path: Path) -> None:
    path = tmp_path / "one.csv"
    write_event_table(daily(2.0, at="09:00", days=3), path, until_h=1000)
    regimen = regimen_from_cli(events_file=path, missed="2")
    assert regimen.events(1000).t_h.tolist() == [9.0, 57.0]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"events_file": FIXTURES / "good.csv", "dose_mg": 4.5}, "drop --dose-mg or drop --events"),
        (
            {"events_file": FIXTURES / "good.csv", "titrate": "1:2", "at": "22:00"},
            "drop --at, --titrate or drop --events",
        ),
        ({"events_file": FIXTURES / "good.csv"}, "holds 2 subjects \\(IDs 1, 2\\)"),
        ({"titrate": "1.5:7,4.5", "dose_mg": 4.5}, "drop --dose-mg"),
        ({"titrate": "1.5:7,4.5", "interval_h": 12}, "drop --interval-h"),
        ({"seed": 3}, "--seed only applies with --adherence"),
        ({"dose_mg": -1}, "--dose-mg must be greater than 0 mg, got -1"),
        ({"dose_mg": 1000}, "above 800 mg"),
        ({"at": "25:00"}, "--at: clock time '25:00' is out of range"),
        ({"at": "22:00", "events_file": FIXTURES / "good.csv"}, "drop --at or drop --events"),
        ({"interval_h": 0}, "--interval-h must be greater than 0, got 0"),
        ({"adherence": 1.2}, "between 0 and 1"),
        ({"missed": "0"}, "at least 1"),
    ],
)
def test_contradictions_and_bad_values(options: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=message):
        regimen_from_cli(**options)  # type: ignore[arg-type]


def test_missing_events_file_is_a_file_error(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="no such event table"):
        regimen_from_cli(events_file=tmp_path / "nope.csv")


def test_parse_titration() -> None:
    assert parse_titration("1.5:7, 3:7 ,4.5") == [(1.5, 7), (3.0, 7), (4.5, None)]
    assert parse_titration("0.001:3,2:4") == [(0.001, 3), (2.0, 4)]
    assert format_titration([(1.5, 7), (4.5, None)]) == "1.5:7,4.5"


def test_old_titration_spelling_is_read_with_a_deprecation_message() -> None:
    with pytest.warns(FutureWarning, match=r"old titration spelling; write '1\.5:7,3:7'"):
        assert parse_titration("1.5x7;3x7") == [(1.5, 7), (3.0, 7)]
    notes: list[str] = []
    steps = parse_titration("1.5 X 14; 3x14", what="titration", on_deprecated=notes.append)
    assert steps == [(1.5, 14), (3.0, 14)] and len(notes) == 1
    assert notes[0].startswith("titration '1.5 X 14; 3x14' uses the old titration spelling")


@pytest.mark.parametrize(
    ("text", "steps", "old"),
    [
        ("1.5:7,3:7,", [(1.5, 7), (3.0, 7)], False),
        ("1.5:7,4.5 , ", [(1.5, 7), (4.5, None)], False),
        ("1.5x7;3x7;", [(1.5, 7), (3.0, 7)], True),
        ("1.5x7;;3x7", [(1.5, 7), (3.0, 7)], True),
        (";1.5x7", [(1.5, 7)], True),
    ],
)
def test_a_trailing_separator_is_ignored(
    text: str, steps: list[tuple[float, int | None]], old: bool
) -> None:
    """One trailing comma in the new spelling; empty parts anywhere in the old one, as before."""
    notes: list[str] = []
    assert parse_titration(text, on_deprecated=notes.append) == steps
    assert notes == ([f"--titrate {text.strip()!r} uses the old titration spelling; write "
                      f"{format_titration(steps)!r} (dose_mg:days steps, comma-separated)"]
                     if old else [])  # fmt: skip


@pytest.mark.parametrize("text", [",", ", ,", ";", " ; ;"])
def test_separators_alone_are_no_steps(text: str) -> None:
    with pytest.raises(InputError, match="--titrate has no steps; write --titrate as dose_mg"):
        parse_titration(text, on_deprecated=lambda _: None)


def test_every_step_needs_days_where_the_titration_must_end() -> None:
    with pytest.raises(InputError, match=r"step 2 '4\.5' has no number of days"):
        parse_titration("1.5:7,4.5", what="titration", open_ended_last=False)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "--titrate is empty"),
        ("1.5x7d", "step 1 days must be a number, got '7d'"),
        ("one:7", "step 1 dose must be a number, got 'one'; write --titrate as dose_mg:days"),
        ("1.5:7:2", "step 1 '1.5:7:2' is not dose_mg:days"),
        ("1.5,3:7", "step 1 '1.5' has no number of days but is not the last"),
        ("1.5:7,,4.5", "step 2 '' is not dose_mg:days"),
        ("1.5:7,,", "step 2 '' is not dose_mg:days"),
        (",1.5:7", "step 1 '' is not dose_mg:days"),
        ("1.5:0.5", "days must be a whole number"),
        ("0:7,4.5", "dose must be greater than 0 mg"),
    ],
)
def test_parse_titration_errors(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_titration(text)


def test_parse_days() -> None:
    assert parse_days("3, 10-12,3") == [3, 10, 11, 12]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "--missed is empty"),
        ("3-", "is not a day or a range"),
        ("5-3", "runs backwards"),
        ("x", "must be a number"),
        ("1-999999999", "longer than 100000 days"),
    ],
)
def test_parse_days_errors(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_days(text)
