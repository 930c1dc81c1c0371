"""Washout on the occupancy engine: the typical value equals what `ldn simulate` shows."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from ldn.cli.main import app
from ldn.errors import InputError
from ldn.practice.washout import restart_guidance, washout, washout_regimen
from ldn.simulation import simulate

runner = CliRunner()


@pytest.fixture(scope="module")
def w45() -> object:
    return washout(4.5, "22:00", 0.1, n_patients=100, seed=1)


def test_typical_equals_python_simulate(w45: object) -> None:
    step = 0.01
    # 10 days: with the data-fitted PK (issue 11) 4.5 mg needs ~6.5 days to fall below 10 %
    res = simulate(washout_regimen(4.5, "22:00"), days=10, step_h=step)
    t, occ = res.exposure.t_h, res.exposure.mor_occupancy
    last_above = t[np.flatnonzero(occ >= 0.1)[-1]]
    hours = w45.hours_typical  # type: ignore[attr-defined]
    assert last_above - 22.0 <= hours < last_above - 22.0 + step


def test_typical_equals_the_ldn_simulate_cli(tmp_path: Path, w45: object) -> None:
    events = tmp_path / "ss.csv"
    events.write_text("ID,TIME,AMT,EVID,II,ADDL,SS\n1,22,4.5,1,24,0,1\n", encoding="utf-8")
    out = tmp_path / "sim.json"
    r = runner.invoke(
        app,
        [
            "simulate",
            "--events",
            str(events),
            "--days",
            "10",
            "--step-h",
            "0.01",
            "--format",
            "json",
            "--out",
            str(out),
        ],
    )
    assert r.exit_code == 0, r.output
    recs = json.loads(out.read_text())["records"]
    above = [rec["t_h"] for rec in recs if rec["mor_occupancy"] >= 0.1]
    hours = w45.hours_typical  # type: ignore[attr-defined]
    assert above[-1] - 22.0 <= hours < above[-1] - 22.0 + 0.01


def test_population_range_and_dose_order(w45: object) -> None:
    w = w45
    assert w.hours_p5 <= w.hours_median <= w.hours_p95  # type: ignore[attr-defined]
    assert w.population_hours.size == 100  # type: ignore[attr-defined]
    low = washout(1.5, "22:00", 0.1, n_patients=100, seed=1)
    high = washout(50, "22:00", 0.1, n_patients=100, seed=1)
    assert low.hours_typical < w.hours_typical < high.hours_typical  # type: ignore[attr-defined]
    # a stricter threshold (lower occupancy) takes longer
    strict = washout(4.5, "22:00", 0.05, n_patients=100, seed=1)
    assert strict.hours_typical > w.hours_typical  # type: ignore[attr-defined]
    assert "posterior parameter uncertainty" in w.variability  # type: ignore[attr-defined]


def test_range_includes_posterior_parameter_uncertainty(monkeypatch: pytest.MonkeyPatch) -> None:
    """With every patient on one posterior draw (the first), the range is narrower than with one
    draw per patient: the posterior's spread enters hours_p5/hours_p95."""
    import ldn.model.pk_setup as pk_setup

    real = pk_setup.model_draws
    monkeypatch.setattr(pk_setup, "model_draws", lambda m, n, p: real(m, 1, p))
    one_draw = washout(4.5, "22:00", 0.1, n_patients=200, seed=3)
    monkeypatch.setattr(pk_setup, "model_draws", real)
    all_draws = washout(4.5, "22:00", 0.1, n_patients=200, seed=3)
    width = lambda w: w.hours_p95 - w.hours_p5  # noqa: E731
    assert width(all_draws) > width(one_draw)


def test_threshold_above_the_peak_is_zero_hours() -> None:
    assert washout(1.5, "22:00", 0.95, n_patients=20).hours_typical == 0.0


def test_bad_input() -> None:
    cases = (
        ({"threshold": 1.5}, "between 0 and 1"),
        ({"threshold": "half"}, "--threshold must be a number"),  # was a bare ValueError
        ({"n_patients": 5}, "--patients"),
    )
    for kwargs, msg in cases:
        with pytest.raises(InputError, match=msg):
            washout(4.5, **kwargs)  # type: ignore[arg-type]


def test_reverse_question_is_sourced() -> None:
    g = restart_guidance()
    assert "7-10" in g["answer"]
    assert all(s["kind"] == "sourced" for s in g["sources"])


def test_cli_json_matches_the_api(w45: object) -> None:
    r = runner.invoke(
        app,
        [
            "plan",
            "washout",
            "--dose-mg",
            "4.5",
            "--at",
            "22:00",
            "--threshold",
            "0.1",
            "--patients",
            "100",
            "--seed",
            "1",
            "--format",
            "json",
        ],
    )
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["hours_typical"] == round(w45.hours_typical, 3)  # type: ignore[attr-defined]
    assert data["hours_p95"] == round(w45.hours_p95, 3)  # type: ignore[attr-defined]
    assert data["caveats"] and data["restart_after_opioids"]["sources"]
