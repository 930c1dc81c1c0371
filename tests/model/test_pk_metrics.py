"""Regimen metrics: time to steady state, hours above a threshold, dose classes."""

from __future__ import annotations

import numpy as np
import pytest

from ldn.model.exposure import dose_class_bounds
from ldn.model.metrics import DoseClassBounds, dose_class, hours_above, time_to_steady_state
from ldn.model.pk import PKParams, linear_system
from ldn.model.superposition import regimen_auc
from ldn.parameters import default_parameters
from ldn.regimen import DoseEvents, SteadyState

SYSTEM = linear_system(PKParams.from_parameters(default_parameters()))


def test_time_to_steady_state_matches_interval_auc_definition() -> None:
    """After t95 every 24-h interval's AUC is within 5 % of the steady-state interval AUC."""
    tau = 24.0
    t95 = time_to_steady_state(SYSTEM, 0.95)
    n = 40
    events = DoseEvents(t_h=tau * np.arange(n), dose_mg=np.ones(n))
    ss = DoseEvents(t_h=[0.0], dose_mg=[1.0], steady_state=SteadyState(1.0, tau))
    auc_ss = regimen_auc(SYSTEM, ss, 0.0, tau)
    for out in (0, 1):
        k_first = int(np.ceil(t95[out] / tau))  # intervals [kτ, (k+1)τ) with (k+1)τ ≥ t95
        for k in range(n):
            auc_k = regimen_auc(SYSTEM, events, k * tau, (k + 1) * tau)[out]
            ratio = auc_k / auc_ss[out]
            if k + 1 >= k_first:
                assert ratio >= 0.95 - 1e-9
            if k + 1 < k_first - 1:
                assert ratio < 0.95


def test_hours_above_counts_grid_minutes() -> None:
    occ = np.concatenate([np.full(90, 0.6), np.full(30, 0.95), np.zeros(1320)])
    assert float(hours_above(occ, 0.5)) == pytest.approx(2.0)
    assert float(hours_above(occ, 0.9)) == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("dose", "label"),
    [
        (0.0009, "ultra-low"),
        (0.001, "very-low"),
        (0.999, "very-low"),
        (1.0, "low"),
        (4.5, "low"),
        (5.0, "low"),
        (5.01, "intermediate"),
        (49.9, "intermediate"),
        (50.0, "standard"),
        (100.0, "standard"),
    ],
)
def test_dose_class_boundaries(dose: float, label: str) -> None:
    assert dose_class(dose, dose_class_bounds()) == label


def test_dose_class_bounds_come_from_parameters() -> None:
    assert dose_class_bounds() == DoseClassBounds(0.001, 1.0, 5.0, 50.0)
