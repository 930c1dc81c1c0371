"""ldn: low-dose naltrexone from a bedtime pill to disease activity.

The public Python API is re-exported here; everything else may change.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
