"""The sampler settings of `ldn calibrate`: one definition of their defaults and limits.

A light module (NumPy and the ensemble settings only), so the command line can show these
defaults without importing the model (`ldn.mechanisms.fit` runs the fit).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ldn.calibration.ensemble import EnsembleSettings
from ldn.errors import InputError


@dataclass(frozen=True)
class FitSettings(EnsembleSettings):
    """The ensemble's settings (`ldn calibrate` defaults) plus thinning and prediction draws."""

    walkers: int = 32
    burn: int = 2000
    steps: int = 8000
    seed: int = 20241231
    thin: int = 20
    predict_draws: int = 1000

    MINIMUM: ClassVar[dict[str, int]] = {**EnsembleSettings.MINIMUM, "thin": 1, "predict_draws": 1}

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.thin > self.steps:
            raise InputError(
                f"sampler setting thin ({self.thin}) must not exceed steps ({self.steps}): "
                "no step would be kept"
            )
