"""`ldn sensitivity`: output formats, plots and error messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ldn.cli.main import app
from ldn.errors import InputError

runner = CliRunner()


def test_csv_and_plots_are_written(tmp_path: Path) -> None:
    plot, fail = tmp_path / "sobol.png", tmp_path / "failure.png"
    result = runner.invoke(
        app,
        ["sensitivity", "-c", "ms", "--n", "8", "--format", "csv", "--plot", str(plot),
         "--failure-plot", str(fail)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    header = result.output.splitlines()[0]
    assert header == "output,parameter,S1,S1_conf,ST,ST_conf,rank"
    assert "sf36_mcs_vs_placebo" in result.output
    assert plot.stat().st_size > 0 and fail.stat().st_size > 0


def test_json_to_file(tmp_path: Path) -> None:
    out = tmp_path / "s.json"
    result = runner.invoke(
        app, ["sensitivity", "-c", "sle", "--n", "8", "--format", "json", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["condition"] == "sle" and data["rows"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-c", "gout"], "unknown condition 'gout'"),
        (["-c", "ms", "--format", "xml"], "--format 'xml' is not one of"),
        (["-c", "ms", "--out", "x.csv"], "--out writes csv or json"),
        (["-c", "ms", "--plot", "x.txt"], "must end in .png"),
        (["-c", "ms", "--n", "50"], "power of 2"),
        (["-c", "ms", "--n", "8", "--seed", "-1"], "seed must be a non-negative integer"),
        (["-c", "ms", "--out", "no/such/dir/x.csv", "--format", "csv"], "does not exist"),
        (["-c", "ms", "--failure-plot", "no/such/dir/f.png"], "does not exist"),
    ],
)
def test_bad_options_explain_the_fix(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["sensitivity", *args])
    assert isinstance(result.exception, InputError)
    assert message in str(result.exception)
