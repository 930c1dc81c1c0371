"""`ldn hypotheses` and `ldn calibrate` on the command line (small fixture, clear errors)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from ldn.cli.main import app

RUNNER = CliRunner()


def test_hypotheses_json_table_and_plot(
    tiny_calibration: tuple[Path, dict], tmp_path: Path
) -> None:
    out, _ = tiny_calibration
    res = RUNNER.invoke(app, ["hypotheses", "--condition", "fibromyalgia", "--format", "json",
                              "--calibration", str(out)])  # fmt: skip
    assert res.exit_code == 0, res.output
    rep = json.loads(res.output)
    assert rep["condition"] == "fibromyalgia"
    assert [h["name"] for h in rep["hypotheses"]] == ["null", "rebound_brain"]
    plot = tmp_path / "families.png"
    res = RUNNER.invoke(app, ["hypotheses", "--condition", "crohns", "--calibration", str(out),
                              "--plot", str(plot)])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "model average" in res.output and plot.stat().st_size > 5_000
    assert "not_estimable" not in res.output  # Crohn's has a trial
    res = RUNNER.invoke(app, ["hypotheses", "--condition", "sle", "--calibration", str(out)])
    assert res.exit_code == 0, res.output
    assert "[not_estimable" in res.output and "no randomised trial" in res.output


def test_hypotheses_errors(tmp_path: Path) -> None:
    res = RUNNER.invoke(app, ["hypotheses", "--condition", "gout"])
    assert res.exit_code != 0 and "unknown condition" in str(res.exception or res.output)
    res = RUNNER.invoke(app, ["hypotheses", "--condition", "ms", "--calibration", str(tmp_path)])
    assert res.exit_code != 0 and "ldn calibrate" in str(res.exception or res.output)
    # FitSettings' limits (burn may be 0, steps not), named as options
    res = RUNNER.invoke(app, ["calibrate", "--steps", "0", "--out-dir", str(tmp_path / "a")])
    assert res.exit_code != 0 and "--steps must be at least 1, got 0" in str(res.exception)
    assert not (tmp_path / "a").exists()  # refused before the folder is made
    for args, message in (
        (["--seed", str(2**32)], "--seed must be at most 4294967295"),  # was a traceback
        (["--steps", "1", "--thin", "20"], "thin (20) must not exceed steps (1)"),
    ):
        res = RUNNER.invoke(app, ["calibrate", *args, "--out-dir", str(tmp_path / "b")])
        assert res.exit_code != 0 and message in str(res.exception)
        assert not (tmp_path / "b").exists()
    res = RUNNER.invoke(app, ["calibrate", "--hypothesis", "magic", "--out-dir", str(tmp_path)])
    assert res.exit_code != 0 and "unknown hypothesis" in str(res.exception or res.output)


def test_calibrate_reweigh(tiny_calibration: tuple[Path, dict], tmp_path: Path) -> None:
    import shutil

    out, summary = tiny_calibration
    res = RUNNER.invoke(app, ["calibrate", "--reweigh", "--out-dir", str(tmp_path)])
    assert res.exit_code != 0 and "ldn calibrate" in str(res.exception or res.output)
    copy = tmp_path / "fit"
    shutil.copytree(out, copy)
    (copy / "null.nc").unlink()
    res = RUNNER.invoke(app, ["calibrate", "--reweigh", "--out-dir", str(copy)])
    assert res.exit_code != 0 and "null" in str(res.exception or res.output)
    shutil.copy(out / "null.nc", copy / "null.nc")
    res = RUNNER.invoke(app, ["calibrate", "--reweigh", "--out-dir", str(copy)])
    assert res.exit_code == 0, res.output
    w = summary["weights"]["untested"]["rebound_brain"]["weight"]
    assert f"rebound_brain        weight {w:.2f}" in res.output
