"""Global sensitivity (Sobol) of the chain's headline outputs, and the hypothesis' failure map.

`sobol_analysis(condition, params)` varies every chain parameter that has a plausible range
(parameters_chain.toml; kernel parameters plus the condition's scale parameters, except the
measurement noise, which does not change expected values) uniformly over its range, samples with
SALib's Saltelli/Sobol' sequence and runs all samples through the compiled batch kernel. Outputs:

- `signalling_gain`: mean net opioid signalling over day 84 on 4.5 mg at 22:00, relative to the
  untreated 24-h mean (1 = no change);
- `<scale>_vs_placebo`: LDN − placebo change on each of the condition's scales at 12 weeks.

`failure_map(condition, params, x, y)` scans two parameters on a grid and reports where the
hypothesis fails: LDN lowers daily signalling (`signalling_gain < 1`), or 50 mg/day helps at
least as much as LDN (its signalling is at least LDN's, so its disease change is no worse).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ldn.errors import InputError
from ldn.figures import save_figure
from ldn.model.chain import (
    ACTIVITY_INDEX,
    N_STATES,
    UPREGULATION_GAINS,
    file_parameter_names,
    parameter_matrix,
)
from ldn.model.disease import get_condition
from ldn.model.disease.base import H_PER_WEEK, ScaleParams, expected_score
from ldn.parameters import ParameterSet
from ldn.simulation.scenarios import DEFAULT_DT_H, HEADLINE_WEEKS, arm_drives
from ldn.types import FloatArray

_SCALE_FIELDS = ("baseline", "placebo_change", "placebo_tau_weeks", "drift_per_week")
Progress = Callable[[int, int], None]


def ranged_parameters(condition: str, params: ParameterSet, *, tlr4: bool = False) -> list[str]:
    """Dotted names of the parameters varied for `condition` (those with a non-empty range)."""
    cond = get_condition(condition)
    names = list(file_parameter_names(cond.name))
    for scale in cond.scales:
        names += [f"{cond.prefix}.{scale.column}.{f}" for f in _SCALE_FIELDS]
    if not tlr4:
        names = [n for n in names if not n.startswith("immune.tlr4_")]
    out = []
    for name in names:
        p = params[name]
        if p.low is not None and p.high is not None and p.high > p.low:
            out.append(name)
    return out


def evaluate(
    condition: str,
    params: ParameterSet,
    values: dict[str, FloatArray],
    *,
    tlr4: bool = False,
    dt_h: float = DEFAULT_DT_H,
    weeks: float = HEADLINE_WEEKS,
    arms: Sequence[str] = ("ldn_bedtime",),
    chunk: int = 512,
    progress: Progress | None = None,
) -> dict[str, FloatArray]:
    """Headline outputs for samples `values` (dotted name → array (n,)) and each arm in `arms`.

    Returns `{arm}_signalling_gain` and `{arm}_{scale}_vs_placebo` arrays of shape (n,).
    """
    from ldn.solve.compiled import integrate_chain

    cond = get_condition(condition)
    n = len(next(iter(values.values()))) if values else 1
    kernel_names = set(file_parameter_names(cond.name))
    scale_names = {f"{cond.prefix}.{s.column}.{f}" for s in cond.scales for f in _SCALE_FIELDS}
    unknown = sorted(set(values) - kernel_names - scale_names)
    if unknown:
        raise InputError(
            f"cannot vary {unknown} for {cond.name!r}: not a parameter of its chain; choose from "
            f"{', '.join(sorted(kernel_names | scale_names))}"
        )
    overrides: dict[str, FloatArray | float] = {
        k: np.asarray(v, dtype=np.float64) for k, v in values.items() if k in kernel_names
    }
    pmat = parameter_matrix(params, cond.name, tlr4=tlr4, overrides=overrides, n_patients=n)
    n_steps, drives = arm_drives(params, weeks=weeks, dt_h=dt_h)
    t_end = np.full(n, weeks * H_PER_WEEK)
    out: dict[str, FloatArray] = {}
    total = n * len(arms)
    done = 0
    for arm in arms:
        final = np.empty((n, N_STATES))
        gain = np.empty(n)
        for start in range(0, n, chunk):
            stop = min(n, start + chunk)
            sol = integrate_chain(drives[arm], pmat[start:stop], dt_h, n_steps)
            final[start:stop] = sol.final_state
            gain[start:stop] = sol.mean_signalling
            done += stop - start
            if progress is not None:
                progress(done, total)
        out[f"{arm}_signalling_gain"] = gain
        for scale in cond.scales:
            head = f"{cond.prefix}.{scale.column}"

            def get(field: str, head: str = head) -> FloatArray:
                name = f"{head}.{field}"
                return np.asarray(values.get(name, params.value(name)), dtype=np.float64)

            sp = ScaleParams(
                baseline=get("baseline"),  # type: ignore[arg-type]
                placebo_change=get("placebo_change"),  # type: ignore[arg-type]
                placebo_tau_h=get("placebo_tau_weeks") * H_PER_WEEK,  # type: ignore[arg-type]
                drift_per_week=get("drift_per_week"),  # type: ignore[arg-type]
                noise_sd=0.0,
                readout_h=cond.readout_weeks * H_PER_WEEK,
            )
            treated = expected_score(final[:, ACTIVITY_INDEX], t_end, scale, sp)
            placebo = expected_score(np.ones(n), t_end, scale, sp)
            out[f"{arm}_{scale.column}_vs_placebo"] = treated - placebo
    return out


def sobol_indices(
    problem: dict[str, Any],
    model: Callable[[FloatArray], dict[str, FloatArray]],
    n: int,
    *,
    seed: int = 0,
) -> dict[str, dict[str, FloatArray]]:
    """First-order and total Sobol indices (SALib Saltelli/Sobol') of each output of `model`.

    `model(X)` maps samples (n_samples, n_params) to named output arrays. Returns, per output,
    `S1`, `S1_conf`, `ST`, `ST_conf` arrays over the problem's parameters.
    """
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    if n < 2 or n & (n - 1):
        raise InputError(f"n = {n}: the Sobol' sample size must be a power of 2 (e.g. 64, 128)")
    if seed < 0:
        raise InputError(f"seed = {seed}: the Sobol' seed must be a non-negative integer (e.g. 0)")
    x = sobol_sample.sample(problem, n, calc_second_order=False, seed=seed)
    outputs = model(x)
    result = {}
    for name, y in outputs.items():
        y = np.asarray(y, dtype=np.float64)
        if np.ptp(y) == 0.0:  # output does not vary (e.g. no effect): all indices are zero
            zeros = np.zeros(problem["num_vars"])
            result[name] = {"S1": zeros, "S1_conf": zeros, "ST": zeros, "ST_conf": zeros}
            continue
        res = sobol_analyze.analyze(problem, y, calc_second_order=False, seed=seed)
        result[name] = {k: np.asarray(res[k]) for k in ("S1", "S1_conf", "ST", "ST_conf")}
    return result


@dataclass(frozen=True)
class SobolResult:
    """Sobol indices of the headline outputs of one condition (one row per parameter/output)."""

    condition: str
    n: int
    parameters: tuple[str, ...]
    indices: dict[str, dict[str, FloatArray]]

    def summary_frame(self) -> pd.DataFrame:
        """Long table: output, parameter, S1, S1_conf, ST, ST_conf, rank (by ST within output)."""
        rows = []
        for output, idx in self.indices.items():
            order = np.argsort(-idx["ST"], kind="stable")
            rank = np.empty_like(order)
            rank[order] = np.arange(1, order.size + 1)
            for j, name in enumerate(self.parameters):
                rows.append(
                    {
                        "output": output,
                        "parameter": name,
                        "S1": float(idx["S1"][j]),
                        "S1_conf": float(idx["S1_conf"][j]),
                        "ST": float(idx["ST"][j]),
                        "ST_conf": float(idx["ST_conf"][j]),
                        "rank": int(rank[j]),
                    }
                )
        return pd.DataFrame(rows).sort_values(["output", "rank"]).reset_index(drop=True)

    def top(self, output: str, k: int = 3) -> list[str]:
        """The `k` parameters with the largest total index for `output`."""
        st = self.indices[output]["ST"]
        return [self.parameters[j] for j in np.argsort(-st, kind="stable")[:k]]

    def plot(self, path: str | None = None, k: int = 10) -> Any:
        """Bar chart of total (ST) and first-order (S1) indices, top `k` per output."""
        import matplotlib.pyplot as plt

        outputs = list(self.indices)
        fig, axes = plt.subplots(1, len(outputs), figsize=(5.5 * len(outputs), 0.45 * k + 1.5))
        axes = np.atleast_1d(axes)
        for ax, output in zip(axes, outputs, strict=True):
            idx = self.indices[output]
            order = np.argsort(-idx["ST"], kind="stable")[:k][::-1]
            labels = [self.parameters[j] for j in order]
            y = np.arange(len(order))
            ax.barh(y + 0.2, idx["ST"][order], height=0.4, label="total (ST)")
            ax.barh(y - 0.2, idx["S1"][order], height=0.4, label="first order (S1)")
            ax.set_yticks(y, labels, fontsize=8)
            ax.set_xlabel("Sobol index")
            ax.set_title(output, fontsize=9)
        axes[0].legend(fontsize=8)
        fig.suptitle(f"Sobol sensitivity, {self.condition} (N = {self.n})")
        fig.tight_layout()
        return save_figure(fig, path)


def sobol_analysis(
    condition: str,
    params: ParameterSet,
    *,
    n: int = 64,
    seed: int = 0,
    tlr4: bool = False,
    weeks: float = HEADLINE_WEEKS,
    progress: Progress | None = None,
) -> SobolResult:
    """Sobol indices of the condition's headline outputs over all ranged chain parameters.

    Outputs are read at `weeks` (default 12; signalling is the mean over the last day).
    """
    cond = get_condition(condition)
    names = ranged_parameters(cond.name, params, tlr4=tlr4)
    bounds = [[params[k].low, params[k].high] for k in names]
    problem = {"num_vars": len(names), "names": names, "bounds": bounds}

    def model(x: FloatArray) -> dict[str, FloatArray]:
        values = {name: x[:, j] for j, name in enumerate(names)}
        res = evaluate(cond.name, params, values, tlr4=tlr4, weeks=weeks, progress=progress)
        return {k.removeprefix("ldn_bedtime_"): v for k, v in res.items()}

    return SobolResult(cond.name, n, tuple(names), sobol_indices(problem, model, n, seed=seed))


@dataclass(frozen=True)
class FailureMap:
    """Signalling of LDN (22:00) and 50 mg/day on a grid of two parameters (arrays (ny, nx))."""

    condition: str
    x_name: str
    y_name: str
    x: FloatArray
    y: FloatArray
    ldn_signalling: FloatArray
    high_dose_signalling: FloatArray

    @property
    def ldn_lowers_signalling(self) -> FloatArray:
        """True where LDN's daily net signalling is below the untreated baseline."""
        return np.asarray(self.ldn_signalling < 1.0)

    @property
    def high_dose_as_good(self) -> FloatArray:
        """True where 50 mg/day gives at least LDN's signalling (so helps as much or more)."""
        return np.asarray(self.high_dose_signalling >= self.ldn_signalling)

    @property
    def fails(self) -> FloatArray:
        """True where the hypothesis fails in either way."""
        return np.asarray(np.logical_or(self.ldn_lowers_signalling, self.high_dose_as_good))

    def plot(self, path: str | None = None) -> Any:
        """LDN signalling gain as a colour map with the failure regions outlined."""
        import matplotlib.pyplot as plt
        from matplotlib.colors import TwoSlopeNorm

        fig, ax = plt.subplots(figsize=(6, 4.5))
        lo = min(float(self.ldn_signalling.min()), 0.99)
        hi = max(float(self.ldn_signalling.max()), 1.01)
        mesh = ax.pcolormesh(self.x, self.y, self.ldn_signalling, shading="gouraud", cmap="RdBu",
                             norm=TwoSlopeNorm(vcenter=1.0, vmin=lo, vmax=hi))  # fmt: skip
        fig.colorbar(mesh, ax=ax, label="LDN 4.5 mg 22:00: daily net signalling (rel.)")
        fields = (
            (self.ldn_signalling - 1.0, "-", "LDN signalling = baseline"),
            (self.high_dose_signalling - self.ldn_signalling, "--", "50 mg = LDN"),
        )
        for field, style, label in fields:
            if field.min() < 0.0 < field.max() and min(field.shape) > 1:
                ax.contour(self.x, self.y, field, levels=[0.0], colors="k", linestyles=style)
            ax.plot([], [], "k" + style, label=label)
        ax.set_xlabel(self.x_name)
        ax.set_ylabel(self.y_name)
        ax.legend(fontsize=8, loc="upper right")
        ax.set_title(f"Where the LDN hypothesis fails ({self.condition})", fontsize=10)
        fig.tight_layout()
        return save_figure(fig, path)


def failure_map(
    condition: str,
    params: ParameterSet,
    x: tuple[str, FloatArray],
    y: tuple[str, FloatArray],
    *,
    fixed: dict[str, float] | None = None,
    tlr4: bool = False,
) -> FailureMap:
    """Scan parameters `x = (name, values)` and `y` on a grid; other values from `fixed`/defaults.

    Names are dotted parameter names, or `rebound.gain_scale`, a factor on all four
    upregulation gains at once.
    """
    (xn, xv), (yn, yv) = x, y
    xv, yv = np.asarray(xv, dtype=np.float64), np.asarray(yv, dtype=np.float64)
    gx, gy = np.meshgrid(xv, yv)
    values: dict[str, FloatArray] = {k: np.full(gx.size, v) for k, v in (fixed or {}).items()}
    for name, grid in ((xn, gx), (yn, gy)):
        if name == "rebound.gain_scale":
            for g in UPREGULATION_GAINS:
                base = values.get(g, np.full(gx.size, params.value(g)))
                values[g] = base * grid.ravel()
        else:
            values[name] = grid.ravel().copy()
    res = evaluate(condition, params, values, tlr4=tlr4, arms=("ldn_bedtime", "high_dose"))
    return FailureMap(
        get_condition(condition).name,
        xn,
        yn,
        xv,
        yv,
        res["ldn_bedtime_signalling_gain"].reshape(gx.shape),
        res["high_dose_signalling_gain"].reshape(gx.shape),
    )
