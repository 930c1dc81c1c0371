"""A finite mixture of normal distributions: the exact posterior of an N-of-1 effect.

`ldn.analysis.n_of_1` integrates the serial correlation and the residual SD on grids, so the
posterior of the effect δ is Σ_k weights[k] · N(means[k], sds[k]²); its mean, SD, CDF and
quantiles follow exactly from the components.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize, special

from ldn.errors import InputError
from ldn.types import FloatArray


@dataclass(frozen=True, slots=True)
class NormalMixture:
    """Σ_k weights[k] · N(means[k], sds[k]²); the weights sum to 1 (same units as the means)."""

    weights: FloatArray
    means: FloatArray
    sds: FloatArray

    @property
    def mean(self) -> float:
        """The mixture's mean, Σ w·μ."""
        return float(np.sum(self.weights * self.means))

    @property
    def sd(self) -> float:
        """The mixture's SD, from Σ w·(σ² + μ²) − mean²."""
        mean = self.mean
        var = float(np.sum(self.weights * (self.sds**2 + self.means**2))) - mean**2
        return math.sqrt(max(var, 0.0))

    def cdf(self, x: float) -> float:
        """P(X ≤ `x`)."""
        return float(np.sum(self.weights * special.ndtr((x - self.means) / self.sds)))

    def quantile(self, q: float) -> float:
        """The `q` quantile (0 < q < 1), by root finding on the CDF to 1e-12."""
        if not 0.0 < q < 1.0:
            raise InputError(f"quantile level must lie strictly between 0 and 1, got {q}")
        lo = float(np.min(self.means - 40 * self.sds))
        hi = float(np.max(self.means + 40 * self.sds))
        return float(optimize.brentq(lambda x: self.cdf(x) - q, lo, hi, xtol=1e-12))
