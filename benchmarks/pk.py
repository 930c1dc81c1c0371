"""PK/occupancy engine timings: dose–response sweep, one regimen, a population-year.

Register with `"benchmarks.pk"` in benchmarks/run.py `BENCHMARKS`.
"""

from __future__ import annotations

import time

import numpy as np

RESULT_NAME = "pk.json"


def _time(fn: object, repeat: int = 3) -> float:
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        best = min(best, time.perf_counter() - t0)
    return round(float(best), 4)


def run() -> dict[str, object]:
    """Best-of-3 wall times (s)."""
    from ldn.model.exposure import dose_response, exposure
    from ldn.model.pk import PKParams
    from ldn.parameters import default_parameters
    from ldn.regimen import daily
    from ldn.simulation import simulate

    base = PKParams.from_parameters(default_parameters())
    rng = np.random.default_rng(0)
    n = 1000
    pop = PKParams(
        **{
            **base.__dict__,
            "cl_l_per_h": base.cl_l_per_h * np.exp(rng.normal(0.0, 0.3, n)),
            "ka_per_h": base.ka_per_h * np.exp(rng.normal(0.0, 0.3, n)),
        }
    )
    ev14 = daily(4.5, at="22:00").events(until_h=14 * 24)
    ev365 = daily(4.5, at="22:00").events(until_h=365 * 24)
    t14 = np.arange(14 * 24 + 1.0)
    t365 = np.arange(365 * 24 + 1.0)
    return {
        "dose_response_121_doses_s": _time(lambda: dose_response(np.geomspace(1e-3, 50.0, 121))),
        "simulate_14_days_hourly_with_summary_s": _time(
            lambda: simulate(daily(4.5, at="22:00"), days=14).summary()
        ),
        "exposure_1000_patients_14_days_hourly_s": _time(lambda: exposure(ev14, t14, pk=pop)),
        "exposure_1000_patients_365_days_hourly_s": _time(
            lambda: exposure(ev365, t365, pk=pop), repeat=1
        ),
    }
