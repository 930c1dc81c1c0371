"""Public API: ldn.simulate, SimulationResult, exposure for populations, dose_response."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

import ldn
from ldn.errors import InputError
from ldn.model.exposure import dose_response, exposure
from ldn.model.pk import PKParams
from ldn.parameters import default_parameters
from ldn.regimen import DoseEvents, daily, single
from ldn.simulation import CSV_COLUMNS, time_grid


def test_simulate_returns_hourly_series_with_contract_columns() -> None:
    res = ldn.simulate(daily(4.5, at="22:00"), days=14)
    assert isinstance(res, ldn.SimulationResult)
    frame = res.to_frame()
    assert tuple(frame.columns[: len(CSV_COLUMNS) + 1]) == (
        "t_h",
        "clock_time",
        *CSV_COLUMNS[1:],
    )
    assert len(frame) == 14 * 24 + 1
    np.testing.assert_array_equal(frame["t_h"], np.arange(337.0))
    assert frame["clock_time"].iloc[22] == "day 1 22:00"
    occ = frame[["mor_occupancy", "kor_occupancy", "dor_occupancy"]].to_numpy()
    assert np.all((occ >= 0) & (occ <= 1))
    # nothing before the first dose at 22:00, something after it
    assert frame["naltrexone_ng_per_ml"].iloc[:22].eq(0).all()
    assert frame["naltrexone_ng_per_ml"].iloc[22] < 1e-12  # dose still in the gut at 22:00
    assert frame["naltrexone_ng_per_ml"].iloc[23] > 0


def test_summary_has_the_regimen_metrics() -> None:
    s = ldn.simulate(daily(4.5, at="22:00"), days=14).summary()
    for key in (
        "naltrexone_cmax_ng_per_ml",
        "naltrexone_auc_ng_h_per_ml",
        "naltrexone_trough_ng_per_ml",
        "mor_hours_above_50pct_per_day",
        "mor_hours_above_90pct_per_day",
        "mor_occupancy_trough",
        "naltrexol_time_to_ss_h",
    ):
        assert np.isfinite(s[key]), key
    assert 0 <= s["mor_hours_above_90pct_per_day"] <= s["mor_hours_above_50pct_per_day"] <= 24


def test_higher_dose_gives_more_hours_of_blockade() -> None:
    low = ldn.simulate(daily(4.5, at="22:00"), days=14).summary()
    high = ldn.simulate(daily(50.0, at="08:00"), days=14).summary()
    assert high["mor_hours_above_50pct_per_day"] > low["mor_hours_above_50pct_per_day"]
    assert high["mor_occupancy_trough"] > low["mor_occupancy_trough"]


def test_plot_writes_a_file(tmp_path: Path) -> None:
    out = tmp_path / "sim.png"
    ldn.simulate(single(4.5), days=2).plot(out)
    assert out.stat().st_size > 1000


def test_simulate_is_a_plain_function_with_keyword_options() -> None:
    from ldn.simulation import simulate

    assert ldn.simulate is simulate
    assert "ldn.simulate" not in sys.modules  # a function, never a module of that name
    with pytest.raises(TypeError):
        simulate(daily(4.5), 14)  # type: ignore[misc]


def test_importing_a_small_module_does_not_load_the_engine() -> None:
    """`ldn` loads its API lazily: `import ldn.errors` in a fresh interpreter imports neither
    NumPy nor Numba nor the simulation package."""
    import subprocess

    code = (
        "import sys, ldn.errors, ldn.conditions; "
        "print(sorted(m for m in ('numpy', 'numba', 'scipy', 'ldn.simulation') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_condition_aliases_are_the_ones_get_condition_accepts() -> None:
    from ldn.model.disease import get_condition

    lupus = ldn.simulate(daily(4.5, at="22:00"), days=2, condition="lupus")
    assert lupus.condition == get_condition("lupus").name == "sle"
    assert "sledai2k" in lupus.to_frame().columns
    crohn = ldn.simulate(daily(4.5, at="22:00"), days=2, condition="Crohn's disease")
    assert crohn.condition == "crohns"


def test_exposure_for_a_population_has_patients_by_time() -> None:
    base = PKParams.from_parameters(default_parameters())
    pop = PKParams(**{**base.__dict__, "cl_l_per_h": np.array([150.0, 211.0, 300.0])})
    t = np.linspace(0, 48, 49)
    e = exposure(DoseEvents(t_h=[0.0], dose_mg=[4.5]), t, pk=pop)
    assert e.naltrexone_ng_per_ml.shape == (3, 49)
    assert e.mor_occupancy.shape == (3, 49)
    # lower clearance → higher exposure
    assert np.all(np.diff(e.naltrexone_ng_per_ml.sum(axis=1)) < 0)


def test_dose_response_labels_classes() -> None:
    frame = dose_response(np.array([0.0005, 0.01, 4.5, 20.0, 50.0]))
    assert frame["dose_class"].tolist() == [
        "ultra-low",
        "very-low",
        "low",
        "intermediate",
        "standard",
    ]
    assert frame["mor_occupancy_peak"].is_monotonic_increasing


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"days": 0}, "days must be a number"),
        ({"days": float("nan")}, "days must be a number"),
        ({"step_h": -1.0}, "step_h must be a positive number"),
        ({"days": 3650, "step_h": 1e-3}, "rows, more than"),
    ],
)
def test_bad_grid_arguments_raise_input_error(kwargs: dict, fragment: str) -> None:
    with pytest.raises(InputError, match=fragment):
        time_grid(kwargs.get("days", 14), kwargs.get("step_h", 1.0))


def test_not_a_regimen_is_refused() -> None:
    with pytest.raises(InputError, match=r"expected an ldn\.regimen Regimen"):
        ldn.simulate("4.5 mg", days=1)  # type: ignore[arg-type]


def test_unknown_or_unavailable_condition_is_an_input_error() -> None:
    with pytest.raises(InputError, match="condition"):
        ldn.simulate(daily(4.5), days=1, condition="no-such-condition")
