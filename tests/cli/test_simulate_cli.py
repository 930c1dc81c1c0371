"""`ldn simulate`: output formats, the CSV column contract, and user errors (exit code 2)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest

from cli_runner import run

CONTRACT = [
    "t_h",
    "naltrexone_ng_per_ml",
    "naltrexol_ng_per_ml",
    "mor_occupancy",
    "kor_occupancy",
    "dor_occupancy",
]


def test_csv_has_contract_columns_hourly(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        ["simulate", "--dose-mg", "4.5", "--at", "22:00", "--days", "14", "--format", "csv"],
        capsys,
    )
    assert code == 0
    frame = pd.read_csv(io.StringIO(out))
    assert set(CONTRACT) <= set(frame.columns)
    assert len(frame) == 337
    assert frame["t_h"].diff().dropna().eq(1.0).all()
    assert frame["mor_occupancy"].between(0, 1).all()


def test_json_records_load_into_a_frame(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_file = tmp_path / "sim.json"
    code, _, _ = run(
        ["simulate", "--days", "2", "--step-h", "0.5", "--format", "json", "--out", str(out_file)],
        capsys,
    )
    assert code == 0
    payload = json.loads(out_file.read_text())
    frame = pd.DataFrame(payload["records"])
    assert list(frame.columns) == payload["columns"]
    assert set(CONTRACT) <= set(frame.columns)
    assert len(frame) == 97
    assert "mor_hours_above_50pct_per_day" in payload["summary"]


def test_json_is_strict_when_a_metric_is_undefined(capsys: pytest.CaptureFixture[str]) -> None:
    """No dose taken: the trough is undefined and must be null, not the non-JSON token NaN."""
    code, out, _ = run(["simulate", "--adherence", "0", "--days", "2", "--format", "json"], capsys)
    assert code == 0

    def reject(token: str) -> None:
        raise AssertionError(f"{token} is not JSON")

    payload = json.loads(out, parse_constant=reject)
    assert payload["summary"]["mor_occupancy_trough"] is None
    assert payload["summary"]["naltrexone_tmax_h"] is None  # no peak without drug


def test_table_titration_and_plot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fig = tmp_path / "p.svg"
    code, out, _ = run(
        ["simulate", "--titrate", "1.5:3,3:3,4.5", "--days", "8", "--plot", str(fig)], capsys
    )
    assert code == 0
    assert "mor_occupancy" in out and "Metrics over the final 24 h" in out
    assert fig.stat().st_size > 1000


def test_titration_steps_set_the_doses(capsys: pytest.CaptureFixture[str]) -> None:
    """`--titrate 1.5:2,4.5`: days 1-2 at 1.5 mg, then 4.5 mg; naltrexone is linear in dose, so
    the daily peak after the step is 3× the peak before it (within the small accumulation)."""
    code, out, _ = run(
        ["simulate", "--titrate", "1.5:2,4.5", "--days", "4", "--format", "json"], capsys
    )
    assert code == 0
    payload = json.loads(out)
    assert payload["regimen"].startswith("1.5 mg daily at 22:00 for 2 days, then 4.5 mg")
    peak = [0.0] * 4
    for row in payload["records"]:
        day = min(int(row["t_h"] // 24), 3)
        peak[day] = max(peak[day], row["naltrexone_ng_per_ml"])
    assert peak[1] == pytest.approx(peak[0], rel=0.05)
    assert peak[3] / peak[1] == pytest.approx(3.0, rel=0.05)


def test_events_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from ldn.regimen import daily, write_event_table

    path = tmp_path / "events.csv"
    write_event_table(daily(3.0, at="21:00"), path, until_h=72)
    code, out, _ = run(
        ["simulate", "--events", str(path), "--days", "3", "--format", "csv"], capsys
    )
    assert code == 0, out
    frame = pd.read_csv(io.StringIO(out))
    assert frame.loc[frame["t_h"] == 22, "naltrexone_ng_per_ml"].item() > 0


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--dose-mg", "-1"], "--dose-mg"),
        (["--at", "25:00"], "25:00"),
        (["--step-h", "0"], "step_h"),
        (["--days", "5000"], "days"),
        (["--format", "xml"], "--format"),
        (["--plot", "out.txt"], "--plot"),
        (["--events", "/nonexistent/events.csv"], "events.csv"),
    ],
)
def test_bad_input_exits_2_with_a_message(
    args: list[str], fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["simulate", *args], capsys)
    assert code == 2
    assert fragment in (err + out)
    assert "Traceback" not in err


def test_bad_events_file_content(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("TIME,AMT\nabc,4.5\n")
    code, _, err = run(["simulate", "--events", str(path)], capsys)
    assert code == 2
    assert "bad.csv" in err
