"""Reading and writing NONMEM-style event tables."""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pytest

from ldn.errors import DataFileError
from ldn.regimen import (
    SteadyState,
    daily,
    every,
    read_event_table,
    single,
    titration,
    write_event_table,
)

FIXTURES = Path(__file__).parent / "fixtures"


def test_reads_titration_and_steady_state_subjects() -> None:
    regimens = read_event_table(FIXTURES / "good.csv")
    assert sorted(regimens) == [1, 2]
    one = regimens[1].events(10_000)
    expected = titration([(1.5, 7), (3.0, 7), (4.5, 14)]).events(10_000)
    assert one == expected
    two = regimens[2].events(10_000)
    assert len(two) == 7
    assert two.steady_state == SteadyState(dose_mg=4.5, tau_h=24.0)


def test_reads_whitespace_separated_lowercase_headers() -> None:
    events = read_event_table(FIXTURES / "whitespace.csv")[1].events(1000)
    assert events.t_h.tolist() == [22.0, 46.0, 70.0]


def test_reads_from_buffer() -> None:
    text = "id,time,amt,evid,ii,addl,ss\n7,0,0.001,1,.,.,.\n"
    regimens = read_event_table(io.StringIO(text))
    assert regimens[7].events(1).dose_mg.tolist() == [0.001]


def test_interleaved_addl_series_are_allowed() -> None:
    text = "ID,TIME,AMT,EVID,II,ADDL,SS\n1,8,1,1,24,2,0\n1,20,2,1,24,2,0\n"
    events = read_event_table(io.StringIO(text))[1].events(1000)
    assert events.t_h.tolist() == [8, 20, 32, 44, 56, 68]


@pytest.mark.parametrize(
    ("fixture", "row", "column", "phrase"),
    [
        ("missing_column.csv", 1, None, "missing column SS"),
        ("non_numeric.csv", 3, "AMT", "'lots' is not a number"),
        ("negative_time.csv", 2, "TIME", "-2 is negative"),
        ("zero_amt.csv", 3, "AMT", "AMT must be greater than 0 mg, got 0.0"),
        ("addl_without_ii.csv", 2, "II", "ADDL = 6 needs II > 0"),
        ("unsorted.csv", 3, "TIME", "TIME 22 comes before 46 on row 2"),
        ("overlap_addl.csv", 3, "TIME", "two doses at t = 190 h (this row and a dose from row 2"),
        ("simultaneous.csv", 3, "TIME", "two doses at t = 22 h"),
        ("reset_evid.csv", 3, "EVID", "EVID 3 is not supported"),
        ("late_ss.csv", 3, "SS", "SS = 1 is allowed only on the first dose row of ID 1 (row 2)"),
        ("infusion.csv", 2, "RATE", "only oral bolus doses"),
        ("wrong_cmt.csv", 2, "CMT", "compartment 1"),
        ("absurd_amt.csv", 2, "AMT", "above 800 mg"),
        ("split_id.csv", 4, "ID", "ID 1 already appeared from row 2"),
    ],
)
def test_each_error_names_file_row_and_column(
    fixture: str, row: int, column: str | None, phrase: str
) -> None:
    path = FIXTURES / fixture
    where = f"{path}, row {row}" + (f", column {column}" if column else "")
    with pytest.raises(DataFileError) as info:
        read_event_table(path)
    message = str(info.value)
    assert message.startswith(where + ": "), message
    assert phrase in message


def test_huge_addl_is_refused_with_its_row() -> None:
    text = "ID,TIME,AMT,EVID,II,ADDL,SS\n1,0,1,1,1,1e12,0\n"
    with pytest.raises(DataFileError, match=r"row 2, column ADDL: .*shorten the schedule"):
        read_event_table(io.StringIO(text))


@pytest.mark.parametrize(
    ("fixture", "phrase"),
    [
        ("empty.csv", "the event table is empty"),
        ("no_doses.csv", "no dose rows"),
        ("binary.csv", "cannot read the event table"),
        ("ragged.csv", "not a readable CSV event table"),
        ("does_not_exist.csv", "no such event table"),
    ],
)
def test_unreadable_tables(fixture: str, phrase: str) -> None:
    with pytest.raises(DataFileError, match=re.escape(phrase)):
        read_event_table(FIXTURES / fixture)


def test_write_compresses_runs_into_addl(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    write_event_table(titration([(1.5, 7), (4.5, None)]), path, until_h=14 * 24)
    lines = path.read_text().splitlines()
    assert lines[0] == "ID,TIME,AMT,EVID,II,ADDL,SS,CMT,MDV"
    assert lines[1:] == ["1,22.0,1.5,1,24.0,6,0,1,1", "1,190.0,4.5,1,24.0,6,0,1,1"]


def test_write_steady_state_row(tmp_path: Path) -> None:
    path = tmp_path / "ss.csv"
    write_event_table({3: daily(4.5, steady_state=True)}, path, until_h=24)
    assert path.read_text().splitlines()[1] == "3,22.0,4.5,1,24.0,0,1,1,1"
    assert read_event_table(path)[3].events(24).steady_state == SteadyState(4.5, 24.0)


@pytest.mark.parametrize(
    "regimen",
    [
        daily(4.5, at="22:00"),
        daily(4.5, at="22:00", steady_state=True).with_adherence(0.6, seed=5),
        titration([(1.5, 7), (3.0, 7), (4.5, None)]).with_missed(days=[3, 9]),
        every(0.1, 1 / 3, n=50) + single(2.0, at_h=0.1),
        every(1e-6, 7.7, start_h=0.05),
    ],
)
def test_round_trip_gives_identical_events(regimen: object, tmp_path: Path) -> None:
    until_h = 30 * 24.0
    path = tmp_path / "rt.csv"
    write_event_table({1: regimen, 2: daily(1.0)}, path, until_h)  # type: ignore[dict-item]
    back = read_event_table(path)
    original = regimen.events(until_h)  # type: ignore[attr-defined]
    assert back[1].events(until_h) == original
    assert back[1].events(10 * until_h) == original  # nothing beyond the horizon is invented
    np.testing.assert_array_equal(back[2].events(until_h).t_h, daily(1.0).events(until_h).t_h)
