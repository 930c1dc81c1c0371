"""Bayesian N-of-1 analysis: did this patient's outcome change after starting LDN?

Model (one patient, one outcome scale; assessments at times `t_i` in days):

    y_i = a + b·t_i + δ·on_i + e_i,        e = AR(1) errors, Corr(e_i, e_j) = ρ^(lag_ij)

`on_i` is 1 when assessment `i` falls in a period of LDN treatment, else 0; `δ` is the change in
the outcome while on LDN, allowing for a linear trend `b` (per year) and serial correlation `ρ`.
Two correlation models:

- ``"ou"`` (default): continuous-time AR(1) (Ornstein–Uhlenbeck), lag_ij = |t_i − t_j| / Δ̃
  with Δ̃ the median spacing of the patient's assessments, so ρ is the correlation between two
  assessments one typical visit apart; ρ on a grid over [0, 0.95] (a continuous-time process
  cannot be negatively correlated).
- ``"equal"``: the assessments are treated as equally spaced, lag_ij = |i − j|; ρ on a grid
  over [−0.9, 0.95].

Priors (independent): a ~ N(scale midpoint, (scale width)²), b ~ N(0, (scale width per year)²),
δ ~ N(μ_δ, s_δ²) — by default sceptical, μ_δ = 0 and s_δ = 2 × MID (`parameters_n_of_1.toml`),
or an informative prior from pooled trial evidence (`ldn.registry.analysis_io.evidence_prior`);
p(σ) ∝ 1/σ; ρ uniform on its grid.

Computation (exact up to quadrature; no MCMC): for fixed (ρ, σ) the coefficients (a, b, δ) are
Gaussian, so the marginal likelihood p(y | ρ, σ) is closed-form; σ is integrated on a fine
log-spaced grid and ρ on its grid. The posterior of δ is therefore a mixture of Gaussians with
weights p(ρ, σ | y), from which the mean, credible interval and P(improvement ≥ MID) follow
exactly. The AR(1) correlation is Markov, so each series is whitened in O(n) by the closed-form
innovations transform instead of a Cholesky factorisation of the n×n correlation matrix.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from ldn.analysis.mixture import NormalMixture
from ldn.errors import InputError
from ldn.scales import ScaleTerms
from ldn.types import FloatArray

Correlation = Literal["ou", "equal"]


DAYS_PER_YEAR = 365.25
MIN_PER_PERIOD = 2
RHO_GRID_POINTS = 41
SIGMA_GRID_POINTS = 400
_SIGMA_GRID_SPAN = (1e-3, 1e3)  # × the OLS residual SD: the posterior of σ lies well inside
_RHO_GRID_RANGE = {"ou": (0.0, 0.95), "equal": (-0.9, 0.95)}


@dataclass(frozen=True, slots=True)
class DeltaPrior:
    """Normal prior on δ (scale units) and a sentence saying where it comes from."""

    mean: float
    sd: float
    source: str

    def __post_init__(self) -> None:
        if not math.isfinite(self.mean):
            raise InputError(f"prior mean of δ must be a finite number, got {self.mean}")
        if not self.sd > 0:
            raise InputError(f"prior SD of δ must be > 0 (use math.inf for flat), got {self.sd}")


def sceptical_prior(mid: float, sd_in_mid: float) -> DeltaPrior:
    """The default prior on δ: centred on no effect, SD = `sd_in_mid` × MID."""
    return DeltaPrior(
        0.0, sd_in_mid * mid, f"sceptical: δ ~ N(0, ({sd_in_mid:g} × MID = {sd_in_mid * mid:g})²)"
    )


@dataclass(frozen=True, slots=True, repr=False)
class NOf1Result:
    """Posterior of the LDN effect δ for one patient and scale.

    δ is in scale units (positive = score went up on LDN). Its posterior is the normal mixture
    `delta_posterior` (its `cdf` and `quantile` give any probability or interval); `delta_mean`,
    `delta_sd` and `delta_ci95` summarise it. `improvement_*` fields use the scale's direction
    (`lower_is_better`).
    """

    delta_ci95: tuple[float, float]  # equal-tailed 95 % credible interval (root finding: stored)
    mid: float
    lower_is_better: bool
    intercept: float  # posterior mean of a at t = t0 (scale units)
    slope_per_year: float  # posterior mean of b
    t0_day: float  # time origin of the fitted lines (days, same origin as the input)
    sigma_mean: float
    n_off: int
    n_on: int
    correlation: Correlation
    prior: DeltaPrior
    delta_posterior: NormalMixture = field(repr=False)
    rho_grid: FloatArray = field(repr=False)
    rho_posterior: FloatArray = field(repr=False)

    @property
    def delta_mean(self) -> float:
        """Posterior mean of δ (scale units)."""
        return self.delta_posterior.mean

    @property
    def delta_sd(self) -> float:
        """Posterior SD of δ (scale units)."""
        return self.delta_posterior.sd

    @property
    def p_improvement(self) -> float:
        """P(δ is in the better direction at all)."""
        cdf = self.delta_posterior.cdf
        return cdf(0.0) if self.lower_is_better else 1.0 - cdf(0.0)

    @property
    def p_improvement_ge_mid(self) -> float:
        """P(improvement ≥ MID)."""
        cdf = self.delta_posterior.cdf
        return cdf(-self.mid) if self.lower_is_better else 1.0 - cdf(self.mid)

    @property
    def p_worsening_ge_mid(self) -> float:
        """P(worsening ≥ MID)."""
        cdf = self.delta_posterior.cdf
        return 1.0 - cdf(self.mid) if self.lower_is_better else cdf(-self.mid)

    @property
    def rho_mean(self) -> float:
        """Posterior mean of the serial correlation ρ."""
        return float(np.sum(self.rho_posterior * self.rho_grid))

    def fitted(self, t_day: FloatArray, on: FloatArray) -> FloatArray:
        """Posterior-mean fitted values a + b·t + δ·on at times `t_day` (days)."""
        t_year = (np.asarray(t_day, dtype=float) - self.t0_day) / DAYS_PER_YEAR
        return self.intercept + self.slope_per_year * t_year + self.delta_mean * np.asarray(on)

    @property
    def improvement_mean(self) -> float:
        """Posterior mean improvement in scale units (positive = better)."""
        return -self.delta_mean if self.lower_is_better else self.delta_mean

    def __repr__(self) -> str:
        """The summary's numbers (the posterior's arrays are left out)."""
        return f"NOf1Result({', '.join(f'{k}={v!r}' for k, v in self.summary().items())})"

    def summary(self) -> dict[str, float | int | str | bool]:
        """Plain numbers for tables and JSON."""
        return {
            "delta_mean": self.delta_mean,
            "delta_sd": self.delta_sd,
            "delta_ci95_low": self.delta_ci95[0],
            "delta_ci95_high": self.delta_ci95[1],
            "p_improvement": self.p_improvement,
            "p_improvement_ge_mid": self.p_improvement_ge_mid,
            "p_worsening_ge_mid": self.p_worsening_ge_mid,
            "mid": self.mid,
            "lower_is_better": self.lower_is_better,
            "slope_per_year": self.slope_per_year,
            "rho_mean": self.rho_mean,
            "sigma_mean": self.sigma_mean,
            "n_off": self.n_off,
            "n_on": self.n_on,
            "correlation": self.correlation,
            "prior": self.prior.source,
        }


def _validate(
    t_day: FloatArray, y: FloatArray, on: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    t_day = np.asarray(t_day, dtype=float).ravel()
    y = np.asarray(y, dtype=float).ravel()
    on = np.asarray(on, dtype=float).ravel()
    if not (t_day.size == y.size == on.size):
        raise InputError(
            f"times ({t_day.size}), values ({y.size}) and on-LDN flags ({on.size}) must have "
            "the same length"
        )
    for name, arr in (("time", t_day), ("value", y)):
        bad = np.flatnonzero(~np.isfinite(arr))
        if bad.size:
            raise InputError(f"assessment {int(bad[0])}: {name} {arr[bad[0]]} is not finite")
    if not np.all((on == 0.0) | (on == 1.0)):
        raise InputError("on-LDN flags must be 0 or 1")
    order = np.argsort(t_day, kind="stable")
    t_day, y, on = t_day[order], y[order], on[order]
    dup = np.flatnonzero(np.diff(t_day) == 0.0)
    if dup.size:
        raise InputError(
            f"two assessments share the time {t_day[dup[0]]:g} days; keep one per date "
            "(or average them) before the analysis"
        )
    n_on = int(on.sum())
    n_off = on.size - n_on
    if n_off < MIN_PER_PERIOD or n_on < MIN_PER_PERIOD:
        raise InputError(
            f"N-of-1 analysis needs at least {MIN_PER_PERIOD} assessments off LDN and "
            f"{MIN_PER_PERIOD} on LDN; got {n_off} off and {n_on} on. Record more assessments "
            "(e.g. a baseline before starting and follow-ups after)"
        )
    if np.ptp(y) == 0.0:
        raise InputError(
            f"all {y.size} assessments have the same value {y[0]:g}; with no variation there "
            "is nothing to estimate"
        )
    return t_day, y, on


def _lags(t_day: FloatArray, correlation: Correlation) -> FloatArray:
    """Lag between consecutive assessments in units of the typical spacing (n−1,)."""
    if correlation == "equal":
        return np.ones(t_day.size - 1)
    gaps = np.diff(t_day)
    return gaps / float(np.median(gaps))


def _whiten(rho: FloatArray, lags: FloatArray, z: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Innovations transform of AR(1) series: R^(-1/2)-whitened `z` and log|R| per ρ.

    With φ_i = ρ^lag_i, the AR(1)/OU process is Markov: e_1 ~ N(0, σ²) and
    e_i | e_{i-1} ~ N(φ_i e_{i-1}, σ²(1 − φ_i²)). Hence w_1 = z_1 and
    w_i = (z_i − φ_i z_{i−1}) / sqrt(1 − φ_i²) are independent N(0, σ²), and
    log|R| = Σ log(1 − φ_i²). Written by hand because it is O(n) and vectorised over the ρ grid,
    where a Cholesky factorisation per ρ would be O(n³). `z` has shape (n, ...).
    """
    phi = np.power(rho[:, None], lags[None, :])  # (G, n-1)
    scale = np.sqrt(1.0 - phi**2)
    extra = (1,) * (z.ndim - 1)
    phi_b = phi.reshape(phi.shape + extra)
    scale_b = scale.reshape(scale.shape + extra)
    first = np.broadcast_to(z[:1], (rho.size, *z[:1].shape))
    rest = (z[None, 1:] - phi_b * z[None, :-1]) / scale_b
    logdet = np.sum(np.log(scale**2), axis=1)
    return np.concatenate([first, rest], axis=1), logdet


def _inv3(m: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Inverse and determinant of a stack of symmetric 3×3 matrices (..., 3, 3).

    Closed form (adjugate / determinant), written by hand because batched LAPACK calls on
    ~16 000 tiny matrices are dominated by per-matrix overhead (about 5× slower here).
    """
    a, b, c = m[..., 0, 0], m[..., 0, 1], m[..., 0, 2]
    d, e, f = m[..., 1, 1], m[..., 1, 2], m[..., 2, 2]
    c00 = d * f - e * e
    c01 = c * e - b * f
    c02 = b * e - c * d
    c11 = a * f - c * c
    c12 = b * c - a * e
    c22 = a * d - b * b
    det = a * c00 + b * c01 + c * c02
    adj = np.stack(
        [
            np.stack([c00, c01, c02], -1),
            np.stack([c01, c11, c12], -1),
            np.stack([c02, c12, c22], -1),
        ],
        -2,
    )
    return adj / det[..., None, None], det


def _rho_grid(correlation: str, rho_grid: FloatArray | None) -> FloatArray:
    """The checked grid of ρ (default: `RHO_GRID_POINTS` over the model's range)."""
    if correlation not in _RHO_GRID_RANGE:
        raise InputError(f"correlation must be 'ou' or 'equal', got {correlation!r}")
    if rho_grid is None:
        lo, hi = _RHO_GRID_RANGE[correlation]
        rho_grid = np.linspace(lo, hi, RHO_GRID_POINTS)
    rho_grid = np.asarray(rho_grid, dtype=float)
    if np.any(np.abs(rho_grid) >= 1.0) or (correlation == "ou" and np.any(rho_grid < 0)):
        raise InputError(
            "ρ grid values must lie in (−1, 1), and in [0, 1) for the continuous-time 'ou' model"
        )
    return rho_grid


def _log_sigma_grid(x: FloatArray, y: FloatArray) -> FloatArray:
    """Grid of log σ around the least-squares residual SD (refuses a noise-free series)."""
    beta_ols, *_ = np.linalg.lstsq(x, y, rcond=None)
    rss = float(np.sum((y - x @ beta_ols) ** 2))
    if rss <= 1e-20 * float(np.sum((y - y.mean()) ** 2)):
        raise InputError(
            "the assessments lie exactly on straight lines before and after starting LDN; the "
            "noise cannot be estimated from so regular a series"
        )
    s_ref = math.sqrt(rss / max(y.size - 3, 1))
    return np.linspace(
        math.log(s_ref * _SIGMA_GRID_SPAN[0]),
        math.log(s_ref * _SIGMA_GRID_SPAN[1]),
        SIGMA_GRID_POINTS,
    )


def _grid_posterior(
    xw: FloatArray,
    logdet: FloatArray,
    log_sigma: FloatArray,
    prior_mean: FloatArray,
    prior_sd: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Weights (G, K) of every (ρ, σ) and the normal posterior of (a, b, δ) at each.

    `xw`: whitened [x | y] (G, n, 4) with log-determinants `logdet` (G,); returns the weights
    (summing to 1), the means (G, K, 3) and covariances (G, K, 3, 3).
    """
    n = xw.shape[1]
    prec0 = np.where(np.isinf(prior_sd), 0.0, 1.0 / prior_sd**2)  # (3,)
    p0m0 = prec0 * prior_mean
    sxx = np.einsum("gni,gnj->gij", xw[:, :, :3], xw[:, :, :3])  # (G, 3, 3)
    sxy = np.einsum("gni,gn->gi", xw[:, :, :3], xw[:, :, 3])  # (G, 3)
    syy = np.einsum("gn,gn->g", xw[:, :, 3], xw[:, :, 3])  # (G,)
    inv_s2 = np.exp(-2.0 * log_sigma)  # (K,)

    # Posterior of (a, b, δ) for every (ρ, σ): precision Λ = S_xx/σ² + P0.
    lam = sxx[:, None] * inv_s2[None, :, None, None] + np.diag(prec0)  # (G, K, 3, 3)
    rhs = sxy[:, None] * inv_s2[None, :, None] + p0m0  # (G, K, 3)
    cov, det_lam = _inv3(lam)
    mu = np.einsum("gkij,gkj->gki", cov, rhs)
    logdet_lam = np.log(det_lam)
    quad = (
        syy[:, None] * inv_s2[None, :]
        + float(p0m0 @ prior_mean)
        - np.einsum("gki,gki->gk", mu, rhs)
    )
    # log p(y | ρ, σ) up to constants, + log p(σ) d log σ (Jeffreys: flat in log σ).
    log_w = -n * log_sigma[None, :] - 0.5 * logdet[:, None] - 0.5 * quad - 0.5 * logdet_lam
    log_w -= log_w.max()
    w = np.exp(log_w)
    w /= w.sum()
    return w, mu, cov


def _prior(
    delta_prior: DeltaPrior,
    scale: ScaleTerms,
    intercept_sd: float | None,
    slope_sd_per_year: float | None,
) -> tuple[FloatArray, FloatArray]:
    """Prior means and SDs of (a, b, δ): a, b weakly informative from the scale's width."""
    width = float(scale.max) - float(scale.min)
    prior_sd = np.array(
        [
            width if intercept_sd is None else intercept_sd,
            width if slope_sd_per_year is None else slope_sd_per_year,
            delta_prior.sd,
        ]
    )
    midpoint = (float(scale.min) + float(scale.max)) / 2.0
    return np.array([midpoint, 0.0, delta_prior.mean]), prior_sd


def _check_scale(scale: ScaleTerms) -> None:
    if not scale.mid > 0:
        raise InputError(f"minimal important difference must be > 0, got {scale.mid}")
    if not scale.max > scale.min:
        raise InputError(f"scale range [{scale.min}, {scale.max}] is empty")


def _delta_mixture(w: FloatArray, mu: FloatArray, cov: FloatArray) -> NormalMixture:
    """The posterior of δ from the grid posterior (negligible components dropped)."""
    comp_mean = mu[:, :, 2].ravel()
    comp_sd = np.sqrt(cov[:, :, 2, 2]).ravel()
    weights = w.ravel()
    keep = weights > 1e-14 * weights.max()
    return NormalMixture(weights[keep] / weights[keep].sum(), comp_mean[keep], comp_sd[keep])


def analyse(
    t_day: FloatArray,
    y: FloatArray,
    on: FloatArray,
    *,
    scale: ScaleTerms,
    delta_prior: DeltaPrior,
    correlation: Correlation = "ou",
    rho_grid: FloatArray | None = None,
    intercept_sd: float | None = None,
    slope_sd_per_year: float | None = None,
) -> NOf1Result:
    """Posterior of the LDN effect δ for one patient's series of assessments.

    `t_day`: assessment times in days (any origin; need not be sorted, must be distinct);
    `y`: scores in scale units; `on`: 1 where the assessment is during LDN treatment, else 0;
    `scale`: the outcome scale (`ldn.scales.Scale`, or anything with `mid` > 0, `min` and `max`
    in scale units and `lower_is_better`); its range sets the weakly informative priors on a
    (SD = width, centred on the midpoint) and b (SD = width per year) unless `intercept_sd` /
    `slope_sd_per_year` are given (`math.inf` gives a flat prior). Raises `InputError` for series
    that cannot be analysed.
    """
    _check_scale(scale)
    mid, lower_is_better = float(scale.mid), bool(scale.lower_is_better)
    t_day, y, on = _validate(t_day, y, on)
    rho_grid = _rho_grid(correlation, rho_grid)
    prior_mean, prior_sd = _prior(delta_prior, scale, intercept_sd, slope_sd_per_year)

    t0 = float(t_day[0])
    t_year = (t_day - t0) / DAYS_PER_YEAR
    x = np.column_stack([np.ones_like(t_year), t_year, on])  # (n, 3)
    n = y.size
    xw, logdet = _whiten(rho_grid, _lags(t_day, correlation), np.column_stack([x, y]))
    log_sigma = _log_sigma_grid(x, y)
    w, mu, cov = _grid_posterior(xw, logdet, log_sigma, prior_mean, prior_sd)

    delta = _delta_mixture(w, mu, cov)
    coef_mean = np.einsum("gk,gki->i", w, mu)
    rho_post = w.sum(axis=1)
    sigma_mean = float(np.sum(w.sum(axis=0) * np.exp(log_sigma)))

    return NOf1Result(
        delta_ci95=(delta.quantile(0.025), delta.quantile(0.975)),
        mid=mid,
        lower_is_better=lower_is_better,
        intercept=float(coef_mean[0]),
        slope_per_year=float(coef_mean[1]),
        t0_day=t0,
        sigma_mean=sigma_mean,
        n_off=int(n - on.sum()),
        n_on=int(on.sum()),
        correlation=correlation,
        prior=delta_prior,
        delta_posterior=delta,
        rho_grid=rho_grid,
        rho_posterior=rho_post,
    )
