"""Forest and funnel plots for `MetaResult` (matplotlib imported inside each function)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import numpy as np
import numpy.typing as npt
from scipy import stats

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

FloatArray = npt.NDArray[np.float64]


class MetaResult(Protocol):
    """What the plots read of an `ldn.evidence.meta.MetaResult` (no import cycle)."""

    @property
    def method(self) -> str: ...

    @property
    def measure(self) -> str: ...

    @property
    def hksj(self) -> bool: ...

    @property
    def k(self) -> int: ...

    @property
    def estimate(self) -> float: ...

    @property
    def ci_low(self) -> float: ...

    @property
    def ci_high(self) -> float: ...

    @property
    def pi_low(self) -> float: ...

    @property
    def pi_high(self) -> float: ...

    @property
    def alpha(self) -> float: ...

    @property
    def i2(self) -> float: ...

    @property
    def yi(self) -> FloatArray: ...

    @property
    def vi(self) -> FloatArray: ...

    @property
    def weights(self) -> FloatArray: ...

    @property
    def labels(self) -> tuple[str, ...]: ...

    @property
    def is_ratio(self) -> bool: ...


_AXIS_LABEL = {
    "SMD": "standardised mean difference (Hedges' g)",
    "MD": "mean difference",
    "RR": "risk ratio",
    "OR": "odds ratio",
    "RD": "risk difference",
    "GEN": "effect",
}


def forest(res: MetaResult, ax: Axes | None = None, *, title: str = "") -> Axes:
    """Studies as squares (area ∝ weight) with 95 % CIs, the pooled diamond, and the
    prediction interval as a line through the diamond. Ratios are drawn on a log axis."""
    import matplotlib.pyplot as plt

    k = res.k
    if ax is None:
        _, ax = plt.subplots(figsize=(8.0, 1.6 + 0.45 * (k + 2)))
    crit = stats.norm.isf(res.alpha / 2)
    se = np.sqrt(res.vi)
    lo, hi = res.yi - crit * se, res.yi + crit * se
    tr = np.exp if res.is_ratio else (lambda x: x)
    labels = list(res.labels) if res.labels else [f"study {i + 1}" for i in range(k)]
    ys = np.arange(k, 0, -1) + 1.0
    sizes = 30 + 250 * res.weights / max(float(res.weights.max()), 1e-12)
    ax.hlines(ys, tr(lo), tr(hi), color="0.2", lw=1.2)
    ax.scatter(tr(res.yi), ys, s=sizes, marker="s", color="tab:blue", zorder=3)
    text = [
        f"{tr(y):.2f} [{tr(a):.2f}, {tr(b):.2f}]" for y, a, b in zip(res.yi, lo, hi, strict=True)
    ]
    y0 = 0.6
    if k >= 2:
        mu, cl, ch = res.estimate, res.ci_low, res.ci_high
        diamond_x = tr(np.array([cl, mu, ch, mu]))
        ax.fill(diamond_x, [y0, y0 + 0.3, y0, y0 - 0.3], color="tab:red", zorder=3)
        if np.isfinite(res.pi_low) and res.method != "FE":
            ax.hlines(
                y0,
                tr(res.pi_low),
                tr(res.pi_high),
                color="tab:red",
                lw=1.0,
                ls="--",
                label="95 % prediction interval",
            )
            ax.legend(loc="lower right", fontsize=8, frameon=False)
        pooled_label = f"Pooled ({res.method}{', HKSJ' if res.hksj else ''}); I² = {res.i2:.0f} %"
        labels_all = [*labels, pooled_label]
        text.append(f"{tr(mu):.2f} [{tr(cl):.2f}, {tr(ch):.2f}]")
        y_all = [*ys.tolist(), y0]
    else:
        labels_all, y_all = labels, ys.tolist()
    ax.axvline(1.0 if res.is_ratio else 0.0, color="0.5", lw=0.8)
    if res.is_ratio:
        ax.set_xscale("log")
    ax.set_yticks(y_all)
    ax.set_yticklabels(labels_all, fontsize=8)
    sec = ax.secondary_yaxis("right")
    sec.set_yticks(y_all)
    sec.set_yticklabels(text, fontsize=8)
    sec.tick_params(length=0)
    ax.set_ylim((y0 if k >= 2 else ys.min()) - 0.8, ys.max() + 0.8)
    ax.set_xlabel(_AXIS_LABEL.get(res.measure, "effect"))
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def funnel(res: MetaResult, ax: Axes | None = None, *, title: str = "") -> Axes:
    """Effect (analysis scale) against its standard error, y axis inverted, with the pooled
    estimate and pseudo-95 % limits estimate ± 1.96·SE."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 4.5))
    se = np.sqrt(res.vi)
    top = float(se.max()) * 1.1
    grid = np.linspace(0.0, top, 50)
    crit = stats.norm.isf(res.alpha / 2)
    ax.plot(res.estimate - crit * grid, grid, color="0.5", ls="--", lw=0.8)
    ax.plot(res.estimate + crit * grid, grid, color="0.5", ls="--", lw=0.8)
    ax.axvline(res.estimate, color="tab:red", lw=1.0)
    ax.scatter(res.yi, se, color="tab:blue", zorder=3)
    ax.set_ylim(top, 0.0)
    unit = f"log {res.measure}" if res.is_ratio else _AXIS_LABEL.get(res.measure, "effect")
    ax.set_xlabel(unit)
    ax.set_ylabel("standard error")
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def forest_grid(results: dict[str, MetaResult], *, title: str = "") -> object:
    """One forest panel per entry of `results` (e.g. per condition), stacked; returns the Figure."""
    import matplotlib.pyplot as plt

    heights = [r.k + (2.5 if r.k >= 2 else 1.2) for r in results.values()]
    fig, axes = plt.subplots(
        len(results),
        1,
        figsize=(9.0, 1.0 + 0.45 * sum(heights)),
        gridspec_kw={"height_ratios": heights},
        squeeze=False,
        sharex=True,
    )
    for ax, (name, res) in zip(axes[:, 0], results.items(), strict=True):
        forest(res, ax=ax, title=name)
    if title:
        fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    return fig


def plot_cumulative(frame: pd.DataFrame, *, title: str = "") -> Figure:
    """Cumulative meta-analysis (rows of `cumulative_meta`): the pooled estimate and 95 % CI
    after each trial, in order of publication."""
    from matplotlib.figure import Figure

    n = len(frame)
    fig = Figure(figsize=(7.5, 1.4 + 0.5 * n), layout="constrained")
    ax = fig.add_subplot()
    ys = np.arange(n, 0, -1)
    ax.hlines(ys, frame["ci_low"], frame["ci_high"], color="0.2", lw=1.4)
    ax.plot(frame["estimate"], ys, "D", color="#4a6fa5")
    ax.axvline(0, color="0.5", lw=0.8, ls="--")
    ax.set_yticks(
        ys,
        [
            f"+ {s} ({y}): k = {k}, n = {nt}"
            for s, y, k, nt in zip(
                frame["study_id"], frame["year"], frame["k"], frame["n_total"], strict=True
            )
        ],
    )
    ax.set_xlabel("pooled SMD after each trial (95 % CI); > 0 favours LDN")
    ax.set_title(title)
    return fig
