"""ldn: low-dose naltrexone from a bedtime pill to disease activity.

The public Python API is re-exported here; everything else may change. The names are loaded on
first use (PEP 562), so importing a small module such as `ldn.errors` — or starting `ldn --help`
— does not import NumPy, SciPy and Numba through this package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ldn.lazy import lazy_exports

__version__ = "0.1.0"

if TYPE_CHECKING:
    from ldn.regimen import Regimen as Regimen
    from ldn.regimen import daily as daily
    from ldn.regimen import every as every
    from ldn.regimen import single as single
    from ldn.regimen import titration as titration
    from ldn.simulation import SimulationResult as SimulationResult
    from ldn.simulation import simulate as simulate  # ldn.simulate(regimen, days=14)

_LAZY = {
    "Regimen": "ldn.regimen",
    "daily": "ldn.regimen",
    "every": "ldn.regimen",
    "single": "ldn.regimen",
    "titration": "ldn.regimen",
    "SimulationResult": "ldn.simulation",
    "simulate": "ldn.simulation",
}

__all__ = [
    "Regimen",
    "SimulationResult",
    "__version__",
    "daily",
    "every",
    "simulate",
    "single",
    "titration",
]


__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
