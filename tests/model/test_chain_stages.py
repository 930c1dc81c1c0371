"""`chain.rhs` split into time/drive-only inputs and per-state rates equals the direct formula.

The RK4 kernels evaluate `stage_inputs` once per distinct stage time and `stage_rates` per stage;
this checks the split (with its precomputed reciprocals and per-patient constants) to 1e-12
against the chain written out with plain divisions from docs/model.md part II and against the
rebound, immune and disease functions, including the bilinear signalling step.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ldn.model import chain
from ldn.model.disease.base import activity_rate
from ldn.model.immune import immune_rates, tlr4_occupancy
from ldn.model.rebound import adaptation_rate, circadian, ogfr_occupancy, signalling
from ldn.parameters import default_parameters

P = chain.parameter_matrix(default_parameters(), "crohns", tlr4=True)[0]
IDX = {name: i for i, name in enumerate(chain.PARAM_NAMES)}


def _direct(t: float, y: np.ndarray, mor: float, unbound: float, p: np.ndarray) -> np.ndarray:
    """The chain written out from docs/model.md part II with plain divisions (the form before
    the kernels precomputed reciprocals and per-patient constants)."""
    v = {name: p[i] for name, i in IDX.items()}
    o = min(max(mor, 0.0), 1.0)
    r = v["ogfr_affinity_rel"]
    o_r = r * o / (1.0 + (r - 1.0) * o)
    x = t - v["be_acrophase_h"]
    x -= 24.0 * math.floor(x / 24.0)
    c = 1.0 + v["be_amplitude"] * math.cos(2.0 * math.pi / 24.0 * x)
    w = v["mor_weight"]
    s_net = w * y[2] * c * y[0] * (1.0 - o) + (1.0 - w) * y[3] * y[1] * (1.0 - o_r)
    s_base = w * c + (1.0 - w)

    def inhibition(s: float) -> float:
        s = max(s, 0.0)
        return v["prolif_emax"] * s / (s + v["prolif_s50"])

    def adaptation(x: float, u: float, gain: float, tau_up: str, tau_down: str) -> float:
        k_up, k_down = 1.0 / v[tau_up], 1.0 / v[tau_down]
        x_cap = 1.0 + gain * (1.0 + k_down / k_up)
        return k_up * u * (x_cap - x) - k_down * (x - 1.0)

    u = max(unbound, 0.0)
    theta = u / (u + v["tlr4_ic50_nM"])
    target_p = (1.0 - inhibition(s_net)) / (1.0 - inhibition(s_base))
    target_c = max(y[4], 0.0) ** v["cytokine_gamma"] * (1.0 - v["tlr4_emax"] * theta)
    m = v["activity_max"]
    xa = v["effect_gain"] * (y[5] - 1.0)
    target_a = m / (1.0 + (m - 1.0) * math.exp(-m * xa / (m - 1.0)))
    rates = [
        adaptation(y[0], o, v["mor_gain"], "receptor_tau_up_h", "receptor_tau_down_h"),
        adaptation(y[1], o_r, v["ogfr_gain"], "receptor_tau_up_h", "receptor_tau_down_h"),
        adaptation(y[2], o, v["be_gain"], "ligand_tau_up_h", "ligand_tau_down_h"),
        adaptation(y[3], o_r, v["ogf_gain"], "ligand_tau_up_h", "ligand_tau_down_h"),
        (target_p - y[4]) / v["lymph_tau_h"],
        (target_c - y[5]) / v["cytokine_tau_h"],
        (target_a - y[6]) / v["disease_tau_h"],
        s_net,
    ]
    return np.array(rates)


def _modules(t: float, y: np.ndarray, mor: float, unbound: float, p: np.ndarray) -> np.ndarray:
    """The same chain from the public rebound, immune and disease functions."""
    v = {name: p[i] for name, i in IDX.items()}
    o = min(max(mor, 0.0), 1.0)
    o_r = ogfr_occupancy(o, v["ogfr_affinity_rel"])
    kru, krd = 1 / v["receptor_tau_up_h"], 1 / v["receptor_tau_down_h"]
    klu, kld = 1 / v["ligand_tau_up_h"], 1 / v["ligand_tau_down_h"]
    aff, w = v["ogfr_affinity_rel"], v["mor_weight"]
    amp, acro = v["be_amplitude"], v["be_acrophase_h"]
    _, _, s_net, s_base = signalling(t, o, y[0], y[1], y[2], y[3], aff, w, amp, acro)
    theta = tlr4_occupancy(unbound, v["tlr4_ic50_nM"])
    dp, dc = immune_rates(y[4], y[5], s_net, s_base, theta, v["prolif_emax"], v["prolif_s50"],
                          v["lymph_tau_h"], v["cytokine_gamma"], v["cytokine_tau_h"],
                          v["tlr4_emax"])  # fmt: skip
    return np.array([
        adaptation_rate(y[0], o, v["mor_gain"], kru, krd),
        adaptation_rate(y[1], o_r, v["ogfr_gain"], kru, krd),
        adaptation_rate(y[2], o, v["be_gain"], klu, kld),
        adaptation_rate(y[3], o_r, v["ogf_gain"], klu, kld),
        dp, dc,
        activity_rate(y[6], y[5], v["effect_gain"], v["disease_tau_h"], v["activity_max"]),
        s_net,
    ])  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(
    t=st.floats(0.0, 24.0 * 400),
    mor=st.floats(-0.1, 1.1),
    unbound=st.floats(0.0, 1e4),
    y=st.lists(st.floats(0.2, 3.0), min_size=chain.N_STATES, max_size=chain.N_STATES),
    gamma=st.sampled_from([1.0, 0.7, 1.6]),
    affinity=st.sampled_from([1.0, 0.3, 4.0]),
)
def test_staged_rhs_equals_direct_chain(
    t: float, mor: float, unbound: float, y: list[float], gamma: float, affinity: float
) -> None:
    p = P.copy()
    p[IDX["cytokine_gamma"]] = gamma
    p[IDX["ogfr_affinity_rel"]] = affinity
    p[IDX["tlr4_ic50_nM"]] = 50.0
    ya = np.array(y)
    dy = np.empty(chain.N_STATES)
    chain.rhs(t, ya, mor, unbound, p, dy)
    np.testing.assert_allclose(dy, _direct(t, ya, mor, unbound, p), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(dy, _modules(t, ya, mor, unbound, p), rtol=1e-12, atol=1e-15)
    # the kernels pass the per-patient constants as a tuple: same numbers, same rates
    k = chain.chain_constants(p)
    dt = np.empty(chain.N_STATES)
    chain.stage_rates(ya, chain.stage_inputs(t, mor, unbound, k), k, dt)
    np.testing.assert_array_equal(dt, dy)
    # a circadian factor shared by patients (`circadian_table`) gives the same inputs
    c = circadian(t, k[0], k[1])
    assert chain.stage_inputs_clocked(c, mor, unbound, k) == chain.stage_inputs(t, mor, unbound, k)


def test_circadian_table_matches_the_kernel_stage_times() -> None:
    dt, n = 0.5, 200
    table = chain.circadian_table(0.23, 10.72, dt, n)
    for k in (0, 1, 57, n - 1):
        assert table[2 * k] == circadian(k * dt, 0.23, 10.72)
        assert table[2 * k + 1] == circadian(k * dt + 0.5 * dt, 0.23, 10.72)
    assert table[2 * n] == circadian(n * dt, 0.23, 10.72)


def test_chain_constants_are_laid_out_as_their_names_say() -> None:
    """The kernels read `chain_constants` by index, the indices looked up in CONSTANT_NAMES: each
    of its values, computed here by name from the parameters, sits at its name's position (all
    distinct, so two swapped entries fail)."""
    p = 1.0 + np.arange(chain.N_PARAMS, dtype=np.float64)  # every parameter distinct
    v = dict(zip(chain.PARAM_NAMES, p, strict=True))
    rate = {k: 1.0 / v[tau] for k, tau in (
        ("k_receptor_up", "receptor_tau_up_h"), ("k_receptor_down", "receptor_tau_down_h"),
        ("k_ligand_up", "ligand_tau_up_h"), ("k_ligand_down", "ligand_tau_down_h"),
        ("k_lymph", "lymph_tau_h"), ("k_cytokine", "cytokine_tau_h"),
        ("k_disease", "disease_tau_h"),
    )}  # fmt: skip
    receptor = (rate["k_receptor_up"], rate["k_receptor_down"])
    ligand = (rate["k_ligand_up"], rate["k_ligand_down"])
    expected = {
        **{name: v[name] for name in (
            "be_amplitude", "be_acrophase_h", "ogfr_affinity_rel", "mor_weight", "tlr4_ic50_nM",
            "prolif_emax", "prolif_s50", "cytokine_gamma", "tlr4_emax", "activity_max",
        )},
        **rate,
        "cap_mor": 1.0 + v["mor_gain"] * (1.0 + receptor[1] / receptor[0]),
        "cap_ogfr": 1.0 + v["ogfr_gain"] * (1.0 + receptor[1] / receptor[0]),
        "cap_be": 1.0 + v["be_gain"] * (1.0 + ligand[1] / ligand[0]),
        "cap_ogf": 1.0 + v["ogf_gain"] * (1.0 + ligand[1] / ligand[0]),
        "activity_slope": -v["activity_max"] * v["effect_gain"] / (v["activity_max"] - 1.0),
    }  # fmt: skip
    assert sorted(expected) == sorted(chain.CONSTANT_NAMES)
    assert len(set(expected.values())) == len(expected)  # a swap of any two would show
    got = dict(zip(chain.CONSTANT_NAMES, chain.chain_constants(p), strict=True))
    assert got == pytest.approx(expected, rel=1e-15)
