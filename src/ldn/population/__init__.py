"""Virtual populations: variability, covariates, adherence, and the population engine.

>>> from ldn.population import simulate_population
>>> from ldn.regimen import daily
>>> result = simulate_population(daily(4.5, "22:00"), n=1000, days=84, condition="ms")
>>> result.summary_frame()          # doctest: +SKIP
"""

from __future__ import annotations

from ldn.population.api import PopulationResult, simulate_population
from ldn.population.engine import PatientOutputs, Schedule, simulate_patients
from ldn.population.runner import DrugWindows, Scenario, run
from ldn.population.sampling import Population, VariabilitySpec, sample_population

__all__ = [
    "DrugWindows",
    "PatientOutputs",
    "Population",
    "PopulationResult",
    "Scenario",
    "Schedule",
    "VariabilitySpec",
    "run",
    "sample_population",
    "simulate_patients",
    "simulate_population",
]
