"""Closed-form PK (eigen superposition) against the SciPy ODE reference, and model structure."""

from __future__ import annotations

import numpy as np
import pytest

from ldn.errors import InputError
from ldn.model.pk import N_OUTPUTS, N_STATES, PKParams, linear_system
from ldn.model.superposition import modes, regimen_auc, regimen_response
from ldn.parameters import default_parameters
from ldn.regimen import DoseEvents, SteadyState, daily, titration
from ldn.solve.reference import ode_response

# Relative error bound of the closed form vs the ODE reference, checked where the value is above
# FLOOR × the series maximum (below that, both are at rounding level of the peak).
REL_TOL = 1e-6
FLOOR = 1e-7


@pytest.fixture(scope="module")
def pk() -> PKParams:
    return PKParams.from_parameters(default_parameters())


def _assert_close(closed: np.ndarray, ref: np.ndarray) -> None:
    for row_c, row_r in zip(closed, ref, strict=True):
        scale = np.max(np.abs(row_r))
        mask = np.abs(row_r) > FLOOR * scale
        rel = np.abs(row_c[mask] - row_r[mask]) / np.abs(row_r[mask])
        assert rel.max(initial=0.0) <= REL_TOL, f"max relative error {rel.max():.3g}"


def _grid(end_h: float) -> np.ndarray:
    return np.unique(np.concatenate([np.linspace(0.0, end_h, 301), [0.5, 1.0, 2.0]]))


CASES = {
    "bolus": DoseEvents(t_h=[0.0], dose_mg=[50.0]),
    "multiple": daily(4.5, at="22:00").events(until_h=24 * 6),
    "titration": titration([(1.5, 3), (3.0, 3), (4.5, None)], at="21:30").events(until_h=240),
    "missed": daily(4.5, at="22:00").with_missed(days=[2, 3]).events(until_h=24 * 6),
    "steady_state": DoseEvents(
        t_h=[22.0, 46.0, 70.0], dose_mg=[4.5, 4.5, 4.5], steady_state=SteadyState(4.5, 24.0)
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CASES))
def test_closed_form_matches_scipy_ode_reference(pk: PKParams, name: str) -> None:
    events = CASES[name]
    t = _grid(24 * 7)
    system = linear_system(pk)
    _assert_close(regimen_response(system, events, t), ode_response(system, events, t))


def test_steady_state_history_before_first_dose_matches_reference(pk: PKParams) -> None:
    events = DoseEvents(t_h=[60.0], dose_mg=[50.0], steady_state=SteadyState(50.0, 24.0))
    t = np.array([0.0, 11.0, 35.9, 36.0, 59.0, 61.0, 100.0])
    system = linear_system(pk)
    _assert_close(regimen_response(system, events, t), ode_response(system, events, t))


def test_steady_state_first_dose_equals_long_run_of_doses(pk: PKParams) -> None:
    system = linear_system(pk)
    ss = DoseEvents(t_h=[0.0], dose_mg=[4.5], steady_state=SteadyState(4.5, 24.0))
    long_run = DoseEvents(t_h=24.0 * np.arange(-400, 1), dose_mg=np.full(401, 4.5))
    t = np.linspace(0.0, 23.9, 50)
    np.testing.assert_allclose(
        regimen_response(system, ss, t), regimen_response(system, long_run, t), rtol=1e-9
    )


def test_near_degenerate_eigenvalues_fall_back_to_expm(pk: PKParams) -> None:
    # ka equal to ke0 and ke0_m equal to it too: repeated eigenvalues, defective A
    p = PKParams(**{**pk.__dict__, "ka_per_h": 2.0, "ke0_per_h": 2.0, "ke0_m_per_h": 2.0})
    system = linear_system(p)
    events = CASES["multiple"]
    t = _grid(72)
    _assert_close(regimen_response(system, events, t), ode_response(system, events, t))


def test_population_arrays_broadcast_to_patients_by_time(pk: PKParams) -> None:
    ka = np.array([1.0, 2.36, 4.0])
    pop = PKParams(**{**pk.__dict__, "ka_per_h": ka})
    system = linear_system(pop)
    assert system.a.shape == (3, N_STATES, N_STATES)
    t = np.linspace(0, 48, 97)
    events = CASES["multiple"]
    y = regimen_response(system, events, t)
    assert y.shape == (3, N_OUTPUTS, t.size)
    for i, k in enumerate(ka):
        one = linear_system(PKParams(**{**pk.__dict__, "ka_per_h": float(k)}))
        np.testing.assert_allclose(y[i], regimen_response(one, events, t), rtol=1e-12, atol=0)


def test_exact_auc_matches_fine_quadrature(pk: PKParams) -> None:
    from scipy.integrate import quad

    system = linear_system(pk)
    events = CASES["titration"]
    auc = regimen_auc(system, events, 30.0, 130.0)
    for out in range(2):
        ref, _ = quad(
            lambda s, o=out: regimen_response(system, events, np.array([s]))[o, 0],
            30.0,
            130.0,
            points=list(events.t_h[(events.t_h > 30) & (events.t_h < 130)]),
            limit=200,
            epsabs=0,
            epsrel=1e-10,
        )
        assert auc[out] == pytest.approx(ref, rel=1e-7)


def test_eigenvalues_are_real_negative(pk: PKParams) -> None:
    md = modes(linear_system(pk))
    assert bool(md.ok)
    assert np.all(md.lam < 0)


def test_mass_balance_gut_and_parent_only_lose_mass(pk: PKParams) -> None:
    a = linear_system(pk).a
    # amount columns (gut, parent, deep): the outflow exceeds the flows to other amount states
    for col in (0, 1, 2):
        assert a[:5, col].sum() <= 1e-12


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("ka_per_h", -1.0, "ka_per_h must be > 0"),
        ("fm", 1.5, "fm must lie in [0, 1]"),
        ("v_c_l", float("nan"), "v_c_l must be finite"),
        ("f_sys", 0.99, "cannot exceed fa"),
    ],
)
def test_invalid_pk_parameters_are_named(
    pk: PKParams, field: str, value: float, fragment: str
) -> None:
    with pytest.raises(InputError, match=fragment.replace("[", r"\[").replace("]", r"\]")):
        linear_system(PKParams(**{**pk.__dict__, field: value}))


def test_two_dimensional_parameter_arrays_are_refused(pk: PKParams) -> None:
    with pytest.raises(InputError, match=r"1-D arrays \(n_patients,\)"):
        linear_system(PKParams(**{**pk.__dict__, "ka_per_h": np.ones((2, 2))}))


def test_fast_modes_long_before_first_dose_are_exactly_zero(pk: PKParams) -> None:
    p = PKParams(**{**pk.__dict__, "ke0_per_h": 100.0})
    events = DoseEvents(t_h=[500.0], dose_mg=[4.5])
    y = regimen_response(linear_system(p), events, np.array([0.0, 10.0, 499.0, 501.0]))
    assert np.all(y[:, :3] == 0.0)
    assert np.all(y[:2, 3] > 0.0)


def test_each_output_reads_the_state_its_name_says(pk: PKParams) -> None:
    """The output map C by name: plasma outputs read the central compartments (scaled by the
    volume), effect-site outputs the effect compartments, and nothing else."""
    from ldn.model.pk import OUTPUT_NAMES, STATE_NAMES

    c = linear_system(pk).c
    reads = {
        "naltrexone_ng_per_ml": "ntx_c",
        "naltrexol_ng_per_ml": "nol_c",
        "naltrexone_effect_ng_per_ml": "ntx_e",
        "naltrexol_effect_ng_per_ml": "nol_e",
    }
    for i, output in enumerate(OUTPUT_NAMES):
        nonzero = [STATE_NAMES[j] for j in np.flatnonzero(c[..., i, :])]
        assert nonzero == [reads[output]], output
