"""Trial endpoints: a condition's clinical scale, its per-patient baseline and its responder rule.

The score model is the disease module's (`ldn.model.disease.base.expected_score`): the burden
b(t) = b0·A(t)·drift(t)·placebo(t) is linear in the latent activity A, so a patient whose
baseline burden is `ratio` times the condition's typical baseline gets exactly
`expected_score(ratio·A, …)`. Baseline ratios are normal around 1 with the condition's relative
SD (`population.baseline.*`), truncated at 0.05. Measurement noise is the module's `noise_sd`,
drawn per patient and visit from the population's noise stream; scores are clipped to the scale.
The responder rule is the scale's (`Scale.responder_rule`, from `ldn/data/scales.toml`): its
MID, or its own sourced trial responder threshold where that differs; there is no second copy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ldn.errors import InputError
from ldn.model.disease import ScaleParams
from ldn.model.disease.base import expected_score
from ldn.parameters import ParameterSet
from ldn.scales import Scale
from ldn.types import BoolArray, FloatArray

MIN_BASELINE_RATIO = 0.05


@dataclass(frozen=True)
class EndpointSpec:
    """The primary scale of a condition with everything a virtual trial needs to observe it."""

    condition: str
    scale: Scale
    scale_params: ScaleParams
    baseline_cv: float

    @classmethod
    def from_parameters(
        cls, params: ParameterSet, condition: str, scale: str | None = None
    ) -> EndpointSpec:
        """The condition's first (primary) scale, or the scale whose column is `scale`."""
        from ldn.model.chain import scale_parameters
        from ldn.model.disease import get_condition

        cond = get_condition(condition)
        scales = {s.column: s for s in cond.scales}
        column = scale or cond.scales[0].column
        if column not in scales:
            raise InputError(
                f"scale {column!r} is not a scale of {cond.name}; choose one of {sorted(scales)}"
            )
        baseline = params.group("population.baseline")
        return cls(
            condition=cond.name,
            scale=scales[column],
            scale_params=scale_parameters(params, cond.name)[column],
            baseline_cv=baseline.get(f"{cond.name}_cv", baseline["default_cv"]),
        )

    @property
    def benefit_sign(self) -> float:
        """−1 when a lower score is better (CDAI, NRS), +1 when higher is better (SF-36)."""
        return -1.0 if self.scale.higher_is_worse else 1.0

    @property
    def score_sd(self) -> float:
        """Between-patient SD of one visit's score: baseline spread and measurement noise."""
        spread = self.baseline_cv * self.scale_params.baseline
        return float(np.hypot(spread, self.scale_params.noise_sd))

    def baseline_ratio(self, z: FloatArray) -> FloatArray:
        """Per-patient baseline burden relative to the condition's typical one."""
        return np.maximum(1.0 + self.baseline_cv * z, MIN_BASELINE_RATIO)

    def expected(
        self, activity_rel: FloatArray, t_h: FloatArray, ratio: FloatArray, *, placebo: bool = True
    ) -> FloatArray:
        """Expected scores (n, n_t) for activity (n, n_t) at times `t_h` (n_t,) and ratios (n,)."""
        return expected_score(
            activity_rel * ratio[:, None], t_h, self.scale, self.scale_params, placebo=placebo
        )

    def observe(self, expected: FloatArray, z_noise: FloatArray) -> FloatArray:
        """Observed scores: expected + noise_sd·z, clipped to the scale's bounds."""
        noisy = expected + self.scale_params.noise_sd * z_noise
        return np.clip(noisy, self.scale.low, self.scale.high)

    def responder(self, baseline: FloatArray, final: FloatArray) -> BoolArray:
        """True where the improvement from baseline meets the scale's responder rule."""
        improvement = (baseline - final) * -self.benefit_sign
        rule = self.scale.responder_rule
        if not rule.relative:
            return improvement >= rule.threshold
        burden0 = baseline if self.scale.higher_is_worse else self.scale.high - baseline
        with np.errstate(divide="ignore", invalid="ignore"):
            return improvement >= rule.threshold * burden0
