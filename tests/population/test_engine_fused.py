"""The fused PK → chain kernel of `simulate_patients` against the two-pass path it replaces.

`exposure_grid` (drive array, tested against `ldn.model.exposure.exposure`) followed by
`integrate_chain` (tested against solve_ivp) is the reference; the fused kernel performs the
same operations in the same order, so agreement is to rounding (1e-12).
"""

from __future__ import annotations

import numpy as np
import pytest

from ldn.parameters import default_parameters
from ldn.population.engine import (
    Schedule,
    adherence_mask,
    chain_parameters,
    exposure_grid,
    pk_recursion,
    simulate_patients,
)
from ldn.population.sampling import VariabilitySpec, sample_population
from ldn.regimen.schedule import daily
from ldn.solve.compiled import integrate_chain

PARAMS = default_parameters()
SPEC = VariabilitySpec.from_parameters(PARAMS)
DAYS = 15


def _two_pass(pop, schedule, taken, dt_h, tlr4):  # type: ignore[no-untyped-def]
    end = round(DAYS * 24 / dt_h)
    r = pk_recursion(pop, schedule, taken, PARAMS, dt_h=dt_h, n_steps=end, tlr4=tlr4)
    drive, peak = exposure_grid(r, dt_h, end)
    p = chain_parameters(pop, PARAMS, "crohns", tlr4=tlr4)
    sol = integrate_chain(drive, p, dt_h, end, record_every=round(24 / dt_h))
    last = drive[:, 2 * end - round(48 / dt_h) :, 0]
    assert sol.trajectory is not None
    return sol.trajectory[:, :, 6], last, peak


@pytest.mark.parametrize(
    ("dt_h", "tlr4", "force_dense", "n"),
    [(1.0, False, False, 12), (0.5, True, False, 11), (1.0, True, True, 11)],
)
def test_fused_kernel_matches_drive_array_then_integrate_chain(
    dt_h: float, tlr4: bool, force_dense: bool, n: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    pop = sample_population(n, seed=3, spec=SPEC)
    schedule = Schedule.from_regimen(daily(4.5, "22:00"), DAYS * 24.0)
    taken = adherence_mask(pop, schedule)
    taken[0, 2:5] = False
    if force_dense:  # every patient through the expm (ill-conditioned) branch of both paths
        from ldn.model import superposition

        real = superposition.modes

        def no_modes(system):  # type: ignore[no-untyped-def]
            md = real(system)
            return type(md)(lam=md.lam, coef=md.coef, ok=np.zeros_like(md.ok))

        monkeypatch.setattr(superposition, "modes", no_modes)
    activity, occ_last, peak = _two_pass(pop, schedule, taken, dt_h, tlr4)
    out = simulate_patients(pop, schedule, taken, np.arange(DAYS + 1) * 24.0, params=PARAMS,
                            condition="crohns", dt_h=dt_h, tlr4=tlr4)  # fmt: skip
    np.testing.assert_allclose(out.activity_rel, activity, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(out.mor_mean, occ_last.mean(axis=1), rtol=1e-12)
    np.testing.assert_array_equal(out.mor_peak, occ_last.max(axis=1))
    np.testing.assert_array_equal(out.mor_trough, occ_last.min(axis=1))
    np.testing.assert_array_equal(out.naltrexone_cmax_ng_per_ml, peak[:, 0])
    np.testing.assert_array_equal(out.naltrexol_cmax_ng_per_ml, peak[:, 1])
