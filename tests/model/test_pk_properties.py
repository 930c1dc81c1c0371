"""Property tests of the closed-form PK: linearity in dose, superposition, non-negativity."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ldn.model.pk import PKParams, linear_system
from ldn.model.superposition import regimen_response
from ldn.parameters import default_parameters
from ldn.regimen import DoseEvents

SYSTEM = linear_system(PKParams.from_parameters(default_parameters()))
T = np.linspace(0.0, 240.0, 241)

doses = st.lists(st.floats(min_value=1e-3, max_value=200.0), min_size=1, max_size=6)
gaps = st.lists(st.floats(min_value=0.5, max_value=72.0), min_size=6, max_size=6)


def _events(ds: list[float], gs: list[float]) -> DoseEvents:
    t = np.cumsum([0.0, *gs[: len(ds) - 1]])
    return DoseEvents(t_h=t, dose_mg=np.asarray(ds))


@settings(max_examples=60, deadline=None)
@given(ds=doses, gs=gaps, scale=st.floats(min_value=1e-3, max_value=1e3))
def test_linear_in_dose(ds: list[float], gs: list[float], scale: float) -> None:
    ev = _events(ds, gs)
    scaled = DoseEvents(t_h=ev.t_h, dose_mg=ev.dose_mg * scale)
    np.testing.assert_allclose(
        regimen_response(SYSTEM, scaled, T),
        scale * regimen_response(SYSTEM, ev, T),
        rtol=1e-9,
        atol=1e-12 * scale * max(ds),
    )


@settings(max_examples=60, deadline=None)
@given(ds=doses, gs=gaps)
def test_regimen_is_sum_of_single_doses(ds: list[float], gs: list[float]) -> None:
    ev = _events(ds, gs)
    total = regimen_response(SYSTEM, ev, T)
    parts = sum(
        regimen_response(SYSTEM, DoseEvents(t_h=[t], dose_mg=[d]), T)
        for t, d in zip(ev.t_h, ev.dose_mg, strict=True)
    )
    np.testing.assert_allclose(total, parts, rtol=1e-9, atol=1e-12 * max(ds))
    assert np.all(total >= -1e-12 * max(ds))
