"""`chain.rhs` split into time/drive-only inputs and per-state rates equals the direct formula.

The RK4 kernels evaluate `stage_inputs` once per distinct stage time and `stage_rates` per stage;
this checks the split against the chain written out from the rebound, immune and disease
functions (the form of docs/model.md part II), including the bilinear signalling step.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ldn.model import chain
from ldn.model.disease.base import activity_rate
from ldn.model.immune import immune_rates, tlr4_occupancy
from ldn.model.rebound import adaptation_rate, ogfr_occupancy, signalling
from ldn.parameters import default_parameters

P = chain.parameter_matrix(default_parameters(), "crohns", tlr4=True)[0]
IDX = {name: i for i, name in enumerate(chain.PARAM_NAMES)}


def _direct(t: float, y: np.ndarray, mor: float, unbound: float, p: np.ndarray) -> np.ndarray:
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
    # the kernels pass the parameters as a tuple: same numbers, same rates
    dt = np.empty(chain.N_STATES)
    chain.stage_rates(ya, chain.stage_inputs(t, mor, unbound, chain.params_tuple(p)),
                      chain.params_tuple(p), dt)  # fmt: skip
    np.testing.assert_array_equal(dt, dy)


def test_params_tuple_has_every_parameter() -> None:
    p = np.arange(chain.N_PARAMS, dtype=np.float64)
    assert chain.params_tuple(p) == tuple(p)
