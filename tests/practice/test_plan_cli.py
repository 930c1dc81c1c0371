"""`ldn plan titration | compound | n-of-1` on the command line."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from ldn.cli.main import app
from ldn.errors import InputError

runner = CliRunner()
BASE = [
    "plan",
    "titration",
    "--start-mg",
    "1.5",
    "--step-mg",
    "1.5",
    "--every-days",
    "7",
    "--target-mg",
    "4.5",
    "--at",
    "22:00",
]


def test_titration_json_liquid() -> None:
    r = runner.invoke(app, [*BASE, "--liquid-mg-per-ml", "1", "--format", "json"])
    assert r.exit_code == 0, r.output
    steps = json.loads(r.output)["steps"]
    assert [(s["day"], s["dose_mg"], s["volume_ml"]) for s in steps] == [
        (1, 1.5, 1.5),
        (8, 3.0, 3.0),
        (15, 4.5, 4.5),
    ]


def test_titration_capsules_table_and_csv() -> None:
    caps = ["--capsule-strengths", "0.5,1,1.5,3,4.5", "--step-back-on", "insomnia"]
    r = runner.invoke(app, [*BASE, *caps])
    assert r.exit_code == 0, r.output
    assert "halve" in r.output
    r = runner.invoke(app, [*BASE, *caps, "--format", "csv"])
    assert r.output.splitlines()[0].startswith("day,dose_mg,days,capsules")


def test_titration_step_back_day_needs_the_side_effect() -> None:
    r = runner.invoke(app, [*BASE, "--step-back-day", "17"])
    assert isinstance(r.exception, InputError) and "--step-back-on" in str(r.exception)


def test_compound_json_has_tablets_bud_and_label() -> None:
    r = runner.invoke(
        app,
        [
            "plan",
            "compound",
            "--form",
            "liquid",
            "--strength-mg-per-ml",
            "1",
            "--volume-ml",
            "100",
            "--date",
            "2026-11-28",
            "--format",
            "json",
        ],
    )
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert d["tablets_50mg"] == 2 and d["beyond_use_days"] == 35
    assert d["beyond_use_date"] == "2027-01-02" and "Naltrexone" in d["label_text"]
    assert {x["kind"] for x in d["rules"]} == {"sourced", "secondary", "assumption"}


def test_compound_table_and_refused_filler() -> None:
    r = runner.invoke(
        app,
        ["plan", "compound", "--form", "capsule", "--capsule-mg", "4.5", "--capsule-count", "30"],
    )
    assert r.exit_code == 0 and "[sourced]" in r.output
    r = runner.invoke(
        app,
        [
            "plan",
            "compound",
            "--form",
            "capsule",
            "--capsule-mg",
            "4.5",
            "--capsule-count",
            "30",
            "--filler",
            "calcium_carbonate",
        ],
    )
    assert isinstance(r.exception, InputError) and "calcium carbonate" in str(r.exception)


def test_n_of_1_json_key_and_calendar(tmp_path: Path) -> None:
    key, cal = tmp_path / "key.json", tmp_path / "cal.json"
    r = runner.invoke(
        app,
        [
            "plan",
            "n-of-1",
            "--cycles",
            "3",
            "--period-weeks",
            "2",
            "--seed",
            "42",
            "--format",
            "json",
            "--key-out",
            str(key),
            "--calendar-out",
            str(cal),
            "--start",
            "2027-01-04",
        ],
    )
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert d["seed"] == 42 and len(d["periods"]) == 6
    assert "placebo" in key.read_text() and "placebo" not in cal.read_text()
    assert json.loads(cal.read_text())["calendar"][0]["start_date"] == "2027-01-04"
    again = runner.invoke(
        app,
        [
            "plan",
            "n-of-1",
            "--cycles",
            "3",
            "--period-weeks",
            "2",
            "--seed",
            "42",
            "--format",
            "json",
        ],
    )
    assert json.loads(again.output) == d
