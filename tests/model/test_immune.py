"""Immune module: proliferation inhibition, TLR4 plausibility at LDN vs 50 mg."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ldn.model.chain import parameter_matrix
from ldn.model.exposure import exposure
from ldn.model.immune import immune_rates, proliferation_inhibition, tlr4_occupancy
from ldn.parameters import default_parameters
from ldn.simulation.scenarios import headline


@settings(deadline=None)
# subnormal emax (e.g. 5e-324) underflows to 0 in emax·s/(s + s50): not a model property
@given(
    s=st.floats(0.0, 10.0),
    emax=st.floats(0.0, 0.99, allow_subnormal=False),
    s50=st.floats(0.01, 10.0),
)
def test_inhibition_is_bounded_and_monotone(s: float, emax: float, s50: float) -> None:
    i = proliferation_inhibition(s, emax, s50)
    assert 0.0 <= i <= emax
    assert proliferation_inhibition(s + 0.1, emax, s50) >= i


def test_untreated_immune_state_is_at_rest() -> None:
    dp, dc = immune_rates(1.0, 1.0, 1.1, 1.1, 0.0, 0.4, 1.0, 48.0, 1.0, 24.0, 0.0)
    assert (dp, dc) == (0.0, 0.0)


def test_rebound_signalling_lowers_and_blockade_raises_proliferation() -> None:
    up, _ = immune_rates(1.0, 1.0, 1.2, 1.0, 0.0, 0.4, 1.0, 48.0, 1.0, 24.0, 0.0)
    down, _ = immune_rates(1.0, 1.0, 0.5, 1.0, 0.0, 0.4, 1.0, 48.0, 1.0, 24.0, 0.0)
    assert up < 0.0 < down  # Manfredi 1993: chronic (upregulated) inhibits, acute blockade frees


def test_tlr4_occupancy_is_negligible_at_ldn_and_small_at_50_mg() -> None:
    """mechanism.md G3: ~3.5 nM vs IC50 >= 10 µM → TLR4 occupancy well below 0.1 %."""
    from ldn.regimen import daily

    p = default_parameters()
    ic50 = p.value("immune.tlr4_ic50_nM")
    t = np.arange(13 * 24.0, 14 * 24.0, 0.25)
    peaks = {}
    for dose in (4.5, 50.0):
        e = exposure(daily(dose, at="22:00").events(until_h=14 * 24.0), t, p)
        unbound = e.naltrexone_unbound_nM + e.naltrexol_unbound_nM
        peaks[dose] = max(tlr4_occupancy(float(c), ic50) for c in unbound)
    assert peaks[4.5] < 1e-3
    assert peaks[50.0] < 1e-2
    assert peaks[50.0] > 5 * peaks[4.5]


def test_switching_tlr4_on_changes_ldn_outcome_by_little() -> None:
    p = default_parameters()
    off = headline("crohns", p, tlr4=False).vs_placebo["cdai"]["ldn_bedtime"]
    on = headline("crohns", p, tlr4=True).vs_placebo["cdai"]["ldn_bedtime"]
    assert on <= off  # TLR4 antagonism can only lower cytokines
    assert abs(on - off) < 0.05 * abs(off)
    assert parameter_matrix(p, "crohns", tlr4=False)[0, 17] == 0.0
