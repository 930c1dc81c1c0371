"""`make bench`: run every benchmark module and write its JSON to benchmarks/results/.

Each module listed in `BENCHMARKS` provides `run() -> dict` (JSON-serialisable) and a
`RESULT_NAME` (file name in benchmarks/results/). Speeds are compared as ratios within one run,
because the machines are small and noisy.
"""

from __future__ import annotations

import importlib
import json
import platform
import sys
import time
from pathlib import Path

BENCHMARKS: tuple[str, ...] = (
    "benchmarks.pk",
    "benchmarks.population",
    "benchmarks.cold_start",
    "benchmarks.registry_load",
    "benchmarks.trial_statistics",
    "benchmarks.calibration",
)

RESULTS = Path(__file__).resolve().parent / "results"


def main(names: list[str]) -> None:
    """Run the named benchmark modules (all when none are named)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    selected = [b for b in BENCHMARKS if not names or b.rsplit(".", 1)[-1] in names]
    for module_name in selected:
        module = importlib.import_module(module_name)
        started = time.perf_counter()
        result = module.run()
        machine = {"python": sys.version.split()[0], "cpu": platform.processor()}
        result.setdefault("machine", machine)
        result["wall_s"] = round(time.perf_counter() - started, 3)
        path = RESULTS / module.RESULT_NAME
        path.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        print(f"{module_name}: wrote {path} ({result['wall_s']} s)")


if __name__ == "__main__":
    main(sys.argv[1:])
