"""ldn: low-dose naltrexone from a bedtime pill to disease activity.

The public Python API is re-exported here; everything else may change.
"""

from __future__ import annotations

__version__ = "0.1.0"

from ldn.regimen import Regimen as Regimen
from ldn.regimen import daily as daily
from ldn.regimen import every as every
from ldn.regimen import single as single
from ldn.regimen import titration as titration
from ldn.simulate import SimulationResult as SimulationResult
from ldn.simulate import simulate as simulate  # ldn.simulate(regimen, days=14)

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
