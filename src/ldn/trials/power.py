"""Power of a virtual trial and the sample size that reaches a target power.

Power is the fraction of M replicate trials whose primary analysis is significant (two-sided
p < alpha, effect in the beneficial direction), reported with its binomial Monte-Carlo SE and a
Wilson 95 % interval. The sample-size search simulates the replicates once with the largest n
(`n_high`) and analyses the first n slots of every arm for smaller n: common random numbers make
power a (nearly) monotone step function of n, so bisection finds the smallest n whose estimated
power reaches the target.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ldn.errors import InputError
from ldn.parameters import ParameterSet
from ldn.trials.analysis import Power
from ldn.trials.design import TrialDesign
from ldn.trials.simulate import TrialOutcomes, simulate_trials


@dataclass(frozen=True)
class PowerResult:
    """Power of one design: the estimate, the mean effect and its spread over replicates."""

    design: TrialDesign
    power: Power
    mean_effect: float
    sd_effect: float
    pool_size: int | None
    effect_p2_5: float = float("nan")
    effect_p97_5: float = float("nan")
    parameters_drawn: bool = False

    def summary(self) -> dict[str, Any]:
        """Plain dict for tables and JSON."""
        p = self.power
        return {
            "design": self.design.describe(),
            "n_per_arm": self.design.n_per_arm,
            "trials": p.n_trials,
            "power": round(p.power, 4),
            "mc_se": round(p.mc_se, 4),
            "ci95_low": round(p.ci_low, 4),
            "ci95_high": round(p.ci_high, 4),
            "mean_effect": round(self.mean_effect, 4),
            "sd_effect": round(self.sd_effect, 4),
            "pool_size": self.pool_size,
            "effect_p2_5": round(self.effect_p2_5, 4),
            "effect_p97_5": round(self.effect_p97_5, 4),
            "assurance": round(p.power, 4) if self.parameters_drawn else None,
        }


def power_from_outcomes(
    outcomes: TrialOutcomes, n_per_arm: int | None = None, *, parameters_drawn: bool = False
) -> PowerResult:
    """Power and effect distribution at `n_per_arm` from simulated replicates."""
    n = outcomes.n_max if n_per_arm is None else n_per_arm
    res = outcomes.analyse(n)
    est = res.estimate[np.isfinite(res.estimate)]
    return PowerResult(
        design=outcomes.design.with_n(n),
        power=outcomes.power(n),
        mean_effect=float(est.mean()) if est.size else float("nan"),
        sd_effect=float(est.std(ddof=1)) if est.size > 1 else float("nan"),
        pool_size=outcomes.pool_size,
        effect_p2_5=float(np.percentile(est, 2.5)) if est.size else float("nan"),
        effect_p97_5=float(np.percentile(est, 97.5)) if est.size else float("nan"),
        parameters_drawn=parameters_drawn,
    )


def power_analysis(design: TrialDesign, *, params: ParameterSet, **kwargs: Any) -> PowerResult:
    """Simulate replicates of `design` (keyword arguments of `simulate_trials`) → power.

    With an `activity_hook` (parameters drawn per replicate) the power is the assurance.
    """
    drawn = kwargs.get("activity_hook") is not None
    return power_from_outcomes(simulate_trials(design, params=params, **kwargs),
                               parameters_drawn=drawn)  # fmt: skip


@dataclass(frozen=True)
class SampleSizeResult:
    """Smallest n per arm reaching `target` power (None if not within `n_high`), and the curve."""

    design: TrialDesign
    target: float
    n_per_arm: int | None
    power_at_n: Power | None
    curve: tuple[tuple[int, Power], ...] = field(default_factory=tuple)

    def summary(self) -> dict[str, Any]:
        """Plain dict for tables and JSON."""
        return {
            "design": self.design.describe(),
            "target": self.target,
            "n_per_arm": self.n_per_arm,
            "power": None if self.power_at_n is None else round(self.power_at_n.power, 4),
            "ci95": None
            if self.power_at_n is None
            else [round(self.power_at_n.ci_low, 4), round(self.power_at_n.ci_high, 4)],
            "curve": [{"n_per_arm": n, "power": round(p.power, 4)} for n, p in self.curve],
        }

    def plot(self, path: Path) -> Path:
        """Power curve with Wilson intervals and the target line, saved to `path`."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        ns = np.array([n for n, _ in self.curve])
        pw = np.array([p.power for _, p in self.curve])
        lo = np.array([p.ci_low for _, p in self.curve])
        hi = np.array([p.ci_high for _, p in self.curve])
        fig, ax = plt.subplots(figsize=(6.4, 4.0))
        ax.fill_between(ns, lo, hi, alpha=0.25, label="Wilson 95 % interval")
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
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=120)
        plt.close(fig)
        return path


def search_sample_size(
    outcomes: TrialOutcomes, target: float, *, n_low: int = 2
) -> SampleSizeResult:
    """Bisection over n in [n_low, outcomes.n_max] on simulated replicates (no new simulation)."""
    if not 0.0 < target < 1.0:
        raise InputError(f"target power {target} must lie in (0, 1); for 90 % write 0.9")
    n_high = outcomes.n_max
    n_low = max(2, n_low)
    cache: dict[int, Power] = {}

    def pw(n: int) -> Power:
        if n not in cache:
            cache[n] = outcomes.power(n)
        return cache[n]

    found: int | None = None
    if pw(n_high).power >= target:
        lo, hi = n_low, n_high
        if pw(lo).power >= target:
            hi = lo
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if pw(mid).power >= target:
                hi = mid
            else:
                lo = mid
        found = hi
    grid = np.unique(np.geomspace(n_low, n_high, 14).astype(int))
    for n in grid:
        pw(int(n))
    curve = tuple(sorted(cache.items()))
    design = outcomes.design.with_n(found) if found is not None else outcomes.design
    return SampleSizeResult(
        design=design,
        target=target,
        n_per_arm=found,
        power_at_n=None if found is None else cache[found],
        curve=curve,
    )


def sample_size(
    design: TrialDesign,
    *,
    target: float,
    params: ParameterSet,
    n_high: int = 1000,
    **kwargs: Any,
) -> SampleSizeResult:
    """Simulate replicates with `n_high` patients per arm, then search n for `target` power."""
    if n_high < design.n_per_arm:
        n_high = design.n_per_arm
    outcomes = simulate_trials(design, params=params, n_max=n_high, **kwargs)
    return search_sample_size(outcomes, target)
