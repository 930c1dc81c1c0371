"""`ldn population`, `ldn trial`, `ldn power`: outputs and error messages (small, fast runs)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ldn.cli.main import app
from ldn.errors import InputError

RUNNER = CliRunner()


def _ok(args: list[str]) -> str:
    result = RUNNER.invoke(app, args)
    assert result.exit_code == 0, (result.output, result.exception)
    return result.stdout  # warnings (e.g. a small pool) go to stderr


def _fails(args: list[str], message: str) -> None:
    result = RUNNER.invoke(app, args)
    assert isinstance(result.exception, InputError), result.output
    assert message in str(result.exception)


def test_population_json_and_plot(tmp_path: Path) -> None:
    plot = tmp_path / "pop.png"
    out = _ok(
        ["population", "--n", "30", "--days", "14", "--dose-mg", "4.5", "--at", "22:00",
         "--condition", "ms", "--format", "json", "--plot", str(plot), "--step-h", "1"]
    )  # fmt: skip
    payload = json.loads(out)
    assert payload["n_patients"] == 30
    occ = payload["quantities"]["mor_occupancy_mean"]
    assert 0.0 < occ["p5"] <= occ["median"] <= occ["p95"] < 1.0
    assert plot.stat().st_size > 1000


def test_population_pk_model_option() -> None:
    """--pk-model picks a linear variant (said in the output); a kinetic one is a clear error."""
    out = _ok(["population", "--n", "6", "--days", "7", "--step-h", "1", "--format", "json",
               "--pk-model", "metabolite_tail"])  # fmt: skip
    assert "PK metabolite_tail (one posterior draw per patient)" in json.loads(out)["description"]
    _fails(["population", "--n", "6", "--days", "7", "--pk-model", "binding_kinetics"],
           "kinetic receptor binding")  # fmt: skip
    _fails(["population", "--n", "6", "--days", "7", "--pk-model", "nope"], "unknown PK model")


def test_population_csv_per_patient(tmp_path: Path) -> None:
    out = tmp_path / "p.csv"
    _ok(["population", "--n", "12", "--days", "7", "--format", "csv", "--per-patient",
         "--out", str(out), "--step-h", "1"])  # fmt: skip
    lines = out.read_text().strip().splitlines()
    assert len(lines) == 13 and lines[0].startswith("patient,")


def test_trial_and_power_commands(tmp_path: Path) -> None:
    out = _ok(
        ["trial", "--condition", "fibromyalgia", "--design", "parallel", "--n-per-arm", "10",
         "--weeks", "2", "--trials", "30", "--pool", "40", "--format", "json"]
    )  # fmt: skip
    summary = json.loads(out)
    assert summary["trials"] == 30 and 0.0 <= summary["ci95_low"] <= summary["ci95_high"] <= 1.0
    plot = tmp_path / "power.png"
    out = _ok(
        ["power", "--condition", "crohns", "--weeks", "2", "--trials", "30", "--n-max", "40",
         "--pool", "40", "--target", "0.8", "--format", "json", "--plot", str(plot)]
    )  # fmt: skip
    result = json.loads(out)
    assert result["target"] == 0.8 and len(result["curve"]) >= 5
    assert plot.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["population", "--format", "xml"], "--format 'xml'"),
        (["population", "--out", "x.csv"], "add --format csv"),
        (["population", "--n", "0"], "--n 0 must lie between"),
        (["population", "--condition", "gout"], "unknown condition 'gout'"),
        (["trial", "--control", "tea"], "DOSE@HH:MM"),
        (["trial", "--trials", "0"], "at least 1"),
        (
            [
                "power",
                "--target",
                "1.2",
                "--trials",
                "2",
                "--n-max",
                "4",
                "--pool",
                "4",
                "--weeks",
                "1",
            ],
            "target power",
        ),
        (["power", "--plot", "curve.txt"], "must end in"),
    ],
)
def test_errors_name_value_rule_and_fix(args: list[str], message: str) -> None:
    _fails(args, message)
