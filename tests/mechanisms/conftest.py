"""A small, fast calibration fixture (two families, a few sampler steps) for the tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from ldn.mechanisms.run import calibrate
from ldn.mechanisms.settings import FitSettings

TINY = FitSettings(walkers=26, burn=4, steps=8, thin=2, predict_draws=40, seed=1)


@pytest.fixture(scope="session")
def tiny_calibration(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("calibration")
    summary = calibrate(out, families=("null", "rebound_brain"), settings=TINY, check=False)
    return out, summary
