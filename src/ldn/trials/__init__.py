"""Virtual trials: designs, endpoints, analyses, power and sample size, model vs evidence.

>>> from ldn.parameters import default_parameters
>>> from ldn.regimen import daily
>>> from ldn.trials import Arm, TrialDesign, power_analysis
>>> design = TrialDesign(condition="fibromyalgia", kind="parallel",
...     treatment=Arm("LDN", daily(4.5, "22:00")), control=Arm("placebo", None),
...     n_per_arm=50, weeks=12)
>>> power_analysis(design, params=default_parameters(), n_trials=1000, seed=0)  # doctest: +SKIP
"""

from __future__ import annotations

from ldn.population.endpoints import EndpointSpec
from ldn.trials.design import Arm, TrialDesign
from ldn.trials.evidence import compare_with_evidence, published_trials
from ldn.trials.power import (
    PowerResult,
    SampleSizeResult,
    power_analysis,
    sample_size,
    search_sample_size,
)
from ldn.trials.simulate import TrialOutcomes, simulate_trials

__all__ = [
    "Arm",
    "EndpointSpec",
    "PowerResult",
    "SampleSizeResult",
    "TrialDesign",
    "TrialOutcomes",
    "compare_with_evidence",
    "power_analysis",
    "published_trials",
    "sample_size",
    "search_sample_size",
    "simulate_trials",
]
