"""Endogenous-opioid rebound: receptor density and ligand production adapting to blockade.

All quantities are relative to the untreated steady state (= 1). Time is in hours; `t_h = 0` is
00:00 on the first day (docs/architecture.md), so `t_h mod 24` is the clock time.

Equations (docs/model.md part II, section "Rebound"):

- Circadian β-endorphin release, a cosine with the measured amplitude and acrophase
  (Iranmanesh 1989: amplitude 23 % of the 24-h mean, acrophase 10:43):
  `c(t) = 1 + a·cos(2π (t − φ) / 24)`; its 24-h mean is exactly 1.
- OGF-receptor occupancy from MOR occupancy `o` for a drug whose OGFr affinity is `r` times its
  MOR affinity (one competitive site each, same free concentration):
  `o_ogfr = r·o / (1 + (r − 1)·o)`.
- Adaptation of a receptor density or ligand production capacity `x` to the fraction `u` of its
  receptors that the drug occupies (the drug as a pharmacological chaperone / loss of feedback):
  `dx/dt = k_up·u·(x_cap − x) − k_down·(x − 1)`, `x_cap = 1 + G·(1 + k_down/k_up)`,
  which makes `G` the steady-state rise under continuous full blockade (the quantity measured in
  rodents, +55 to +90 % for MOR) and saturates in the mean occupancy: under constant `u`,
  `x_ss = 1 + G·u·(1 + u50)/(u + u50)` with `u50 = k_down/k_up`.
- Signalling through a receptor pool = ligand × free receptors:
  `S_mor = P_be·c(t)·R_mor·(1 − o)`, `S_ogf = P_ogf·R_ogfr·(1 − o_ogfr)`, and the net signal
  `S = w·S_mor + (1 − w)·S_ogf`; untreated, `S_base(t) = w·c(t) + (1 − w)` with a 24-h mean of 1.

Ligand kinetics (half-lives of minutes: β-endorphin 37 min, met-enkephalin minutes) are treated as
quasi-steady, so free ligand is proportional to production and the ODE is not stiff.
"""

from __future__ import annotations

import math

from ldn.compile_options import _jit
from ldn.units import H_PER_DAY

_TWO_PI_OVER_DAY = 2.0 * math.pi / H_PER_DAY
_DAY_PER_H = 1.0 / H_PER_DAY


@_jit
def circadian(t_h: float, amplitude: float, acrophase_h: float) -> float:
    """Relative β-endorphin release at clock time `t_h` (24-h mean 1)."""
    # reduce to one day first (floor, not %, which is slow in Numba): cos is faster on [0, 2π);
    # multiplying by 1/24 instead of dividing only moves a day boundary by rounding (cos is
    # periodic, so the value is unchanged to rounding)
    x = t_h - acrophase_h
    x -= H_PER_DAY * math.floor(x * _DAY_PER_H)
    return 1.0 + amplitude * math.cos(_TWO_PI_OVER_DAY * x)


@_jit
def ogfr_occupancy(mor_occupancy: float, affinity_rel: float) -> float:
    """OGFr occupancy (0–1) implied by MOR occupancy for OGFr/MOR affinity ratio `affinity_rel`."""
    o = min(max(mor_occupancy, 0.0), 1.0)
    return affinity_rel * o / (1.0 + (affinity_rel - 1.0) * o)


@_jit
def adaptation_cap(gain: float, k_up_per_h: float, k_down_per_h: float) -> float:
    """Ceiling `x_cap = 1 + G·(1 + k_down/k_up)` of the adaptation (a per-patient constant)."""
    return 1.0 + gain * (1.0 + k_down_per_h / k_up_per_h)


@_jit
def adaptation_rate_capped(
    x: float, occupancy: float, x_cap: float, k_up_per_h: float, k_down_per_h: float
) -> float:
    """`adaptation_rate` given its ceiling `x_cap` (`adaptation_cap`), computed once per patient."""
    return k_up_per_h * occupancy * (x_cap - x) - k_down_per_h * (x - 1.0)


@_jit
def adaptation_rate(
    x: float, occupancy: float, gain: float, k_up_per_h: float, k_down_per_h: float
) -> float:
    """d/dt of a relative density/production `x` (1/h) driven by occupancy (0–1)."""
    x_cap = adaptation_cap(gain, k_up_per_h, k_down_per_h)
    return adaptation_rate_capped(x, occupancy, x_cap, k_up_per_h, k_down_per_h)


@_jit
def signalling(
    t_h: float,
    mor_occupancy: float,
    mor_density: float,
    ogfr_density: float,
    be_production: float,
    ogf_production: float,
    ogfr_affinity_rel: float,
    mor_weight: float,
    be_amplitude: float,
    be_acrophase_h: float,
) -> tuple[float, float, float, float]:
    """(S_mor, S_ogf, S_net, S_base): signalling relative to the untreated 24-h mean."""
    c = circadian(t_h, be_amplitude, be_acrophase_h)
    o = min(max(mor_occupancy, 0.0), 1.0)
    o_ogfr = ogfr_occupancy(o, ogfr_affinity_rel)
    s_mor = be_production * c * mor_density * (1.0 - o)
    s_ogf = ogf_production * ogfr_density * (1.0 - o_ogfr)
    s_net = mor_weight * s_mor + (1.0 - mor_weight) * s_ogf
    s_base = mor_weight * c + (1.0 - mor_weight)
    return s_mor, s_ogf, s_net, s_base
