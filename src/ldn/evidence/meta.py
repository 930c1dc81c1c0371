"""Inverse-variance pooling of effect sizes, the way metafor's `rma()` does it.

`pool(yi, vi, method=...)` fits a fixed-effect (FE) or random-effects model (DL, REML, PM) to
per-study effects `yi` with sampling variances `vi` and returns a frozen `MetaResult` with the
estimate, its confidence interval, τ², I², H², Cochran's Q and the prediction interval.
`leave_one_out`, `subgroup_analysis` and `egger_test` (in `analyses.py`) build on it.

Conventions (all chosen to match R metafor 4.x, `rma.uni` defaults):
- Confidence interval: normal quantile; with `hksj=True` the Hartung–Knapp–Sidik–Jonkman
  standard error and t(k−1) quantile (metafor `test="knha"`), without truncation of the
  HKSJ scale factor (metafor's default).
- Prediction interval (Higgins, Thompson & Spiegelhalter 2009): μ̂ ± c·√(SE² + τ²) with c the
  normal quantile, or the t(k−1) quantile with HKSJ — as metafor's `predict.rma()`. For FE
  the prediction interval equals the confidence interval.
- I² and H² for random-effects models use τ̂² and the "typical" within-study variance
  s² = (k−1)Σw / ((Σw)² − Σw²) (Higgins & Thompson 2002; metafor's definition), so
  I² = 100·τ²/(τ² + s²). For FE models I² = 100·max(0, (Q − df)/Q) and H² = Q/df. I² is in
  percent, as in metafor.

Status: verified against metafor output (dat.bcg, Normand 1999, Kacker 2004 examples) and
statsmodels `combine_effects`; see tests/evidence/.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, get_args

import numpy as np
from scipy import optimize, stats

from ldn.errors import InputError
from ldn.types import FloatArray

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

Method = Literal["FE", "DL", "REML", "PM"]
Measure = Literal["SMD", "MD", "RR", "OR", "RD", "GEN"]
METHODS: tuple[str, ...] = get_args(Method)
MEASURES: tuple[str, ...] = get_args(Measure)
RATIO_MEASURES: frozenset[str] = frozenset({"RR", "OR"})

_REML_TOL = 1e-12
_REML_MAXITER = 200


def _tau2_dl(yi: FloatArray, vi: FloatArray) -> tuple[float, bool]:
    """DerSimonian & Laird (1986) method-of-moments τ², clipped at 0.

    τ² = max(0, (Q − (k−1)) / (Σw − Σw²/Σw)) with w = 1/v. Closed form, always converged.
    """
    w = 1.0 / vi
    sw = w.sum()
    mu = (w * yi).sum() / sw
    q = (w * (yi - mu) ** 2).sum()
    c = sw - (w**2).sum() / sw
    return max(0.0, float((q - (yi.size - 1)) / c)), True


def _reml_terms(yi: FloatArray, vi: FloatArray, tau2: float) -> tuple[float, float, float]:
    """(yᵀPPy, tr P, tr PP) for the intercept-only model, P = W − wwᵀ/Σw."""
    w = 1.0 / (vi + tau2)
    sw, sw2, sw3 = w.sum(), (w**2).sum(), (w**3).sum()
    mu = (w * yi).sum() / sw
    ypPy = float(((w * (yi - mu)) ** 2).sum())
    tr_p = float(sw - sw2 / sw)
    tr_pp = float(sw2 - 2.0 * sw3 / sw + sw2**2 / sw**2)
    return ypPy, tr_p, tr_pp


def _tau2_reml(yi: FloatArray, vi: FloatArray) -> tuple[float, bool]:
    """Restricted maximum-likelihood τ² by Fisher scoring (Viechtbauer 2005).

    τ²ₙ₊₁ = τ²ₙ + (yᵀPPy − tr P) / tr(PP), started at the DL estimate and clipped at 0 after
    every step (as metafor does); converged when the step is below 1e-12.
    """
    tau2, _ = _tau2_dl(yi, vi)
    for _ in range(_REML_MAXITER):
        ypPy, tr_p, tr_pp = _reml_terms(yi, vi, tau2)
        new = max(0.0, tau2 + (ypPy - tr_p) / tr_pp)
        if abs(new - tau2) < _REML_TOL * max(1.0, tau2):
            return new, True
        tau2 = new
    return tau2, False


def _q_gen(yi: FloatArray, vi: FloatArray, tau2: float) -> float:
    w = 1.0 / (vi + tau2)
    mu = (w * yi).sum() / w.sum()
    return float((w * (yi - mu) ** 2).sum())


def _tau2_pm(yi: FloatArray, vi: FloatArray) -> tuple[float, bool]:
    """Paule & Mandel (1982) τ²: the root of Q(τ²) = k − 1 (DerSimonian & Kacker 2007).

    Q(τ²) = Σ wᵢ(τ²)(yᵢ − μ̂(τ²))² decreases in τ²; if Q(0) ≤ k − 1 the estimate is 0.
    Solved with Brent's method on a bracket that is doubled until it contains the root.
    """
    df = yi.size - 1
    if _q_gen(yi, vi, 0.0) <= df:
        return 0.0, True
    hi = max(float(np.var(yi)), 1e-8)
    for _ in range(200):
        if _q_gen(yi, vi, hi) < df:
            break
        hi *= 2.0
    else:
        return hi, False
    root, info = optimize.brentq(
        lambda t: _q_gen(yi, vi, t) - df, 0.0, hi, xtol=1e-15, rtol=1e-15, full_output=True
    )
    return float(root), bool(info.converged)


_TAU2 = {"DL": _tau2_dl, "REML": _tau2_reml, "PM": _tau2_pm}


@dataclass(frozen=True)
class MetaResult:
    """A fitted meta-analysis (one pooled effect). Values are on the analysis scale
    (log scale for RR and OR); `summary_frame()` and the plots back-transform ratios.

    `i2` is in percent (metafor's convention); `weights` are percent of the total.
    """

    method: str
    measure: str
    hksj: bool
    k: int
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    statistic: float
    pvalue: float
    df: float | None
    tau2: float
    tau2_converged: bool
    i2: float
    h2: float
    q: float
    q_pvalue: float
    pi_low: float
    pi_high: float
    alpha: float
    yi: FloatArray = field(repr=False)
    vi: FloatArray = field(repr=False)
    weights: FloatArray = field(repr=False)
    labels: tuple[str, ...] = field(repr=False, default=())

    @property
    def is_ratio(self) -> bool:
        """True for RR and OR (pooled on the log scale)."""
        return self.measure in RATIO_MEASURES

    @property
    def tau(self) -> float:
        """Between-study standard deviation τ (same scale as `estimate`)."""
        return float(np.sqrt(self.tau2))

    def _display(self, x: FloatArray | float) -> FloatArray | float:
        return np.exp(x) if self.is_ratio else x

    def to_dict(self) -> dict[str, Any]:
        """Plain-number summary (JSON-ready). Ratio measures also get `*_ratio` keys."""
        out: dict[str, Any] = {
            "measure": self.measure,
            "method": self.method,
            "hksj": self.hksj,
            "k": self.k,
            "estimate": self.estimate,
            "se": self.se,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "statistic": self.statistic,
            "pvalue": self.pvalue,
            "df": self.df,
            "tau2": self.tau2,
            "tau2_converged": self.tau2_converged,
            "i2": self.i2,
            "h2": self.h2,
            "q": self.q,
            "q_pvalue": self.q_pvalue,
            "pi_low": self.pi_low,
            "pi_high": self.pi_high,
        }
        if self.is_ratio:
            for key in ("estimate", "ci_low", "ci_high", "pi_low", "pi_high"):
                out[f"{key}_ratio"] = float(np.exp(out[key]))
        return {
            k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in out.items()
        }

    def summary_frame(self) -> pd.DataFrame:
        """Per-study effects with CIs and weights, plus the pooled row (display scale)."""
        import pandas as pd

        crit = stats.norm.isf(self.alpha / 2)
        se_i = np.sqrt(self.vi)
        labels = list(self.labels) if self.labels else [str(i + 1) for i in range(self.k)]
        frame = pd.DataFrame(
            {
                "effect": self._display(self.yi),
                "ci_low": self._display(self.yi - crit * se_i),
                "ci_high": self._display(self.yi + crit * se_i),
                "weight_pct": self.weights,
            },
            index=labels,
        )
        pooled = pd.DataFrame(
            {
                "effect": [self._display(self.estimate)],
                "ci_low": [self._display(self.ci_low)],
                "ci_high": [self._display(self.ci_high)],
                "weight_pct": [100.0],
            },
            index=[
                f"pooled ({self.method}{', HKSJ' if self.hksj else ''})"
                if self.k >= 2
                else "single study (not pooled)"
            ],
        )
        return pd.concat([frame, pooled])

    def plot_forest(self, ax: Axes | None = None, *, title: str = "") -> Axes:
        """Forest plot: studies with 95 % CIs, the pooled diamond and the prediction interval."""
        from ldn.evidence.plots import forest

        return forest(self, ax=ax, title=title)

    def plot_funnel(self, ax: Axes | None = None, *, title: str = "") -> Axes:
        """Funnel plot: effect against standard error with pseudo-95 % limits."""
        from ldn.evidence.plots import funnel

        return funnel(self, ax=ax, title=title)


def _check_inputs(
    yi: Sequence[float] | FloatArray, vi: Sequence[float] | FloatArray
) -> tuple[FloatArray, FloatArray]:
    y = np.asarray(yi, dtype=np.float64)
    v = np.asarray(vi, dtype=np.float64)
    if y.ndim != 1 or v.shape != y.shape:
        raise InputError(
            f"yi and vi must be 1-D and of equal length, got shapes {y.shape} and {v.shape}; "
            "pass one effect and one variance per study."
        )
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(v))):
        bad = int(np.flatnonzero(~(np.isfinite(y) & np.isfinite(v)))[0]) + 1
        raise InputError(f"study {bad}: yi/vi is missing or not finite; drop it or fill it in.")
    if np.any(v <= 0):
        bad = int(np.flatnonzero(v <= 0)[0]) + 1
        raise InputError(
            f"study {bad}: sampling variance vi = {v[bad - 1]:g} must be > 0; check its SDs/counts."
        )
    return y, v


def _fit(
    y: FloatArray,
    v: FloatArray,
    method: str,
    hksj: bool,
    alpha: float,
    measure: str,
    labels: tuple[str, ...],
) -> MetaResult:
    k = y.size
    w_fe = 1.0 / v
    sw_fe = w_fe.sum()
    mu_fe = (w_fe * y).sum() / sw_fe
    q = float((w_fe * (y - mu_fe) ** 2).sum())
    df_q = k - 1
    if method == "FE" or k == 1:
        tau2, converged = 0.0, True
    else:
        tau2, converged = _TAU2[method](y, v)
    w = 1.0 / (v + tau2)
    sw = w.sum()
    mu = float((w * y).sum() / sw)
    se = float(np.sqrt(1.0 / sw))
    df: float | None = None
    if hksj and k >= 2:
        se = float(np.sqrt((w * (y - mu) ** 2).sum() / (df_q * sw)))
        df = float(df_q)
        crit = float(stats.t.isf(alpha / 2, df_q))
        statistic = mu / se
        pvalue = float(2 * stats.t.sf(abs(statistic), df_q))
    else:
        crit = float(stats.norm.isf(alpha / 2))
        statistic = mu / se
        pvalue = float(2 * stats.norm.sf(abs(statistic)))
    if k >= 2:
        q_p = float(stats.chi2.sf(q, df_q))
        if method == "FE":
            i2 = 100.0 * max(0.0, (q - df_q) / q) if q > 0 else 0.0
            h2 = q / df_q
        else:
            s2 = df_q * sw_fe / (sw_fe**2 - (w_fe**2).sum())
            i2 = 100.0 * tau2 / (tau2 + s2)
            h2 = (tau2 + s2) / s2
    else:
        q_p = i2 = h2 = float("nan")
    if method == "FE":
        pi_low, pi_high = mu - crit * se, mu + crit * se
    elif k >= 2:
        half = crit * np.sqrt(se**2 + tau2)
        pi_low, pi_high = mu - half, mu + half
    else:
        pi_low = pi_high = float("nan")
    return MetaResult(
        method=method,
        measure=measure,
        hksj=hksj,
        k=k,
        estimate=mu,
        se=se,
        ci_low=mu - crit * se,
        ci_high=mu + crit * se,
        statistic=float(statistic),
        pvalue=pvalue,
        df=df,
        tau2=float(tau2),
        tau2_converged=converged,
        i2=float(i2),
        h2=float(h2),
        q=q,
        q_pvalue=q_p,
        pi_low=float(pi_low),
        pi_high=float(pi_high),
        alpha=alpha,
        yi=y,
        vi=v,
        weights=100.0 * w / sw,
        labels=labels,
    )


def _check_options(method: str, measure: str, alpha: float) -> None:
    if method not in METHODS:
        raise InputError(f"method {method!r} is not one of {', '.join(METHODS)}; pick one of them.")
    if measure not in MEASURES:
        raise InputError(
            f"measure {measure!r} is not one of {', '.join(MEASURES)}; pick one of them."
        )
    if not 0 < alpha < 1:
        raise InputError(f"alpha = {alpha} must lie strictly between 0 and 1 (e.g. 0.05).")


def pool(
    yi: Sequence[float] | FloatArray,
    vi: Sequence[float] | FloatArray,
    method: Method = "REML",
    *,
    hksj: bool = False,
    measure: Measure = "GEN",
    labels: Sequence[str] | None = None,
    alpha: float = 0.05,
) -> MetaResult:
    """Pool k ≥ 2 effects `yi` with sampling variances `vi` (metafor `rma(yi, vi, method=...)`).

    Parameters
    ----------
    yi, vi : effects and their sampling variances (log scale for RR/OR).
    method : {"FE", "DL", "REML", "PM"}; default REML as in metafor.
    hksj : Hartung–Knapp (2001) / Sidik–Jonkman (2002) SE with t(k−1) (metafor `test="knha"`).
    measure : label only (SMD, MD, RR, OR, RD or GEN); RR/OR are back-transformed for display.
    labels : study labels for tables and plots.
    alpha : 1 − confidence level.
    """
    _check_options(method, measure, alpha)
    y, v = _check_inputs(yi, vi)
    if y.size < 2:
        raise InputError(
            f"pooling needs at least 2 studies, got k = {y.size}; add studies or report the "
            "single study's effect instead."
        )
    labs = tuple(str(x) for x in labels) if labels is not None else ()
    if labs and len(labs) != y.size:
        raise InputError(f"got {len(labs)} labels for {y.size} studies; give one label per study.")
    return _fit(y, v, method, hksj, alpha, measure, labs)


def single_study(
    yi: float, vi: float, *, measure: Measure = "GEN", label: str = "", alpha: float = 0.05
) -> MetaResult:
    """A one-study `MetaResult` (estimate = yi, no heterogeneity, no prediction interval).

    Used where a condition has k = 1 so tables stay uniform; `pool` itself needs k ≥ 2.
    """
    y, v = _check_inputs([yi], [vi])
    return _fit(y, v, "FE", False, alpha, measure, (label,) if label else ())


def reml_loglik(yi: FloatArray, vi: FloatArray, tau2: float) -> float:
    """Restricted log-likelihood of the random-effects model (Viechtbauer 2005),
    up to a constant; used in tests to check `_tau2_reml` against a direct optimiser."""
    w = 1.0 / (vi + tau2)
    mu = (w * yi).sum() / w.sum()
    return float(-0.5 * (np.log(vi + tau2).sum() + np.log(w.sum()) + (w * (yi - mu) ** 2).sum()))
