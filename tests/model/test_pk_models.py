"""PK structural variants: structure, kinetic binding numerics, shipped fits and draws."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ldn.errors import InputError
from ldn.model.binding_kinetics import kinetic_occupancy
from ldn.model.pk import PKParams, linear_system
from ldn.model.pk_models import MODEL_NAMES, model_system
from ldn.model.pk_setup import default_model, model_draws, model_setup
from ldn.model.receptors import competitive_occupancy
from ldn.model.superposition import regimen_response
from ldn.parameters import default_parameters
from ldn.pk_fits import fits
from ldn.regimen import DoseEvents

PS = default_parameters()
T = np.linspace(0.0, 96.0, 385)


def test_unknown_model_is_refused_with_the_choices() -> None:
    with pytest.raises(InputError, match="brain_retention"):
        model_system("slow_tail", PKParams.from_parameters(PS))


def test_brain_retention_without_exchange_is_the_base_system() -> None:
    """k_ret → 0 decouples the retained pools: the four outputs equal the base model's."""
    pk = PKParams.from_parameters(PS)
    ev = DoseEvents(t_h=[0.0, 24.0], dose_mg=[50.0, 50.0])
    base = regimen_response(linear_system(pk), ev, T)
    ret = regimen_response(
        model_system("brain_retention", pk, {"k_ret_per_h": 1e-12, "k_rel_per_h": 0.03}), ev, T
    )
    np.testing.assert_allclose(ret, base, rtol=1e-7, atol=1e-12)


def test_brain_retention_keeps_drug_in_brain_longer() -> None:
    pk = PKParams.from_parameters(PS)
    ev = DoseEvents(t_h=[0.0], dose_mg=[50.0])
    base = regimen_response(linear_system(pk), ev, T)
    ret = regimen_response(
        model_system("brain_retention", pk, {"k_ret_per_h": 0.1, "k_rel_per_h": 0.03}), ev, T
    )
    assert ret[2, -1] > 2 * base[2, -1]  # naltrexone in brain at 96 h
    np.testing.assert_allclose(ret[:2], base[:2], rtol=1e-9, atol=1e-12)  # plasma unchanged


@settings(max_examples=25, deadline=None)
@given(
    l1=st.floats(0.01, 50.0),
    l2=st.floats(0.0, 50.0),
    k1=st.floats(0.5, 5.0),
    k2=st.floats(0.5, 50.0),
)
@example(l1=22.0, l2=50.0, k1=0.5, k2=0.5)  # fast binding: cosh(δh) overflowed to nan
def test_fast_kinetics_reach_the_equilibrium_formula(
    l1: float, l2: float, k1: float, k2: float
) -> None:
    t = np.linspace(0.0, 2.0, 41)
    occ = kinetic_occupancy(
        t,
        np.full((1, t.size), l1),
        np.full((1, t.size), l2),
        np.array([k1]),
        np.array([k2]),
        np.array([200.0]),
    )
    eq = competitive_occupancy(l1, k1, l2, k2)[0]
    assert occ[0, -1] == pytest.approx(float(eq), abs=1e-9)


def test_kinetic_step_matches_solve_ivp() -> None:
    """The exact piecewise step against an adaptive ODE solve of the same equations."""
    from scipy.integrate import solve_ivp

    t = np.linspace(0.0, 48.0, 4801)
    l1 = 20.0 * np.exp(-t / 5.0) * (1 - np.exp(-2 * t))
    l2 = 40.0 * np.exp(-t / 15.0) * (1 - np.exp(-t))
    k1, k2, koff = 1.2, 3.0, 0.08

    def rhs(s: float, o: np.ndarray) -> list[float]:
        a1, a2 = np.interp(s, t, l1), np.interp(s, t, l2)
        free = 1 - o[0] - o[1]
        return [koff / k1 * a1 * free - koff * o[0], koff / k2 * a2 * free - koff * o[1]]

    ref = solve_ivp(rhs, (0, 48), [0.0, 0.0], t_eval=t, rtol=1e-10, atol=1e-12, max_step=0.01)
    got = kinetic_occupancy(t, l1[None], l2[None], np.array([k1]), np.array([k2]), np.array([koff]))
    np.testing.assert_allclose(got[0], ref.y.sum(axis=0), atol=2e-5)


def test_default_variant_values_are_the_ones_in_parameters_toml() -> None:
    """The population engine, SBML export and chain read parameters.toml: it must hold the
    default variant's fitted values (copy them after `ldn calibrate-pk`)."""
    values = fits()["models"][default_model()]["values"]
    for name, v in values.items():
        group = "receptor" if name in ("invivo_scale", "kp_m") else "pk"
        key = (
            f"pk_variant.{name}"
            if name.endswith(("ret_per_h", "rel_per_h", "koff_per_h"))
            else (f"{group}.{name}")
        )
        assert PS.value(key) == pytest.approx(v, rel=1e-4), key


@pytest.mark.parametrize("model", MODEL_NAMES)
def test_every_variant_respects_the_renal_clearance_floor(model: str) -> None:
    """Meyer 1984: renal clearance of 6β-naltrexol 283 mL/min = 16.98 L/h; total ≥ renal."""
    assert float(model_setup(model).pk.cl_m_l_per_h) >= 16.98
    d = model_draws(model, 50)
    assert np.all(np.asarray(d.pk.cl_m_l_per_h) >= 16.98)


@pytest.mark.parametrize("model", MODEL_NAMES)
def test_draws_are_shipped_with_provenance(model: str) -> None:
    from ldn.pk_fits import draws_provenance

    d = model_draws(model)
    assert d.n_draws is not None and d.n_draws >= 100
    assert "emcee" in draws_provenance(model)
    fm = np.asarray(d.pk.fm)  # nuisance parameter sampled over its labelled range 0.4-0.9
    assert fm.min() >= 0.4 and fm.max() <= 0.9 and fm.std() > 0.05


def test_fit_table_names_the_default_as_lowest_aic() -> None:
    from ldn.pk_fits import fit_rows

    rows = fit_rows(MODEL_NAMES)
    assert {r["model"] for r in rows} == set(MODEL_NAMES)
    best = min(rows, key=lambda r: r["aic"])
    assert best["default"] and best["model"] == default_model()


def test_default_system_is_the_default_variant_from_parameters_toml() -> None:
    from ldn.model.pk_setup import default_system

    s = model_setup()
    ref = model_system(s.model, s.pk, s.extra)
    got = default_system(PKParams.from_parameters(PS), PS)
    np.testing.assert_allclose(got.a, ref.a, rtol=1e-12)
