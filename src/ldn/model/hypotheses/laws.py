"""Receptor-upregulation laws of the mechanism families (compiled scalar helpers).

The seed's law (`saturating`, `ldn.model.rebound.adaptation_rate`) is
`dx/dt = k_up·u·(x_cap − x) − k_down·(x − 1)`: its steady state under constant occupancy u,
`1 + G·u·(1 + u50)/(u + u50)`, is concave in u, so a partial blockade already gives much of the
full rise. The alternatives relax towards a target with the up- or down-time constant:

    dx/dt = (x* − x)·(k_up if x* > x else k_down),   x* = 1 + G·g(u)
    linear:     g(u) = u
    threshold:  g(u) = h(u)/h(1),  h(u) = uⁿ/(uⁿ + θⁿ),  n = THRESHOLD_HILL (assumption)

G keeps its meaning (rise under continuous full blockade, the quantity measured in rodents).
"""

from __future__ import annotations

from typing import Final

from ldn.compile_options import _jit

# Steepness of the threshold law. ASSUMPTION: a switch-like response between "no significant
# upregulation" (0.5 mg pellet) and full upregulation (15 mg pellet) in Yoburn 1986; n = 8 makes
# g rise from 10 % to 90 % of its range within about ±25 % of θ. Not a measured value.
THRESHOLD_HILL: Final = 8.0


@_jit
def law_stimulus(u: float, law: int, theta: float) -> float:
    """g(u) of the `linear` (1) and `threshold` (2) laws for occupancy `u` (0–1)."""
    u = min(max(u, 0.0), 1.0)
    if law == 1:
        return u
    un = u**THRESHOLD_HILL
    tn = theta**THRESHOLD_HILL
    return float(un / (un + tn) * (1.0 + tn))


@_jit
def target_rate(x: float, target: float, k_up: float, k_down: float) -> float:
    """d/dt of `x` relaxing towards `target` with rate k_up when rising, k_down when falling."""
    return (target - x) * (k_up if target > x else k_down)
