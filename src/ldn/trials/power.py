"""Power of a virtual trial and the sample size that reaches a target power.

Power is the fraction of M replicate trials whose primary analysis is significant (two-sided
p < alpha, effect in the beneficial direction), reported with its binomial Monte-Carlo SE and a
Wilson 95 % interval. The sample-size search simulates the replicates once with the largest n
(`n_high`) and analyses the first n slots of every arm for smaller n: common random numbers make
power a (nearly) monotone step function of n, so bisection finds the smallest n whose estimated
power reaches the target.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ldn.errors import InputError
from ldn.figures import save_figure
from ldn.parameters import ParameterSet
from ldn.trials.analysis import Power
from ldn.trials.design import TrialDesign
from ldn.trials.estimand import Estimand, estimand_for
from ldn.trials.primary import Analysed
from ldn.trials.simulate import TrialOutcomes, simulate_trials


@dataclass(frozen=True)
class PowerResult:
    """Power of one design: the estimate, the mean effect and its spread over replicates.

    `estimand`: what is estimated (ICH E9(R1)); `extras`: analysis-specific figures (MMRM
    covariance structure, crossover period and carry-over, power by δ and the tipping point);
    `warnings`: what the user should know about this run (a small pool).
    """

    design: TrialDesign
    power: Power
    mean_effect: float
    sd_effect: float
    pool_size: int | None
    estimand: Estimand | None = None
    extras: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    effect_p2_5: float = float("nan")
    effect_p97_5: float = float("nan")
    parameters_drawn: bool = False

    def summary(self) -> dict[str, Any]:
        """Plain dict for tables and JSON."""
        p = self.power
        out: dict[str, Any] = {
            "design": self.design.describe(),
            "analysis": self.design.analysis_at(self.design.n_per_arm),
            "n_per_arm": int(self.design.n_per_arm),
            "trials": p.n_trials,
            "power": round(p.power, 4),
            "mc_se": round(p.mc_se, 4),
            "ci95_low": round(p.ci_low, 4),
            "ci95_high": round(p.ci_high, 4),
            "pool_se": round(p.pool_se, 4),
            "mean_effect": round(self.mean_effect, 4),
            "sd_effect": round(self.sd_effect, 4),
            "pool_size": self.pool_size,
            "effect_p2_5": round(self.effect_p2_5, 4),
            "effect_p97_5": round(self.effect_p97_5, 4),
            "assurance": round(p.power, 4) if self.parameters_drawn else None,
        }
        out.update(self.extras)
        if self.estimand is not None:
            out["estimand"] = self.estimand.as_dict()
        out["warnings"] = list(self.warnings)
        return out


def pool_warnings(outcomes: TrialOutcomes, n_per_arm: int) -> tuple[str, ...]:
    """A warning when the virtual-patient pool is small for the trial size."""
    from ldn.trials.pool import SMALL_POOL_FACTOR

    size = outcomes.pool_size
    if size is None or size >= SMALL_POOL_FACTOR * n_per_arm:
        return ()
    return (
        f"the pool of {size} virtual patients per arm is small for {n_per_arm} patients per arm "
        f"(patients repeat; the shared pool biases every replicate). The interval includes the "
        f"pool's uncertainty; use --pool {SMALL_POOL_FACTOR * n_per_arm} or more, or --pool 0",
    )


def power_from_outcomes(
    outcomes: TrialOutcomes, n_per_arm: int | None = None, *, parameters_drawn: bool = False
) -> PowerResult:
    """Power and effect distribution at `n_per_arm` from simulated replicates."""
    n = outcomes.n_max if n_per_arm is None else n_per_arm
    analysed = outcomes.analyse_full(n)
    res = analysed.result
    est = res.estimate[np.isfinite(res.estimate)]
    extras = dict(analysed.extras)
    if analysed.by_delta:
        extras.update(_tipping_point(outcomes, analysed))
    design = outcomes.design.with_n(n)
    return PowerResult(
        design=design,
        power=outcomes.power_of(res),
        mean_effect=float(est.mean()) if est.size else float("nan"),
        sd_effect=float(est.std(ddof=1)) if est.size > 1 else float("nan"),
        pool_size=outcomes.pool_size,
        estimand=estimand_for(design, outcomes.endpoint, n),
        extras=extras,
        warnings=pool_warnings(outcomes, n),
        effect_p2_5=float(np.percentile(est, 2.5)) if est.size else float("nan"),
        effect_p97_5=float(np.percentile(est, 97.5)) if est.size else float("nan"),
        parameters_drawn=parameters_drawn,
    )


def _tipping_point(outcomes: TrialOutcomes, analysed: Analysed) -> dict[str, Any]:
    """Power at each δ and the median δ at which a significant trial stops being significant."""
    sig = np.stack([outcomes.significant(r) for _, r in analysed.by_delta])
    deltas = np.array([d for d, _ in analysed.by_delta])
    lost = ~sig & sig[0][None]
    first = np.where(lost.any(axis=0), lost.argmax(axis=0), -1)
    tipping = np.where(first > 0, np.abs(deltas[np.maximum(first, 0)]), np.inf)[sig[0]]
    median = float(np.median(tipping)) if tipping.size else float("nan")
    return {
        "power_by_delta": [
            {"delta": round(float(d), 4), "power": round(float(s.mean()), 4)}
            for d, s in zip(deltas, sig, strict=True)
        ],
        "tipping_point_median": round(median, 4) if np.isfinite(median) else None,
    }


def power_analysis(
    design: TrialDesign, *, params: ParameterSet | None = None, **kwargs: Any
) -> PowerResult:
    """Simulate replicates of `design` (keyword arguments of `simulate_trials`) → power.

    Defaults equal `ldn trial`'s: 1,000 trials, seed 0, pool 5,000, default parameters. With an
    `activity_hook` (parameters drawn per replicate) the power is the assurance.
    """
    from ldn.parameters import default_parameters

    params = params if params is not None else default_parameters()
    drawn = kwargs.get("activity_hook") is not None
    return power_from_outcomes(
        simulate_trials(design, params=params, **kwargs), parameters_drawn=drawn
    )


@dataclass(frozen=True)
class SampleSizeResult:
    """Smallest n per arm reaching `target` power (None if not within `n_high`), and the curve."""

    design: TrialDesign
    target: float
    n_per_arm: int | None
    power_at_n: Power | None
    curve: tuple[tuple[int, Power], ...] = field(default_factory=tuple)
    n_interval: tuple[int | None, int | None] = (None, None)
    estimand: Estimand | None = None
    warnings: tuple[str, ...] = ()

    def summary(self) -> dict[str, Any]:
        """Plain dict for tables and JSON."""
        at = self.power_at_n
        return {
            "design": self.design.describe(),
            "analysis": self.design.analysis_at(self.n_per_arm or self.design.n_per_arm),
            "target": self.target,
            "n_per_arm": self.n_per_arm,
            "n_per_arm_ci95": list(self.n_interval),
            "power": None if at is None else round(at.power, 4),
            "ci95": None if at is None else [round(at.ci_low, 4), round(at.ci_high, 4)],
            "estimand": None if self.estimand is None else self.estimand.as_dict(),
            "warnings": list(self.warnings),
            "curve": [
                {
                    "n_per_arm": n,
                    "power": round(p.power, 4),
                    "ci95_low": round(p.ci_low, 4),
                    "ci95_high": round(p.ci_high, 4),
                }
                for n, p in self.curve
            ],
        }

    def plot(self, path: Path) -> Path:
        """Power curve with its 95 % intervals and the target line, saved to `path`."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        ns = np.array([n for n, _ in self.curve])
        pw = np.array([p.power for _, p in self.curve])
        lo = np.array([p.ci_low for _, p in self.curve])
        hi = np.array([p.ci_high for _, p in self.curve])
        fig, ax = plt.subplots(figsize=(6.4, 4.0))
        ax.fill_between(ns, lo, hi, alpha=0.25, label="95 % Monte-Carlo interval")
        ax.plot(ns, pw, marker="o", label="estimated power")
        ax.axhline(self.target, color="grey", linestyle="--", label=f"target {self.target:.0%}")
        if self.n_per_arm is not None:
            ax.axvline(self.n_per_arm, color="C3", linestyle=":", label=f"n = {self.n_per_arm}")
        ax.set_xscale("log")
        ax.set_xlabel("patients per arm")
        ax.set_ylabel("power")
        ax.set_ylim(0, 1)
        ax.set_title(self.design.describe(), fontsize=8)
        ax.legend(fontsize=8, loc="lower right")
        fig.tight_layout()
        save_figure(fig, path)
        return path


def search_sample_size(
    outcomes: TrialOutcomes, target: float, *, n_low: int = 2
) -> SampleSizeResult:
    """Bisection over n in [n_low, outcomes.n_max] on simulated replicates (no new simulation).

    The Monte-Carlo interval of n: the smallest n whose power interval's upper end reaches
    the target, and the smallest whose lower end does (None when not within n_max).
    """
    if not 0.0 < target < 1.0:
        raise InputError(f"target power {target} must lie in (0, 1); for 90 % write 0.9")
    n_high = outcomes.n_max
    n_low = max(2, n_low)
    cache: dict[int, Power] = {}

    def pw(n: int) -> Power:
        if n not in cache:
            cache[n] = outcomes.power(n)
        return cache[n]

    def smallest(key: Callable[[Power], float]) -> int | None:
        if key(pw(n_high)) < target:
            return None
        lo, hi = n_low, n_high
        if key(pw(lo)) >= target:
            return lo
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if key(pw(mid)) >= target:
                hi = mid
            else:
                lo = mid
        return hi

    found = smallest(lambda p: p.power)
    interval = (smallest(lambda p: p.ci_high), smallest(lambda p: p.ci_low))
    grid = np.unique(np.geomspace(n_low, n_high, 14).astype(int))
    for n in grid:
        pw(int(n))
    curve = tuple(sorted(cache.items()))
    design = outcomes.design.with_n(found) if found is not None else outcomes.design
    at = found if found is not None else n_high
    return SampleSizeResult(
        design=design,
        target=target,
        n_per_arm=found,
        power_at_n=None if found is None else cache[found],
        curve=curve,
        n_interval=interval,
        estimand=estimand_for(design, outcomes.endpoint, at),
        warnings=pool_warnings(outcomes, at),
    )


def sample_size(
    design: TrialDesign,
    *,
    target: float = 0.9,
    params: ParameterSet | None = None,
    n_high: int = 1000,
    n_trials: int = 500,
    **kwargs: Any,
) -> SampleSizeResult:
    """Simulate replicates with `n_high` patients per arm, then search n for `target` power.

    Defaults equal `ldn power`'s: target 0.9, n up to 1,000, 500 trials, seed 0, pool 5,000.
    """
    from ldn.parameters import default_parameters

    params = params if params is not None else default_parameters()
    kwargs["n_trials"] = n_trials
    if n_high < design.n_per_arm:
        n_high = design.n_per_arm
    outcomes = simulate_trials(design, params=params, n_max=n_high, **kwargs)
    return search_sample_size(outcomes, target)
