"""Pooling estimators against metafor's published output, statsmodels, and direct optimisation."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy import optimize
from statsmodels.stats.meta_analysis import combine_effects

from ldn.errors import InputError
from ldn.evidence import (
    effect_size_2x2,
    effect_size_md,
    egger_test,
    leave_one_out,
    pool,
    subgroup_analysis,
)
from ldn.evidence.meta import _tau2_dl, _tau2_pm, _tau2_reml, reml_loglik

from .results import results_metafor as ref


def _bcg(measure: str) -> tuple[np.ndarray, np.ndarray]:
    a, b, c, d = ref.BCG.T
    return effect_size_2x2(a, a + b, c, c + d, measure)


def _check(res: object, expected: dict[str, float], atol: float) -> None:
    for key, value in expected.items():
        got = res.to_dict()[key] if key.endswith("_ratio") else getattr(res, key)
        assert got == pytest.approx(value, abs=atol), key


# metafor prints 4 decimals: agreement to half a unit in the last place (5e-5), I² (percent)
# and H² to 2 decimals where that is what was printed.
@pytest.mark.parametrize(
    ("measure", "method", "expected"),
    [
        ("RR", "FE", ref.BCG_RR_FE),
        ("RR", "DL", ref.BCG_RR_DL),
        ("OR", "FE", ref.BCG_OR_FE),
        ("OR", "DL", ref.BCG_OR_DL),
        ("RD", "FE", ref.BCG_RD_FE),
        ("RD", "DL", ref.BCG_RD_DL),
    ],
)
def test_bcg_matches_metafor_fe_dl(measure: str, method: str, expected: dict[str, float]) -> None:
    yi, vi = _bcg(measure)
    _check(pool(yi, vi, method, measure=measure), expected, atol=5.1e-5)


def test_bcg_reml_matches_metafor_printed_output() -> None:
    yi, vi = _bcg("RR")
    res = pool(yi, vi, "REML", measure="RR")
    exp = dict(ref.BCG_RR_REML)
    i2, h2 = exp.pop("i2"), exp.pop("h2")
    _check(res, exp, atol=5.1e-5)
    assert res.i2 == pytest.approx(i2, abs=0.005)
    assert res.h2 == pytest.approx(h2, abs=0.005)
    assert res.tau2_converged


def test_bcg_reml_knha_and_prediction_interval_match_metafor() -> None:
    yi, vi = _bcg("RR")
    res = pool(yi, vi, "REML", hksj=True, measure="RR")
    exp = dict(ref.BCG_RR_REML_KNHA)
    pi_lo, pi_hi = exp.pop("pi_low_ratio"), exp.pop("pi_high_ratio")
    _check(res, exp, atol=5.1e-5)
    # predict(res, transf=exp, digits=2): t(k-1) quantile with test="knha"
    assert res.to_dict()["pi_low_ratio"] == pytest.approx(pi_lo, abs=0.005)
    assert res.to_dict()["pi_high_ratio"] == pytest.approx(pi_hi, abs=0.005)
    assert res.df == 12


@pytest.mark.parametrize(
    ("method", "expected"),
    [("FE", ref.NORMAND_FE), ("DL", ref.NORMAND_DL), ("REML", ref.NORMAND_REML)],
)
def test_normand_1999_table_ix(method: str, expected: dict[str, float]) -> None:
    """Normand (1999) Table IX, 2 decimals as published (atol 0.005)."""
    n1, m1, sd1, n2, m2, sd2 = ref.NORMAND.T
    sdp = np.sqrt(((n1 - 1) * sd1**2 + (n2 - 1) * sd2**2) / (n1 + n2 - 2))
    yi, vi = effect_size_md(m1, sdp, n1, m2, sdp, n2)
    assert_allclose(yi, ref.NORMAND_YI)
    assert_allclose(np.round(vi, 2), ref.NORMAND_VI_2DP)
    _check(pool(yi, vi, method, measure="MD"), expected, atol=0.0051)


@pytest.mark.parametrize(
    ("method", "hksj", "expected", "atol"),
    [
        ("PM", False, ref.KACKER_PM, 1e-8),  # metafor PM at tol=1e-9
        ("DL", False, ref.KACKER_DL, 1e-9),  # I² in percent: 1e-9
        ("DL", True, ref.KACKER_DL_KNHA, 1e-10),
        ("FE", False, ref.KACKER_FE, 1e-9),
        ("FE", True, ref.KACKER_FE_KNHA, 1e-10),
    ],
)
def test_kacker_2004_matches_metafor_full_precision(
    method: str, hksj: bool, expected: dict[str, float], atol: float
) -> None:
    res = pool(ref.KACKER_Y, ref.KACKER_V, method, hksj=hksj)
    _check(res, expected, atol=atol)


def _sm_cases() -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(20261125)
    cases = [_bcg("RR"), _bcg("OR"), (ref.KACKER_Y, ref.KACKER_V)]
    for k in (3, 7, 20):
        v = rng.uniform(0.01, 0.5, k)
        cases.append((rng.normal(0.3, np.sqrt(v + 1.0)), v))
    return cases


@pytest.mark.parametrize("case", range(6))
def test_matches_statsmodels_combine_effects(case: int) -> None:
    """FE, DL and PM against statsmodels `combine_effects` (≤ 1e-8)."""
    yi, vi = _sm_cases()[case]
    fe = pool(yi, vi, "FE")
    dl = pool(yi, vi, "DL")
    pm = pool(yi, vi, "PM")
    sm_dl = combine_effects(yi, vi, method_re="dl")
    sm_pm = combine_effects(yi, vi, method_re="pm", atol=1e-13, maxiter=500)
    assert fe.estimate == pytest.approx(sm_dl.mean_effect_fe, abs=1e-10)
    assert fe.se == pytest.approx(sm_dl.sd_eff_w_fe, abs=1e-10)
    assert fe.q == pytest.approx(sm_dl.q, abs=1e-8)
    assert sm_dl.tau2 > 0  # statsmodels does not clip DL at 0; every case here is heterogeneous
    assert dl.tau2 == pytest.approx(sm_dl.tau2, abs=1e-10)
    assert dl.estimate == pytest.approx(sm_dl.mean_effect_re, abs=1e-10)
    assert dl.se == pytest.approx(sm_dl.sd_eff_w_re, abs=1e-10)
    assert dl.i2 / 100 == pytest.approx(sm_dl.i2, abs=1e-10)  # DL: τ²-based I² = (Q−df)/Q
    assert pm.tau2 == pytest.approx(sm_pm.tau2, abs=1e-8)
    assert pm.estimate == pytest.approx(sm_pm.mean_effect_re, abs=1e-8)
    assert pm.se == pytest.approx(sm_pm.sd_eff_w_re, abs=1e-8)
    hk = pool(yi, vi, "PM", hksj=True)
    assert hk.se == pytest.approx(np.sqrt(sm_pm.var_hksj_re), abs=1e-8)


def test_dl_closed_form_and_reml_is_the_likelihood_maximum() -> None:
    yi, vi = _bcg("RR")
    w = 1 / vi
    mu = (w * yi).sum() / w.sum()
    q = (w * (yi - mu) ** 2).sum()
    closed = (q - (yi.size - 1)) / (w.sum() - (w**2).sum() / w.sum())
    assert _tau2_dl(yi, vi)[0] == pytest.approx(closed, rel=1e-14)
    tau2, ok = _tau2_reml(yi, vi)
    opt = optimize.minimize_scalar(
        lambda t: -reml_loglik(yi, vi, t),
        bounds=(0, 5),
        method="bounded",
        options={"xatol": 1e-12},
    )
    assert ok and tau2 == pytest.approx(opt.x, abs=1e-7)


def test_tau2_is_zero_for_homogeneous_data() -> None:
    yi = np.array([0.1, 0.1001, 0.0999, 0.1])
    vi = np.array([0.1, 0.2, 0.1, 0.3])
    for fn in (_tau2_dl, _tau2_reml, _tau2_pm):
        tau2, ok = fn(yi, vi)
        assert tau2 == 0.0 and ok


def test_egger_equals_weighted_regression_on_se() -> None:
    """Egger's intercept equals the slope on SE in WLS of yi on (1, SEi) with weights 1/vi."""
    yi, vi = _bcg("RR")
    eg = egger_test(yi, vi)
    se = np.sqrt(vi)
    wls = sm.WLS(yi, np.column_stack([np.ones_like(se), se]), weights=1 / vi).fit()
    assert eg.intercept == pytest.approx(wls.params[1], rel=1e-10)
    assert eg.t == pytest.approx(wls.tvalues[1], rel=1e-10)
    assert eg.df == yi.size - 2


def test_leave_one_out_and_subgroups() -> None:
    yi, vi = _bcg("RR")
    res = pool(yi, vi, "DL", labels=[f"t{i}" for i in range(13)])
    loo = leave_one_out(res)
    assert list(loo.index) == [f"t{i}" for i in range(13)]
    direct = pool(np.delete(yi, 3), np.delete(vi, 3), "DL")
    assert loo.loc["t3", "estimate"] == pytest.approx(direct.estimate, abs=1e-14)
    groups = ["a"] * 6 + ["b"] * 7
    sg = subgroup_analysis(yi, vi, groups, "DL")
    a = pool(yi[:6], vi[:6], "DL")
    assert sg.groups["a"].estimate == pytest.approx(a.estimate)
    assert sg.df == 1 and 0 <= sg.pvalue <= 1
    assert sg.summary_frame().shape[0] == 2


@pytest.mark.parametrize(
    ("yi", "vi", "message"),
    [
        ([0.1], [0.1], "at least 2 studies"),
        ([0.1, 0.2], [0.1, 0.0], "must be > 0"),
        ([0.1, np.nan], [0.1, 0.1], "not finite"),
        ([0.1, 0.2], [0.1], "equal length"),
    ],
)
def test_bad_pool_inputs_name_the_problem(yi: list[float], vi: list[float], message: str) -> None:
    with pytest.raises(InputError, match=message):
        pool(yi, vi)


def test_bad_method_is_refused() -> None:
    with pytest.raises(InputError, match="not one of FE, DL, REML, PM"):
        pool([0.1, 0.2], [0.1, 0.1], "ML")  # type: ignore[arg-type]


def test_result_frame_and_plots() -> None:
    import matplotlib.pyplot as plt

    yi, vi = _bcg("RR")
    res = pool(yi, vi, measure="RR", labels=[str(i) for i in range(13)])
    frame = res.summary_frame()
    assert frame.shape == (14, 4)
    assert frame["effect"].iloc[-1] == pytest.approx(np.exp(res.estimate))
    assert frame["weight_pct"].iloc[:-1].sum() == pytest.approx(100)
    ax = res.plot_forest(title="BCG")
    assert ax.get_xscale() == "log"
    ax2 = res.plot_funnel()
    assert ax2.get_ylim()[0] > ax2.get_ylim()[1]  # inverted SE axis
    plt.close("all")


_effects = st.lists(
    st.tuples(st.floats(-3, 3, allow_nan=False), st.floats(0.005, 2.0, allow_nan=False)),
    min_size=2,
    max_size=15,
)


@settings(max_examples=60, deadline=None)
@given(_effects, st.sampled_from(["FE", "DL", "REML", "PM"]), st.randoms(use_true_random=False))
def test_pool_invariants(data: list[tuple[float, float]], method: str, rnd: object) -> None:
    yi = np.array([d[0] for d in data])
    vi = np.array([d[1] for d in data])
    res = pool(yi, vi, method)  # type: ignore[arg-type]
    assert res.tau2 >= 0
    assert 0 <= res.i2 < 100 or (method == "FE" and res.i2 == 0)
    assert yi.min() - 1e-9 <= res.estimate <= yi.max() + 1e-9
    assert res.ci_low <= res.estimate <= res.ci_high
    assert res.pi_low <= res.ci_low + 1e-12 and res.pi_high >= res.ci_high - 1e-12
    perm = np.arange(yi.size)
    rnd.shuffle(perm)  # type: ignore[attr-defined]
    again = pool(yi[perm], vi[perm], method)  # type: ignore[arg-type]
    assert again.estimate == pytest.approx(res.estimate, abs=1e-9)
    assert again.tau2 == pytest.approx(res.tau2, abs=1e-9)
