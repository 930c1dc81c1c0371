"""Slow, independent reference solution of the chain ODE with SciPy `solve_ivp` (tests only).

It calls the same right-hand side as the compiled kernel (`ldn.model.chain.rhs`, so the model is
defined once) but a different integrator (adaptive DOP853 at tight tolerances) with the drive
evaluated by a callable at any time instead of a half-step grid. Integration restarts at every
breakpoint (dose times, where the drive's derivative jumps) so no step straddles a kink.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.integrate import solve_ivp

from ldn.model.chain import N_STATES, SIGNALLING_INTEGRAL_INDEX, initial_state, rhs
from ldn.types import FloatArray

DriveFn = Callable[[float], tuple[float, float]]


@dataclass(frozen=True)
class ReferenceSolution:
    """Final state (N_STATES,) and mean net signalling over [average_from_h, t_end_h]."""

    final_state: FloatArray
    mean_signalling: float


def solve_reference(
    drive: DriveFn,
    params: FloatArray,
    t_end_h: float,
    *,
    t0_h: float = 0.0,
    average_from_h: float | None = None,
    breakpoints_h: Sequence[float] = (),
    rtol: float = 1e-10,
    atol: float = 1e-12,
) -> ReferenceSolution:
    """Integrate one patient (params: (N_PARAMS,)) from the untreated state with DOP853."""
    p = np.ascontiguousarray(np.asarray(params, dtype=np.float64).reshape(-1))

    def f(t: float, y: FloatArray) -> FloatArray:
        dy = np.empty(N_STATES)
        mor, unbound = drive(t)
        rhs(t, np.ascontiguousarray(y), float(mor), float(unbound), p, dy)
        return dy

    avg = t_end_h - 24.0 if average_from_h is None else average_from_h
    avg = max(avg, t0_h)
    stops = sorted({t0_h, avg, t_end_h, *(b for b in breakpoints_h if t0_h < b < t_end_h)})
    y = initial_state(1)[0]
    q_avg = 0.0
    for a, b in itertools.pairwise(stops):
        if a == avg:
            q_avg = y[SIGNALLING_INTEGRAL_INDEX]
        sol = solve_ivp(f, (a, b), y, method="DOP853", rtol=rtol, atol=atol)
        if not sol.success:
            raise RuntimeError(f"reference solver failed on [{a}, {b}] h: {sol.message}")
        y = sol.y[:, -1]
    return ReferenceSolution(y, float((y[SIGNALLING_INTEGRAL_INDEX] - q_avg) / (t_end_h - avg)))


@dataclass(frozen=True)
class SyntheticDrive:
    """An analytic drive for tests: one-compartment oral doses → hyperbolic MOR occupancy.

    Concentration-like exposure `x(t) = Σ dose·ka/(ka−ke)·(e^{−ke s} − e^{−ka s})` over doses
    every `interval_h` from `first_h`, occupancy `x/(x + ed50_mg)` and unbound concentration
    `nM_per_mg·x`. Not a PK model of naltrexone (that is `ldn.model.pk`); it only needs to be
    smooth between doses and exactly computable at any time.
    """

    dose_mg: float
    first_h: float
    interval_h: float = 24.0
    ka_per_h: float = float(np.log(2.0))
    ke_per_h: float = float(np.log(2.0) / 12.0)
    ed50_mg: float = 5.6
    nM_per_mg: float = 3.0

    def dose_times(self, t_end_h: float) -> FloatArray:
        """Dose times up to `t_end_h`."""
        return np.arange(self.first_h, t_end_h + 1e-9, self.interval_h)

    def exposure(self, t_h: FloatArray | float) -> FloatArray:
        """Dose-equivalent exposure x(t) (mg) at times `t_h`."""
        t = np.atleast_1d(np.asarray(t_h, dtype=np.float64))
        x = np.zeros_like(t)
        scale = self.dose_mg * self.ka_per_h / (self.ka_per_h - self.ke_per_h)
        for t_dose in self.dose_times(float(t.max())):
            s = np.maximum(t - t_dose, 0.0)
            x += scale * (np.exp(-self.ke_per_h * s) - np.exp(-self.ka_per_h * s))
        return x

    def __call__(self, t_h: float) -> tuple[float, float]:
        x = float(self.exposure(t_h)[0])
        return x / (x + self.ed50_mg), self.nM_per_mg * x

    def grid(self, t0_h: float, dt_h: float, n_steps: int) -> FloatArray:
        """The drive on the half-step grid, shape (2·n_steps + 1, 2), for `integrate_chain`."""
        t = t0_h + 0.5 * dt_h * np.arange(2 * n_steps + 1, dtype=np.float64)
        x = self.exposure(t)
        return np.stack([x / (x + self.ed50_mg), self.nM_per_mg * x], axis=-1)
