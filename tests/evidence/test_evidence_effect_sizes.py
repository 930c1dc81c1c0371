"""Effect sizes against metafor `escalc` output, statsmodels, and hand derivations."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy import special, stats

from ldn.errors import InputError
from ldn.evidence import (
    effect_size_2x2,
    effect_size_md,
    effect_size_smd,
    hedges_correction,
    se_from_ci,
    smd_crossover_from_p,
    smd_from_log_or,
    smd_from_md_ci,
    smd_from_p,
)

from .results import results_metafor as ref


def test_smd_matches_metafor_escalc_chen_peace() -> None:
    """metafor escalc("SMD") (exact correction, vtype "LS"), values to 1e-12."""
    m1, sd1, n1, m2, sd2, n2 = ref.CHEN_PEACE.T
    g, v = effect_size_smd(m1, sd1, n1, m2, sd2, n2)
    assert_allclose(g, ref.CHEN_PEACE_YI, rtol=1e-12)
    assert_allclose(v, ref.CHEN_PEACE_VI_LS, rtol=1e-12)


@pytest.mark.parametrize(
    ("measure", "yi", "vi"),
    [
        ("OR", ref.FINE_OR_YI, ref.FINE_OR_VI),
        ("RR", ref.FINE_RR_YI, ref.FINE_RR_VI),
        ("RD", ref.FINE_RD_YI, ref.FINE_RD_VI),
    ],
)
def test_2x2_matches_metafor_escalc_fine1993(measure: str, yi: np.ndarray, vi: np.ndarray) -> None:
    a, n1, c, n2 = ref.FINE.T
    y, v = effect_size_2x2(a, n1, c, n2, measure)  # type: ignore[arg-type]
    assert_allclose(y, yi, rtol=1e-12, atol=1e-15)
    assert_allclose(v, vi, rtol=1e-12)


def test_zero_cell_adds_one_half_only_to_that_table() -> None:
    y, v = effect_size_2x2([0, 5], [10, 10], [3, 2], [10, 10], "OR")
    assert y[0] == pytest.approx(np.log(0.5 * 7.5 / (10.5 * 3.5)))
    assert v[0] == pytest.approx(1 / 0.5 + 1 / 10.5 + 1 / 3.5 + 1 / 7.5)
    assert y[1] == pytest.approx(np.log(5 * 8 / (5 * 2)))


def test_hedges_correction_exact_and_approximation() -> None:
    m = np.array([2.0, 5.0, 30.0, 500.0])
    exact = special.gamma(m[:3] / 2) / (np.sqrt(m[:3] / 2) * special.gamma((m[:3] - 1) / 2))
    assert_allclose(hedges_correction(m[:3]), exact, rtol=1e-13)
    assert hedges_correction(500.0) == pytest.approx(1 - 3 / (4 * 500 - 1), rel=1e-6)


def test_md_variance_is_unpooled() -> None:
    y, v = effect_size_md(10, 2, 20, 8, 4, 10)
    assert y[0] == 2 and v[0] == pytest.approx(4 / 20 + 16 / 10)


def test_from_reported_statistics() -> None:
    assert se_from_ci(-0.95, 0.27) == pytest.approx(1.22 / (2 * stats.norm.isf(0.025)))
    # MD + CI → SMD: d = MD / (SE / sqrt(1/n1 + 1/n2)); FINAL trial: |d| reported 0.23
    g, _ = smd_from_md_ci(-0.34, -0.95, 0.27, 49, 50)
    d = g / hedges_correction(97)
    assert abs(d) == pytest.approx(0.23, abs=0.015)  # Bruun 2024: "Cohen's d 0·23" (2 dp)
    # p → t → d for parallel groups round-trips through the t-test
    g, v = smd_from_p(0.04, 30, 30)
    d = g / hedges_correction(58)
    t = d / np.sqrt(1 / 30 + 1 / 30)
    assert 2 * stats.t.sf(t, 58) == pytest.approx(0.04, rel=1e-10)
    # crossover: r = 0.5 makes √(2(1−r)) = 1, so d = d_z = t/√n
    g, v = smd_crossover_from_p(0.016, 31, 0.5)
    assert g / hedges_correction(30) == pytest.approx(stats.t.isf(0.008, 30) / np.sqrt(31))
    assert v == pytest.approx(1 / 31 + g**2 / 62)
    g_neg, _ = smd_crossover_from_p(0.016, 31, 0.5, sign=-1)
    assert g_neg == -g
    lo, vlo = smd_from_log_or(np.log(2.0), 0.25)
    assert lo[0] == pytest.approx(np.log(2) * np.sqrt(3) / np.pi) and vlo[0] == pytest.approx(
        0.75 / np.pi**2
    )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: effect_size_2x2([5], [4], [1], [10]), "between 0 and their group size"),
        (lambda: effect_size_smd([1], [-1], [10], [1], [1], [10]), "must not be negative"),
        (lambda: effect_size_smd([1], [1], [0], [1], [1], [10]), "at least 1"),
        (lambda: se_from_ci(0.3, 0.1), "lower < upper"),
        (lambda: smd_from_p(1.2, 10, 10), "strictly between 0 and 1"),
        (lambda: smd_crossover_from_p(0.05, 10, 1.0), "must lie in"),
        (lambda: effect_size_md([np.nan], [1], [3], [1], [1], [3]), "missing or non-finite"),
    ],
)
def test_bad_inputs_are_explained(call: object, message: str) -> None:
    with pytest.raises(InputError, match=message):
        call()  # type: ignore[operator]


@settings(max_examples=80, deadline=None)
@given(
    st.floats(-50, 50),
    st.floats(0.5, 20),
    st.integers(2, 200),
    st.floats(-50, 50),
    st.floats(0.5, 20),
    st.integers(2, 200),
)
def test_smd_antisymmetry_and_positive_variance(
    m1: float, sd1: float, n1: int, m2: float, sd2: float, n2: int
) -> None:
    g, v = effect_size_smd(m1, sd1, n1, m2, sd2, n2)
    g2, v2 = effect_size_smd(m2, sd2, n2, m1, sd1, n1)
    assert g[0] == pytest.approx(-g2[0], abs=1e-12)
    assert v[0] == pytest.approx(v2[0]) and v[0] > 0
