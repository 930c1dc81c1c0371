"""Analyses built on `pool`: Egger's test, leave-one-out and subgroup analysis."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy import stats

from ldn.errors import InputError
from ldn.evidence.meta import (
    Measure,
    MetaResult,
    Method,
    _check_inputs,
    _check_options,
    _fit,
)
from ldn.types import FloatArray

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class EggerResult:
    """Egger's regression test for funnel-plot asymmetry (Egger et al. 1997)."""

    intercept: float
    se: float
    t: float
    df: int
    pvalue: float


def egger_test(yi: Sequence[float] | FloatArray, vi: Sequence[float] | FloatArray) -> EggerResult:
    """Egger's test: OLS of yᵢ/seᵢ on 1/seᵢ; the intercept tests asymmetry with t(k−2).

    Identical to weighted regression of yᵢ on seᵢ with weights 1/vᵢ and a multiplicative
    dispersion term, i.e. metafor's `regtest(res, model="lm", predictor="sei")`.
    Needs k ≥ 3.
    """
    import statsmodels.api as sm

    y, v = _check_inputs(yi, vi)
    if y.size < 3:
        raise InputError(f"Egger's test needs at least 3 studies, got k = {y.size}.")
    se = np.sqrt(v)
    fit = sm.OLS(y / se, sm.add_constant(1.0 / se)).fit()
    return EggerResult(
        intercept=float(fit.params[0]),
        se=float(fit.bse[0]),
        t=float(fit.tvalues[0]),
        df=int(fit.df_resid),
        pvalue=float(fit.pvalues[0]),
    )


def leave_one_out(result: MetaResult) -> pd.DataFrame:
    """Refit `result` k times, each time without one study (metafor `leave1out`). Needs k ≥ 3."""
    import pandas as pd

    if result.k < 3:
        raise InputError(f"leave-one-out needs at least 3 studies, got k = {result.k}.")
    labels = list(result.labels) if result.labels else [str(i + 1) for i in range(result.k)]
    rows = []
    for i, lab in enumerate(labels):
        keep = np.arange(result.k) != i
        r = _fit(
            result.yi[keep],
            result.vi[keep],
            result.method,
            result.hksj,
            result.alpha,
            result.measure,
            (),
        )
        rows.append(
            {
                "omitted": lab,
                "estimate": r.estimate,
                "se": r.se,
                "ci_low": r.ci_low,
                "ci_high": r.ci_high,
                "tau2": r.tau2,
                "i2": r.i2,
                "q": r.q,
            }
        )
    return pd.DataFrame(rows).set_index("omitted")


@dataclass(frozen=True)
class SubgroupResult:
    """Separate pooled effects per subgroup and the test for subgroup differences.

    The between-subgroup Q compares the subgroup estimates with inverse-variance weights
    1/SE² (separate τ² per subgroup, as RevMan and metafor's "separate" approach).
    """

    groups: dict[str, MetaResult]
    q_between: float
    df: int
    pvalue: float

    def summary_frame(self) -> pd.DataFrame:
        """One row per subgroup: k, estimate, CI, τ², I²."""
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "subgroup": g,
                    "k": r.k,
                    "estimate": r.estimate,
                    "ci_low": r.ci_low,
                    "ci_high": r.ci_high,
                    "tau2": r.tau2,
                    "i2": r.i2,
                }
                for g, r in self.groups.items()
            ]
        ).set_index("subgroup")


def subgroup_analysis(
    yi: Sequence[float] | FloatArray,
    vi: Sequence[float] | FloatArray,
    groups: Sequence[str],
    method: Method = "REML",
    *,
    hksj: bool = False,
    measure: Measure = "GEN",
    alpha: float = 0.05,
) -> SubgroupResult:
    """Pool within each subgroup (k = 1 subgroups are carried as the single study) and test
    whether the subgroup estimates differ (Q_between with G − 1 df). Needs ≥ 2 subgroups."""
    _check_options(method, measure, alpha)
    y, v = _check_inputs(yi, vi)
    g = np.asarray([str(x) for x in groups])
    if g.size != y.size:
        raise InputError(f"got {g.size} subgroup labels for {y.size} studies; give one per study.")
    names = list(dict.fromkeys(g.tolist()))
    if len(names) < 2:
        raise InputError(f"subgroup analysis needs at least 2 subgroups, got {names}.")
    fits = {
        name: _fit(
            y[g == name],
            v[g == name],
            method if (g == name).sum() > 1 else "FE",
            hksj,
            alpha,
            measure,
            (),
        )
        for name in names
    }
    est = np.array([r.estimate for r in fits.values()])
    wg = 1.0 / np.array([r.se for r in fits.values()]) ** 2
    mu = (wg * est).sum() / wg.sum()
    qb = float((wg * (est - mu) ** 2).sum())
    df = len(names) - 1
    return SubgroupResult(groups=fits, q_between=qb, df=df, pvalue=float(stats.chi2.sf(qb, df)))
