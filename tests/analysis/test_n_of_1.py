"""N-of-1 posterior: exactness against independent oracles, calibration, edge cases, plot.

Oracles: statsmodels OLS (ρ = 0, flat priors: the posterior of δ is Student-t with the OLS
estimate, SE and n − 3 df), statsmodels GLS with the dense AR(1) correlation matrix (fixed ρ),
and a brute-force numerical integration of the joint posterior over (δ, σ, ρ) using dense
multivariate-normal densities (no whitening, no conjugate algebra).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import stats

from ldn.analysis.course import (
    NOf1Settings,
    PatientCourse,
    analyse_course,
    analyse_patient,
    on_flags,
)
from ldn.analysis.n_of_1 import DAYS_PER_YEAR, DeltaPrior, analyse, sceptical_prior
from ldn.errors import InputError
from ldn.figures import figure_png, figure_svg
from ldn.report.n_of_1_plot import analysis_figure, plot_course
from ldn.scales import get_scale

FLAT = DeltaPrior(0.0, math.inf, "flat")
DAS28 = get_scale("das28")


def _series(
    rng: np.random.Generator,
    n: int,
    *,
    delta: float = -1.5,
    rho: float = 0.0,
    sigma: float = 0.6,
    slope_per_year: float = 0.2,
    span_days: int = 500,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Irregular assessment days, OU/AR(1) noise with correlation ρ per median spacing."""
    t = np.sort(rng.choice(np.arange(span_days), size=n, replace=False)).astype(float)
    on = (t > t[n // 3]).astype(float)
    lag = np.diff(t) / np.median(np.diff(t))
    e = np.empty(n)
    e[0] = rng.normal(0, sigma)
    for i in range(1, n):
        phi = rho ** lag[i - 1]
        e[i] = phi * e[i - 1] + math.sqrt(1 - phi**2) * rng.normal(0, sigma)
    y = 5.0 + slope_per_year * (t - t[0]) / DAYS_PER_YEAR + delta * on + e
    return t, y, on


@dataclass(frozen=True)
class _Scale:
    """A 0-10 scale, lower is better, MID 1.2 (the analysis reads only these four)."""

    mid: float = 1.2
    min: float = 0.0
    max: float = 10.0
    lower_is_better: bool = True


def _fit(t, y, on, *, mid=1.2, lower_is_better=True, **kw):
    base = {"scale": _Scale(mid=mid, lower_is_better=lower_is_better), "delta_prior": FLAT}
    base.update(kw)
    return analyse(t, y, on, **base)


def _design(t, on):
    return np.column_stack([np.ones_like(t), (t - t[0]) / DAYS_PER_YEAR, on])


def test_rho_zero_flat_priors_match_ols():
    rng = np.random.default_rng(11)
    t, y, on = _series(rng, 14)
    res = _fit(
        t, y, on, rho_grid=np.array([0.0]), intercept_sd=math.inf, slope_sd_per_year=math.inf
    )
    ols = sm.OLS(y, _design(t, on)).fit()
    df = len(y) - 3
    assert res.delta_mean == pytest.approx(ols.params[2], abs=1e-9)
    # Student-t posterior: sd = SE·sqrt(df/(df-2)); CrI = OLS confidence interval
    assert res.delta_sd == pytest.approx(ols.bse[2] * math.sqrt(df / (df - 2)), rel=1e-6)
    np.testing.assert_allclose(res.delta_ci95, ols.conf_int()[2], atol=1e-7)
    assert res.delta_posterior.cdf(-1.2) == pytest.approx(
        stats.t.cdf((-1.2 - ols.params[2]) / ols.bse[2], df), abs=1e-7
    )


@pytest.mark.parametrize(("correlation", "rho"), [("ou", 0.7), ("equal", -0.5), ("equal", 0.4)])
def test_fixed_rho_matches_gls(correlation, rho):
    rng = np.random.default_rng(5)
    t, y, on = _series(rng, 16, rho=0.5)
    res = _fit(
        t,
        y,
        on,
        rho_grid=np.array([rho]),
        correlation=correlation,
        intercept_sd=math.inf,
        slope_sd_per_year=math.inf,
    )
    if correlation == "ou":
        lag = np.abs(np.subtract.outer(t, t)) / np.median(np.diff(t))
    else:
        idx = np.arange(len(t))
        lag = np.abs(np.subtract.outer(idx, idx))
    gls = sm.GLS(y, _design(t, on), sigma=rho**lag).fit()
    assert res.delta_mean == pytest.approx(gls.params[2], abs=1e-9)
    np.testing.assert_allclose(res.delta_ci95, gls.conf_int()[2], atol=1e-7)


def _brute_force(t, y, on, rho_grid, prior_sd, prior_mean, mid):
    """p(δ | y) on a grid: dense MVN likelihood with a, b integrated, quadrature over σ and ρ."""
    x_ab = _design(t, on)[:, :2]
    v_ab = x_ab @ np.diag(prior_sd[:2] ** 2) @ x_ab.T
    resid0 = y - x_ab @ prior_mean[:2]
    lag = np.abs(np.subtract.outer(t, t)) / np.median(np.diff(t))
    log_sigma = np.linspace(math.log(0.02), math.log(50.0), 1500)
    delta = np.linspace(-8.0, 6.0, 2801)
    log_post = np.full(delta.shape, -np.inf)
    prior_lp = stats.norm.logpdf(delta, prior_mean[2], prior_sd[2])
    for rho in rho_grid:
        cov = np.exp(2 * log_sigma)[:, None, None] * (rho**lag)[None] + v_ab[None]
        chol = np.linalg.cholesky(cov)  # (S, n, n)
        w0 = np.linalg.solve(chol, np.broadcast_to(resid0, (log_sigma.size, y.size))[..., None])
        w1 = np.linalg.solve(chol, np.broadcast_to(on, (log_sigma.size, y.size))[..., None])
        w0, w1 = w0[..., 0], w1[..., 0]  # (S, n)
        # Σ_i (w0 - δ w1)² = A - 2δB + δ²C for every σ
        a, b, c = (w0**2).sum(1), (w0 * w1).sum(1), (w1**2).sum(1)
        quad = a[:, None] - 2 * delta[None] * b[:, None] + delta[None] ** 2 * c[:, None]
        logdet = 2 * np.sum(np.log(np.diagonal(chol, axis1=1, axis2=2)), axis=1)
        lp = -0.5 * quad - 0.5 * logdet[:, None] + prior_lp[None]  # flat in log σ (Jeffreys)
        log_post = np.logaddexp(log_post, np.logaddexp.reduce(lp, axis=0))
    dens = np.exp(log_post - log_post.max())
    dens /= np.trapezoid(dens, delta)
    mean = np.trapezoid(delta * dens, delta)
    sd = math.sqrt(np.trapezoid((delta - mean) ** 2 * dens, delta))
    below = delta <= -mid
    p_improve = np.trapezoid(dens[below], delta[below])
    return mean, sd, p_improve


def test_marginal_posterior_matches_brute_force_integration():
    rng = np.random.default_rng(21)
    t, y, on = _series(rng, 10, rho=0.5, delta=-1.3)
    rho_grid = np.linspace(0.0, 0.9, 7)
    prior = DeltaPrior(-0.3, 2.0, "test")
    res = _fit(t, y, on, rho_grid=rho_grid, delta_prior=prior)
    mean, sd, p_imp = _brute_force(
        t, y, on, rho_grid, np.array([10.0, 10.0, 2.0]), np.array([5.0, 0.0, -0.3]), 1.2
    )
    # quadrature error of the brute force (grid spacing 0.005 in δ, 0.005 in log σ) ~1e-5
    assert res.delta_mean == pytest.approx(mean, abs=2e-4)
    assert res.delta_sd == pytest.approx(sd, abs=2e-4)
    assert res.p_improvement_ge_mid == pytest.approx(p_imp, abs=2e-4)


def test_credible_interval_calibration():
    """200 seeded simulations with known δ: the 95 % CrI covers it 95 % ± 3 binomial SE."""
    rng = np.random.default_rng(2024)
    true_delta, n_sims = -1.5, 200
    wide = DeltaPrior(0.0, 20.0, "wide")
    hits = 0
    for _ in range(n_sims):
        t, y, on = _series(rng, 20, delta=true_delta, rho=0.4, sigma=0.6)
        lo, hi = _fit(t, y, on, delta_prior=wide).delta_ci95
        hits += lo <= true_delta <= hi
    se = math.sqrt(0.95 * 0.05 / n_sims)
    assert abs(hits / n_sims - 0.95) < 3 * se, f"coverage {hits / n_sims:.3f}"


def test_posterior_concentrates_on_true_delta():
    rng = np.random.default_rng(8)
    sds, errors = [], []
    for n in (20, 80, 320):
        t, y, on = _series(rng, n, delta=-1.0, rho=0.3, span_days=20 * n)
        res = _fit(t, y, on, delta_prior=sceptical_prior(1.2, 2.0))
        sds.append(res.delta_sd)
        errors.append(abs(res.delta_mean + 1.0))
    assert sds[0] > sds[1] > sds[2]
    assert sds[2] < 0.25 * sds[0]  # ~1/sqrt(n): 16× the data, ~4× narrower
    assert errors[2] < 3 * sds[2]


def test_direction_of_improvement_follows_scale():
    rng = np.random.default_rng(3)
    t, y, on = _series(rng, 12, delta=2.0)
    low = _fit(t, y, on, lower_is_better=True)
    high = _fit(t, y, on, lower_is_better=False)
    assert high.p_improvement_ge_mid == pytest.approx(1 - low.delta_posterior.cdf(1.2), abs=1e-12)
    assert low.p_improvement_ge_mid == pytest.approx(low.delta_posterior.cdf(-1.2), abs=1e-12)
    assert high.p_improvement_ge_mid > 0.9 > 0.1 > low.p_improvement_ge_mid
    assert low.p_worsening_ge_mid == pytest.approx(high.p_improvement_ge_mid, abs=1e-12)


def test_rho_posterior_is_a_distribution_over_the_grid():
    rng = np.random.default_rng(4)
    res = _fit(*_series(rng, 30, rho=0.8), delta_prior=sceptical_prior(1.2, 2.0))
    assert res.rho_grid.size == 41
    assert res.rho_posterior.sum() == pytest.approx(1.0)
    assert res.rho_mean > 0.3


# --- edge cases: clear InputErrors -------------------------------------------------------------


@given(n_off=st.integers(0, 6), n_on=st.integers(0, 6))
@settings(max_examples=30, deadline=None)
def test_too_few_assessments_names_the_minimum(n_off, n_on):
    assume(n_off < 2 or n_on < 2)
    t = np.arange(n_off + n_on, dtype=float) * 30
    on = np.r_[np.zeros(n_off), np.ones(n_on)]
    y = np.arange(t.size, dtype=float) % 3 + 0.5 * on
    with pytest.raises(InputError, match="at least 2 assessments off LDN and 2 on LDN"):
        _fit(t, y, on)


def test_constant_series_is_refused():
    t = np.arange(6.0) * 30
    with pytest.raises(InputError, match="same value 4"):
        _fit(t, np.full(6, 4.0), np.r_[0, 0, 0, 1, 1, 1.0])


def test_perfect_fit_is_refused():
    t = np.arange(6.0) * 30
    on = np.r_[0, 0, 0, 1, 1, 1.0]
    with pytest.raises(InputError, match="noise cannot be estimated"):
        _fit(t, 3.0 + 0.01 * t - on, on)


@given(seed=st.integers(0, 10_000), data=st.data())
@settings(max_examples=15, deadline=None)
def test_unsorted_input_gives_the_same_result(seed, data):
    rng = np.random.default_rng(seed)
    t, y, on = _series(rng, 9)
    perm = data.draw(st.permutations(range(9)))
    a = _fit(t, y, on, delta_prior=sceptical_prior(1.2, 2.0))
    b = _fit(t[perm], y[perm], on[perm], delta_prior=sceptical_prior(1.2, 2.0))
    assert b.delta_mean == pytest.approx(a.delta_mean, abs=1e-10)
    assert b.delta_ci95 == pytest.approx(a.delta_ci95, abs=1e-8)


@pytest.mark.parametrize(
    ("t", "y", "on", "match"),
    [
        ([0, 30, 30, 90, 120], [1, 2, 3, 4, 5], [0, 0, 1, 1, 1], "share the time 30 days"),
        ([0, 30, 60, 90], [1, np.nan, 3, 4], [0, 0, 1, 1], "value nan is not finite"),
        ([0, 30, 60, 90], [1, 2, 3, 4], [0, 0, 1, 2], "must be 0 or 1"),
        ([0, 30, 60], [1, 2, 3, 4], [0, 0, 1, 1], "same length"),
    ],
)
def test_bad_series_messages(t, y, on, match):
    with pytest.raises(InputError, match=match):
        _fit(np.array(t, float), np.array(y, float), np.array(on, float))


def test_bad_settings_messages():
    t, y, on = _series(np.random.default_rng(1), 8)
    with pytest.raises(InputError, match="minimal important difference must be > 0"):
        _fit(t, y, on, mid=0.0)
    with pytest.raises(InputError, match=r"in \[0, 1\) for the continuous-time"):
        _fit(t, y, on, rho_grid=np.array([-0.5, 0.0]))
    with pytest.raises(InputError, match="prior SD of δ must be > 0"):
        DeltaPrior(0.0, 0.0, "bad")
    with pytest.raises(InputError, match="strictly between 0 and 1"):
        _fit(t, y, on).delta_posterior.quantile(1.0)


# --- courses with dates, prescriptions and the plot ----------------------------------------------


def _course(periods=None, n=10, seed=7) -> PatientCourse:
    rng = np.random.default_rng(seed)
    d0 = np.datetime64("2025-01-06")
    offsets = np.sort(rng.choice(360, size=n, replace=False))
    dates = d0 + offsets.astype("timedelta64[D]")
    start = d0 + np.timedelta64(int(offsets[n // 3]), "D")
    on = dates > start
    values = np.clip(5.0 - 1.6 * on + rng.normal(0, 0.4, n), 0, 10)
    if periods is None:
        periods = ((start, None),)
    return PatientCourse("P-0007", DAS28, dates, values, periods, (4.5,))


def test_on_flags_baseline_day_counts_as_off_and_lag_applies():
    periods = [(100.0, 200.0)]
    t = np.array([99.0, 100.0, 101.0, 130.0, 200.0, 201.0])
    np.testing.assert_array_equal(on_flags(t, periods), [0, 0, 1, 1, 1, 0])
    np.testing.assert_array_equal(on_flags(t, periods, lag_days=14), [0, 0, 0, 1, 1, 0])


def test_analyse_course_uses_scale_and_settings():
    course = _course()
    res = analyse_course(course, NOf1Settings.from_parameters())
    assert res.mid == DAS28.mid and res.lower_is_better
    assert res.prior.source.startswith("sceptical")
    assert res.prior.sd == pytest.approx(2.0 * DAS28.mid)
    assert res.p_improvement > 0.95
    assert (res.n_off, res.n_on) == (4, 6)


def test_course_without_prescription_names_patient():
    with pytest.raises(InputError, match="patient P-0007 has no LDN prescription"):
        analyse_course(_course(periods=()))


def test_patient_analysis_reports_instead_of_raising():
    bad = analyse_patient(_course(n=3))
    assert bad.result is None and "at least 2" in bad.message
    assert bad.summary()["evaluable"] is False
    assert figure_png(analysis_figure(bad))[:8] == b"\x89PNG\r\n\x1a\n"
    good = analyse_patient(_course())
    summary = good.summary()
    assert summary["evaluable"] is True and summary["mid_source"].startswith("EULAR")
    assert good.responder is (good.result.p_improvement_ge_mid > 0.8)


def test_plot_shows_course_fit_and_estimate():
    course = _course()
    res = analyse_course(course)
    fig = plot_course(course, res)
    ax = fig.axes[0]
    labels = ax.get_legend_handles_labels()[1]
    assert {"assessment", "fit, off LDN", "fit, on LDN", "LDN 4.5 mg"} <= set(labels)
    assert any("P(improvement ≥ MID)" in t.get_text() for t in ax.texts)
    svg = figure_svg(fig)
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg


def test_repr_shows_the_summary_not_the_arrays() -> None:
    res = _fit(*_series(np.random.default_rng(5), 20, rho=0.3), delta_prior=FLAT)
    text = repr(res)
    assert f"delta_mean={res.delta_mean!r}" in text and "p_improvement_ge_mid=" in text
    assert "array" not in text and "rho_grid" not in text
