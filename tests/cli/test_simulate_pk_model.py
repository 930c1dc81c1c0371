"""`ldn simulate --pk-model / --uncertainty`: variant choice, bands, ranges, clear errors."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from cli_runner import run
from ldn.simulation import BAND_COLUMNS


@pytest.mark.parametrize("model", ["metabolite_tail", "brain_retention", "binding_kinetics"])
def test_each_variant_runs_and_keeps_the_contract(
    model: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        ["simulate", "--dose-mg", "50", "--days", "3", "--pk-model", model, "--format", "csv"],
        capsys,
    )
    assert code == 0
    frame = pd.read_csv(io.StringIO(out))
    assert list(frame.columns[:7]) == [
        "t_h", "clock_time", "naltrexone_ng_per_ml", "naltrexol_ng_per_ml",
        "mor_occupancy", "kor_occupancy", "dor_occupancy",
    ]  # fmt: skip
    assert "mor_occupancy_plasma" in frame.columns
    assert frame["mor_occupancy"].between(0, 1).all()


def test_variants_differ_in_the_tail(capsys: pytest.CaptureFixture[str]) -> None:
    tails = {}
    for model in ("metabolite_tail", "brain_retention"):
        code, out, _ = run(
            ["simulate", "--dose-mg", "50", "--days", "2", "--pk-model", model, "--format", "csv"],
            capsys,
        )
        assert code == 0
        tails[model] = pd.read_csv(io.StringIO(out))["mor_occupancy"].iloc[-1]
    assert tails["metabolite_tail"] != pytest.approx(tails["brain_retention"], abs=1e-3)


def test_uncertainty_adds_ordered_bands_and_ranges(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        ["simulate", "--dose-mg", "4.5", "--at", "22:00", "--days", "3", "--uncertainty",
         "--draws", "30", "--format", "json"],
        capsys,
    )  # fmt: skip
    assert code == 0
    payload = json.loads(out)
    frame = pd.DataFrame(payload["records"])
    for col in BAND_COLUMNS:
        lo, mid, hi = (frame[f"{col}_{p}"] for p in ("p5", "p50", "p95"))
        assert (lo <= mid + 1e-12).all() and (mid <= hi + 1e-12).all(), col
    p5, p50, p95 = payload["summary"]["mor_hours_above_50pct_per_day"]
    assert p5 <= p50 <= p95


def test_uncertainty_table_prints_ranges(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["simulate", "--days", "2", "--uncertainty", "--draws", "20"], capsys)
    assert code == 0
    import re

    assert re.search(r"[\d.]+ \[[\d.]+–[\d.]+\]", out)  # p50 [p5–p95] cells


def test_unknown_pk_model_is_one_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["simulate", "--pk-model", "fast_tail"], capsys)
    assert code == 2
    assert "unknown PK model 'fast_tail'" in err + out
    assert "Traceback" not in err


def test_too_few_draws_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["simulate", "--uncertainty", "--draws", "1"], capsys)
    assert code == 2
    assert "--draws" in err + out
