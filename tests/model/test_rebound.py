"""Rebound equations: circadian rhythm, OGFr occupancy, adaptation steady states."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ldn.model.rebound import adaptation_rate, circadian, ogfr_occupancy, signalling


def test_circadian_peaks_at_acrophase_with_unit_daily_mean() -> None:
    # Iranmanesh 1989: amplitude 23 % of the 24-h mean, acrophase 10:43
    t = np.linspace(0.0, 24.0, 2401)[:-1]
    c = np.array([circadian(x, 0.23, 10.72) for x in t])
    assert c.mean() == pytest.approx(1.0, abs=1e-12)
    assert t[np.argmax(c)] == pytest.approx(10.72, abs=0.01)
    assert c.max() == pytest.approx(1.23, abs=1e-6)
    # trough 12 h later (22:43), inside the measured low window 22:00-03:30
    assert 22.0 <= t[np.argmin(c)] <= 27.5


@settings(deadline=None)
@given(o=st.floats(0.0, 1.0), r=st.floats(0.01, 100.0))
def test_ogfr_occupancy_is_a_fraction_and_equals_mor_at_equal_affinity(o: float, r: float) -> None:
    occ = ogfr_occupancy(o, r)
    assert 0.0 <= occ <= 1.0 + 1e-12
    assert ogfr_occupancy(o, 1.0) == pytest.approx(o)
    # the same free concentration x = o/(1-o)·K: occupancy of a site with affinity r times higher
    if o < 0.99:
        x = o / (1.0 - o)
        assert occ == pytest.approx(r * x / (1.0 + r * x), rel=1e-9)


@pytest.mark.parametrize("u", [0.0, 0.36, 1.0])
def test_adaptation_steady_state_saturates_in_occupancy(u: float) -> None:
    gain, k_up, k_down = 0.8, 1 / 72.0, 1 / 84.0
    u50 = k_down / k_up
    x_ss = 1.0 + gain * u * (1.0 + u50) / (u + u50)
    assert adaptation_rate(x_ss, u, gain, k_up, k_down) == pytest.approx(0.0, abs=1e-14)
    if u == 1.0:  # continuous full blockade gives exactly the measured rise G (+80 %, Lesscher)
        assert x_ss == pytest.approx(1.0 + gain)


def test_signalling_is_baseline_when_untreated_and_falls_with_blockade() -> None:
    base = signalling(10.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.23, 10.72)
    assert base[2] == pytest.approx(base[3])
    blocked = signalling(10.0, 0.9, 1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.23, 10.72)
    assert blocked[2] == pytest.approx(0.1 * base[2])
    assert math.isclose(base[0], circadian(10.0, 0.23, 10.72))
