"""Small statistics shared by the evidence, registry and trial parts.

`wilson_interval(k, n)` is the Wilson score interval of a proportion (Wilson EB, J Am Stat Assoc
1927;22:209-212), computed by statsmodels `proportion_confint(method="wilson")`; the limits are
exact (0 and 1) at k = 0 and k = n, where the closed form leaves ±1e-17 rounding.
"""

from __future__ import annotations

import math


def wilson_interval(successes: int, n: int, alpha: float = 0.05) -> tuple[float, float]:
    """Wilson score (1 − alpha) interval of the proportion successes/n (NaNs when n = 0)."""
    if n == 0:
        return (math.nan, math.nan)
    from statsmodels.stats.proportion import proportion_confint

    lo, hi = proportion_confint(successes, n, alpha=alpha, method="wilson")
    return (0.0 if successes == 0 else float(lo)), (1.0 if successes == n else float(hi))


__all__ = ["wilson_interval"]
