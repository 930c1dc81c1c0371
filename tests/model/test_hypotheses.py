"""Mechanism families: registry, upregulation laws, drives, and the seed family = the seed chain."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ldn.errors import InputError
from ldn.model.chain import parameter_matrix
from ldn.model.exposure import exposure
from ldn.model.hypotheses import FAMILIES, FAMILY_NAMES, get_family
from ldn.model.hypotheses.laws import THRESHOLD_HILL, law_stimulus
from ldn.model.receptors import BindingParams
from ldn.parameters import default_parameters
from ldn.regimen import daily
from ldn.simulation.hypotheses import family_drive, family_run, plasma_mor_occupancy
from ldn.simulation.scenarios import half_step_grid, headline
from ldn.solve.compiled import integrate_chain
from ldn.solve.hypothesis import activity_after, integrate_family
from ldn.units import MW_NALTREXOL_G_PER_MOL, MW_NALTREXONE_G_PER_MOL

PARAMS = default_parameters()
WEEKS = 12.0


def _events(dose: float, at: str) -> object:
    return daily(dose, at).events(until_h=WEEKS * 168 + 24)


def test_registry_names_and_errors() -> None:
    assert set(FAMILY_NAMES) >= {"null", "rebound_brain", "rebound_peripheral", "ogf_blockade",
                                 "rebound_linear", "rebound_threshold"}  # fmt: skip
    assert get_family("Rebound-Peripheral").name == "rebound_peripheral"
    with pytest.raises(InputError, match="choose one of"):
        get_family("opioid_magic")
    for fam in FAMILIES.values():  # every free parameter has a prior range in the data files
        for name in fam.free:
            assert PARAMS[name].low is not None and PARAMS[name].high is not None


def test_seed_family_integrates_the_seed_chain_exactly() -> None:
    """rebound_brain with the saturating law is the seed's ODE: same kernel result to 1e-12."""
    fam = get_family("rebound_brain")
    n_steps, t_half = half_step_grid(0.0, 14 * 24.0, 0.25)
    drive = family_drive(fam, _events(4.5, "22:00"), t_half, PARAMS)
    p = parameter_matrix(PARAMS, "crohns")
    ours = integrate_family(drive, p, fam.law_code, 0.25, n_steps, record_every=n_steps)
    seed = integrate_chain(drive, p, 0.25, n_steps)
    np.testing.assert_allclose(ours.final_state, seed.final_state, rtol=1e-12, atol=1e-14)


def test_seed_family_reproduces_the_headline_effect() -> None:
    h = headline("crohns", PARAMS).vs_placebo["cdai"]
    run = family_run(get_family("rebound_brain"), _events(4.5, "22:00"), WEEKS, "crohns", PARAMS,
                     dt_h=0.125)  # fmt: skip
    ours = run.effect("cdai", PARAMS)[0]
    assert ours == pytest.approx(h["ldn_bedtime"], rel=1e-6)


def test_null_family_has_no_effect_at_any_dose() -> None:
    null = get_family("null")
    for dose, at in ((4.5, "22:00"), (50.0, "08:00")):
        run = family_run(null, _events(dose, at), WEEKS, "ms", PARAMS)
        assert run.effect("sf36_mcs", PARAMS)[0] == 0.0


def test_threshold_law_loses_more_than_the_seed_law_at_default_parameters() -> None:
    """Little upregulation below the threshold: LDN's blockade alone lowers opioid signalling.

    At the seed's defaults (rebound_brain posterior medians) the seed law helps (CDAI −165 vs
    placebo) and the threshold law harms (+144): the law alone flips the sign."""
    brain, thr = (
        family_run(get_family(name), _events(4.5, "22:00"), WEEKS, "crohns", PARAMS).effect(
            "cdai", PARAMS
        )[0]
        for name in ("rebound_brain", "rebound_threshold")
    )
    assert brain < 0 < thr


@given(st.floats(0.0, 1.0), st.floats(0.5, 0.95))
def test_law_stimulus_properties(u: float, theta: float) -> None:
    assert law_stimulus(u, 1, theta) == pytest.approx(u)
    g = law_stimulus(u, 2, theta)
    assert 0.0 <= g <= 1.0 + 1e-12
    assert law_stimulus(1.0, 2, theta) == pytest.approx(1.0)
    assert law_stimulus(theta, 2, theta) == pytest.approx((1 + theta**THRESHOLD_HILL) / 2)
    assert law_stimulus(min(u + 0.01, 1.0), 2, theta) >= g - 1e-12


def test_plasma_occupancy_by_hand_and_above_brain_at_trough() -> None:
    """Unbound plasma naltrexone and 6β-naltrexol compete at MOR with the in-vivo constants."""
    t = np.arange(24 * 13, 24 * 14 + 1, 1.0)
    exp = exposure(_events(4.5, "22:00"), t, PARAMS)
    b = BindingParams.from_parameters(PARAMS)
    l1 = b.fu * exp.naltrexone_ng_per_ml / MW_NALTREXONE_G_PER_MOL * 1000
    l2 = b.fu_m * exp.naltrexol_ng_per_ml / MW_NALTREXOL_G_PER_MOL * 1000
    k1, k2 = b.k_nm("mor")
    r = l1 / k1 + l2 / k2
    np.testing.assert_allclose(plasma_mor_occupancy(exp, PARAMS), r / (1 + r), rtol=1e-12)
    assert plasma_mor_occupancy(exp, PARAMS).min() > exp.mor_occupancy.min()


def test_activity_filter_matches_the_kernels_activity_state() -> None:
    fam = get_family("rebound_brain")
    n_steps, t_half = half_step_grid(0.0, WEEKS * 168, 2.0)
    drive = family_drive(fam, _events(4.5, "22:00"), t_half, PARAMS)
    p = parameter_matrix(PARAMS, "crohns")
    sol = integrate_family(drive, p, 0, 2.0, n_steps)
    a = activity_after(sol.states[:, :, 5], 2.0, PARAMS.value("disease.crohns.effect_gain"),
                       PARAMS.value("disease.crohns.tau_weeks") * 168,
                       PARAMS.value("disease.activity_max_rel"), n_steps)  # fmt: skip
    assert a[0] - 1 == pytest.approx(sol.final_state[0, 6] - 1, rel=1e-3)


def test_family_run_errors() -> None:
    with pytest.raises(InputError, match="law code"):
        integrate_family(np.zeros((5, 2)), parameter_matrix(PARAMS, "ms"), 7, 1.0, 2)
    with pytest.raises(InputError, match="weeks must be positive"):
        family_run(get_family("null"), None, 0.0, "ms", PARAMS)
    with pytest.raises(InputError, match="no scale"):
        family_run(get_family("null"), None, 1.0, "ms", PARAMS).effect("cdai", PARAMS)
