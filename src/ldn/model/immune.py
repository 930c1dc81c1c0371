"""Immune module: opioid signalling → lymphocyte proliferation → cytokine (inflammation) index.

All quantities are relative to the untreated state (= 1). Equations (docs/model.md part II,
section "Immune"):

- Inhibition of lymphocyte proliferation by opioid signalling `S` (OGF–OGFr and MOR tone;
  Zagon 2011: OGF suppresses T and B lymphocytes, up to 43 % for B cells; Cheng 2009: up to 40 %
  in normal human cells): `I(S) = E·S/(S + S50)`.
- Proliferation relaxes towards `P* = (1 − I(S)) / (1 − I(S_base(t)))` with time constant
  `τ_L`: exactly 1 untreated, above 1 while receptors are blocked (acute disinhibition,
  Manfredi 1993) and below 1 when rebound signalling exceeds baseline.
- Cytokine index relaxes towards `C* = P^γ · (1 − E_tlr4·θ_tlr4)` with time constant `τ_C`, where
  `θ_tlr4 = c_u/(c_u + IC50)` is the occupancy of TLR4 by unbound naltrexone + 6β-naltrexol
  (the alternative microglial mechanism; off unless `E_tlr4 > 0`).
"""

from __future__ import annotations

from ldn.compile_options import _jit


@_jit
def proliferation_inhibition(s: float, emax: float, s50: float) -> float:
    """Fraction (0–emax) of lymphocyte proliferation inhibited at relative signalling `s`."""
    s_pos = max(s, 0.0)
    return emax * s_pos / (s_pos + s50)


@_jit
def tlr4_occupancy(conc_unbound_nM: float, ic50_nM: float) -> float:
    """TLR4 occupancy (0–1) by unbound drug at `conc_unbound_nM` (nmol/L) for IC50 in nmol/L."""
    c = max(conc_unbound_nM, 0.0)
    if c == 0.0:  # exactly c/(c + IC50); skips a division when the TLR4 path is off
        return 0.0
    return c / (c + ic50_nM)


@_jit
def inverse_free_fraction(s: float, emax: float, s50: float) -> float:
    """1/(1 − I(s)) = (s + s50)/((1 − emax)·s + s50) for signalling `s` (one division)."""
    s_pos = max(s, 0.0)
    return (s_pos + s50) / ((1.0 - emax) * s_pos + s50)


@_jit
def immune_rates_scaled(
    proliferation: float,
    cytokine: float,
    s_net: float,
    s_base: float,
    inv_free_base: float,
    tlr4_factor: float,
    emax: float,
    s50: float,
    gamma: float,
    k_lymph_per_h: float,
    k_cytokine_per_h: float,
) -> tuple[float, float]:
    """`immune_rates` with its per-time and per-patient parts precomputed.

    inv_free_base = `inverse_free_fraction(s_base)` (depends on time only), tlr4_factor =
    1 − E_tlr4·θ_tlr4 (time and drive only), k_lymph_per_h = 1/τ_L, k_cytokine_per_h = 1/τ_C
    (per patient). Same equations, multiplications in place of divisions; P* is exactly 1 when
    S_net = S_base, as (1 − I)/(1 − I) is, so the untreated state stays at rest bit for bit.
    """
    if s_net == s_base:
        target_p = 1.0
    else:
        target_p = (1.0 - proliferation_inhibition(s_net, emax, s50)) * inv_free_base
    p_pos = max(proliferation, 0.0)
    target_c = (p_pos if gamma == 1.0 else p_pos**gamma) * tlr4_factor
    return (target_p - proliferation) * k_lymph_per_h, (target_c - cytokine) * k_cytokine_per_h


@_jit
def immune_rates(
    proliferation: float,
    cytokine: float,
    s_net: float,
    s_base: float,
    tlr4_occ: float,
    emax: float,
    s50: float,
    lymph_tau_h: float,
    gamma: float,
    cytokine_tau_h: float,
    tlr4_emax: float,
) -> tuple[float, float]:
    """(dP/dt, dC/dt) in 1/h for proliferation index P and cytokine index C."""
    return immune_rates_scaled(
        proliferation, cytokine, s_net, s_base, inverse_free_fraction(s_base, emax, s50),
        1.0 - tlr4_emax * tlr4_occ, emax, s50, gamma, 1.0 / lymph_tau_h, 1.0 / cytokine_tau_h,
    )  # fmt: skip
