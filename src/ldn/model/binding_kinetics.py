"""Non-equilibrium binding of two competing antagonists at one receptor (variant (a)).

With fractional occupancies o1 (naltrexone) and o2 (6β-naltrexol), unbound brain concentrations
L1, L2 (nM), dissociation constants K1, K2 (nM) and a common dissociation rate k_off (1/h),
association rates k_on,i = k_off/K_i:

    do1/dt = k_on,1·L1·(1 − o1 − o2) − k_off·o1
    do2/dt = k_on,2·L2·(1 − o1 − o2) − k_off·o2

At fast k_off this tends to the equilibrium formula of `ldn.model.receptors`.  Between grid
points L is held at the interval mean, so each step is the exact solution of a linear 2×2 system
o' = a − M·o:  o(t+h) = o* + expm(−M h)(o − o*),  o* = M⁻¹a  (M has real eigenvalues because
its off-diagonal entries are non-negative).  The grid must resolve the concentration curve
(callers use ≤ 0.05 h).
"""

from __future__ import annotations

import numpy as np

from ldn.compile_options import _jit
from ldn.types import FloatArray


@_jit
def _step(o1: float, o2: float, p: float, r: float, koff: float, h: float) -> tuple[float, float]:
    """One exact step with M = [[p+koff, p], [r, r+koff]], a = [p, r]."""
    m11, m12, m21, m22 = p + koff, p, r, r + koff
    det = m11 * m22 - m12 * m21
    s1 = (p * m22 - m12 * r) / det
    s2 = (m11 * r - m21 * p) / det
    mu = 0.5 * (m11 + m22)
    disc = 0.25 * (m11 - m22) ** 2 + m12 * m21
    delta = np.sqrt(max(disc, 0.0))
    # expm(−M h) = e^{−μh}[cosh(δh) I − sinh(δh)/δ (M − μ I)], with e^{−μh} taken into the
    # exponentials (0 ≤ δ < μ): at fast binding cosh(δh) alone overflows (inf × 0 = nan)
    slow = np.exp((delta - mu) * h)
    fast = np.exp(-(delta + mu) * h)
    e_ch = 0.5 * (slow + fast)
    e_sh_d = np.exp(-mu * h) * h if delta * h < 1e-8 else 0.5 * (slow - fast) / delta
    d1, d2 = o1 - s1, o2 - s2
    n1 = e_ch * d1 - e_sh_d * ((m11 - mu) * d1 + m12 * d2)
    n2 = e_ch * d2 - e_sh_d * (m21 * d1 + (m22 - mu) * d2)
    return s1 + n1, s2 + n2


@_jit
def kinetic_occupancy(
    t_h: FloatArray,
    l1_nm: FloatArray,
    l2_nm: FloatArray,
    k1_nm: FloatArray,
    k2_nm: FloatArray,
    koff_per_h: FloatArray,
) -> FloatArray:
    """Total occupancy o1 + o2 on grid `t_h` (n_t,) for patients (n_p, n_t); starts unoccupied."""
    n_p, n_t = l1_nm.shape
    out = np.zeros((n_p, n_t))
    for i in range(n_p):
        o1 = 0.0
        o2 = 0.0
        kon1 = koff_per_h[i] / k1_nm[i]
        kon2 = koff_per_h[i] / k2_nm[i]
        for j in range(1, n_t):
            h = t_h[j] - t_h[j - 1]
            p = kon1 * 0.5 * (l1_nm[i, j - 1] + l1_nm[i, j])
            r = kon2 * 0.5 * (l2_nm[i, j - 1] + l2_nm[i, j])
            if h > 0.0:
                o1, o2 = _step(o1, o2, p, r, koff_per_h[i], h)
            out[i, j] = o1 + o2
    return out
