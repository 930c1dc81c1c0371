"""Cold start: `ldn population` on a fresh install (empty Numba cache) vs warm, vs libroadrunner.

All figures come from one run on one machine, so the ratios are what matters:

- `ldn population --n N --days 84` as a new process, wall time from start to exit, first with an
  empty `NUMBA_CACHE_DIR` (every kernel compiled: what a new install or a fresh Dask worker
  pays) and then again with the cache that run filled (warm), for N = 1,000 and 20,000;
- libroadrunner (CVODE, rtol 1e-6, atol 1e-10) on the exported SBML for `N_RR` of the same
  virtual patients, one at a time (`benchmarks.population._roadrunner`), as patient-days/s
  (median of `RR_REPEATS` timings);
- the speed ratio engine / roadrunner for 20,000 patients × 84 days, cold (compilation
  included) and warm, and the process CPU time of the compile.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

RESULT_NAME = "cold_start.json"
DAYS = 84
SIZES = (1_000, 20_000)
N_RR = 32
RR_REPEATS = 3
RR_RTOL = 1e-6
LDN = str(Path(sys.executable).with_name("ldn"))


def _cli_run(n: int, cache_dir: Path) -> dict[str, float]:
    """Wall and CPU seconds of one `ldn population` process (children's rusage)."""
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache_dir)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(
        [LDN, "population", "--n", str(n), "--days", str(DAYS), "--format", "json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "compile_notice_shown": "compiling the numerical kernels" in done.stderr,
    }


def _roadrunner_speed() -> dict[str, Any]:
    """Median of `RR_REPEATS` timings of the same `N_RR` patients: one ~1 s timing moved by
    ±15 % between runs minutes apart on an idle host, most of the spread of the ratios."""
    from benchmarks.population import _roadrunner, _scenario

    scen = _scenario(DAYS)
    secs = [_roadrunner(scen, np.arange(N_RR), RR_RTOL)[1] for _ in range(RR_REPEATS)]
    median = float(np.median(secs))
    return {
        "patients": N_RR,
        "rtol": RR_RTOL,
        "seconds_each_repeat": [round(x, 2) for x in secs],
        "seconds": round(median, 2),
        "patient_days_per_s": round(N_RR * DAYS / median, 1),
    }


def run() -> dict[str, Any]:
    """Entry point for benchmarks/run.py."""
    out: dict[str, Any] = {"load_average_1min_at_start": round(os.getloadavg()[0], 2)}
    rr = _roadrunner_speed()
    out["roadrunner"] = rr
    for n in SIZES:
        with tempfile.TemporaryDirectory(prefix="ldn-numba-") as tmp:
            cold = _cli_run(n, Path(tmp))
            warm = _cli_run(n, Path(tmp))
        speed = {k: n * DAYS / v["wall_s"] for k, v in (("cold", cold), ("warm", warm))}
        out[f"population_{n}"] = {
            "cold": cold,
            "warm": warm,
            "compile_wall_s": round(cold["wall_s"] - warm["wall_s"], 2),
            "speed_ratio_vs_roadrunner_cold": round(speed["cold"] / rr["patient_days_per_s"], 1),
            "speed_ratio_vs_roadrunner_warm": round(speed["warm"] / rr["patient_days_per_s"], 1),
        }
    out["load_average_1min_at_end"] = round(os.getloadavg()[0], 2)
    return out


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
