"""Calibration benchmark: every mechanism family fitted end to end (`ldn calibrate` settings).

Writes to a temporary folder (the shipped posterior is not touched) and reports the wall time
per family and in total, the load average at start (the machine is shared), R-hat and ESS.
Target (issue 13): all families within 20 minutes on 2 cores.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

RESULT_NAME = "calibration.json"


def run() -> dict[str, object]:
    """Fit all families with the default settings; timings and convergence."""
    import warnings

    from ldn.mechanisms.run import calibrate
    from ldn.mechanisms.settings import FitSettings

    warnings.simplefilter("ignore")
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        summary = calibrate(Path(tmp), settings=FitSettings(), check=False)
    families = summary["families"]
    assert isinstance(families, dict)
    return {
        "total_s": round(time.perf_counter() - t0, 1),
        "load_average_at_start": round(load, 2),
        "cores": os.cpu_count(),
        "families": {
            name: {k: f[k] for k in ("wall_time_s", "rhat_max", "ess_bulk_min")}
            for name, f in families.items()
        },
        "target_s": 1200,
    }
