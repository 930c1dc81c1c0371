"""The compiled RK4 chain kernel against SciPy solve_ivp (DOP853, rtol 1e-10) and basic laws."""

from __future__ import annotations

import re

import numpy as np
import pytest
from scipy.stats import linregress

from ldn.errors import InputError
from ldn.model.chain import N_STATES, PARAM_NAMES, parameter_matrix
from ldn.parameters import default_parameters
from ldn.solve.chain_reference import SyntheticDrive, solve_reference
from ldn.solve.compiled import integrate_chain

DT_H = 0.125
DAYS = 10


def _params(condition: str = "crohns", **kernel_values: float) -> np.ndarray:
    p = parameter_matrix(default_parameters(), condition, tlr4=True)
    for name, value in kernel_values.items():
        p[:, PARAM_NAMES.index(name)] = value
    return p


@pytest.mark.parametrize(
    ("dose_mg", "first_h", "overrides"),
    [
        (4.5, 22.0, {}),
        (50.0, 8.0, {}),
        # TLR4 path active (low IC50) and a fast disease so every state moves visibly
        (4.5, 22.0, {"tlr4_ic50_nM": 5.0, "disease_tau_h": 48.0, "effect_gain": 1.5}),
    ],
)
def test_compiled_matches_solve_ivp_to_1e_6(
    dose_mg: float, first_h: float, overrides: dict[str, float]
) -> None:
    drive = SyntheticDrive(dose_mg, first_h)
    p = _params(**overrides)
    n = int(DAYS * 24 / DT_H)
    fast = integrate_chain(drive.grid(0.0, DT_H, n), p, DT_H, n)
    ref = solve_reference(drive, p[0], n * DT_H, breakpoints_h=drive.dose_times(n * DT_H))
    # every reported output: final states (deviations from the untreated value 1 are what
    # matters, so compare those) and the daily mean net signalling
    np.testing.assert_allclose(fast.final_state[0, :7] - 1, ref.final_state[:7] - 1, rtol=1e-6,
                               atol=1e-12)  # fmt: skip
    # the running integral of S is bookkeeping, not an output; only its daily means are reported
    np.testing.assert_allclose(fast.final_state[0, 7], ref.final_state[7], rtol=1e-5)
    np.testing.assert_allclose(fast.mean_signalling[0], ref.mean_signalling, rtol=1e-6)


def test_rk4_converges_with_fourth_order() -> None:
    drive = SyntheticDrive(4.5, 22.0)
    p = _params(disease_tau_h=48.0, effect_gain=1.5)
    t_end = 4 * 24.0
    ref = solve_reference(drive, p[0], t_end, breakpoints_h=drive.dose_times(t_end))
    dts = np.array([2.0, 1.0, 0.5])
    errors = []
    for dt in dts:
        n = round(t_end / dt)
        sol = integrate_chain(drive.grid(0.0, dt, n), p, dt, n)
        errors.append(np.max(np.abs(sol.final_state[0, :7] - ref.final_state[:7])))
    slope = linregress(np.log(dts), np.log(errors)).slope
    assert 3.5 < slope < 4.5


def test_untreated_patient_stays_at_baseline() -> None:
    n = 4 * 192
    sol = integrate_chain(np.zeros((2 * n + 1, 2)), _params(), DT_H, n)
    np.testing.assert_allclose(sol.final_state[0, :7], 1.0, atol=1e-12)
    np.testing.assert_allclose(sol.mean_signalling, 1.0, rtol=1e-9)


def test_patients_are_independent_and_periodic_drive_matches_full_drive() -> None:
    drive = SyntheticDrive(4.5, 0.0)
    n_day = int(24 / DT_H)
    n = 20 * n_day
    p = np.vstack([_params(), _params(mor_gain=0.3)])
    full = integrate_chain(drive.grid(0.0, DT_H, n), p, DT_H, n)
    one = integrate_chain(drive.grid(0.0, DT_H, n), p[1:], DT_H, n)
    np.testing.assert_allclose(full.final_state[1], one.final_state[0], rtol=1e-14)
    # the 10th dosing day is periodic to round-off; repeating it from day 10 on equals the full run
    start = 10 * n_day
    period = drive.grid(0.0, DT_H, n)[2 * start : 2 * (start + n_day)]
    first = integrate_chain(drive.grid(0.0, DT_H, start), p, DT_H, start)
    rest = integrate_chain(period, p, DT_H, n - start, t0_h=start * DT_H, periodic=True,
                           y0=first.final_state)  # fmt: skip
    np.testing.assert_allclose(rest.final_state[:, :7], full.final_state[:, :7], rtol=1e-4)


def test_trajectory_recording_matches_final_state() -> None:
    drive = SyntheticDrive(4.5, 22.0)
    n = 2 * 192
    sol = integrate_chain(drive.grid(0.0, DT_H, n), _params(), DT_H, n, record_every=4)
    assert sol.trajectory is not None and sol.t_h is not None
    assert sol.trajectory.shape == (1, n // 4 + 1, N_STATES + 5)
    np.testing.assert_allclose(sol.trajectory[0, -1, :N_STATES], sol.final_state[0])
    assert sol.t_h[-1] == pytest.approx(n * DT_H)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"drive": np.zeros((5, 2))}, "half-steps are needed"),
        ({"drive": np.zeros((3, 9, 2))}, "expected (n_half, 2)"),
        ({"params": np.zeros((1, 3))}, "the chain needs"),
        ({"dt_h": -1.0}, "need dt_h > 0"),
        ({"average_from_h": 1e6}, "outside the simulated time"),
    ],
)
def test_bad_inputs_name_the_problem(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {
        "drive": np.zeros((9, 2)),
        "params": _params(),
        "dt_h": DT_H,
        "n_steps": 4,
    }
    args.update(kwargs)
    with pytest.raises(InputError, match=re.escape(message)):
        integrate_chain(**args)  # type: ignore[arg-type]
