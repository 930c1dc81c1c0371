"""`simulate_population`: a virtual population on one regimen, summarised per patient.

The Python equivalent of `ldn population`. Every patient gets the same scheduled regimen, takes
each dose with their own adherence probability, and is simulated through PK → occupancy →
chain; the result keeps one row per patient (memory grows with patients, not time steps) and
the latent disease activity at weekly (or the requested) observation times.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ldn.errors import InputError
from ldn.figures import save_figure
from ldn.model.disease import get_condition
from ldn.model.hypotheses import get_family
from ldn.model.pk_setup import linear_setup
from ldn.parameters import ParameterSet, default_parameters
from ldn.population.endpoints import EndpointSpec
from ldn.population.engine import DEFAULT_DT_H, PatientOutputs, PKChoice, Schedule
from ldn.population.runner import Scenario, run
from ldn.population.sampling import Population, VariabilitySpec, sample_population
from ldn.regimen.schedule import Regimen
from ldn.types import FloatArray

MAX_PATIENTS = 10_000_000


@dataclass(frozen=True)
class PopulationResult:
    """Per-patient outputs of a population run with their covariates and scores.

    `score_baseline` / `score_end`: the condition's primary scale at t = 0 and at the end, without
    placebo response or measurement noise (the pharmacological prediction).
    """

    description: str
    condition: str
    scale_label: str
    seed: int
    population: Population
    outputs: PatientOutputs
    score_baseline: FloatArray
    score_end: FloatArray

    def to_frame(self) -> pd.DataFrame:
        """One row per patient."""
        pop, out = self.population, self.outputs
        return pd.DataFrame(
            {
                "patient": pop.index,
                "female": pop.female,
                "weight_kg": pop.weight_kg,
                "age_y": pop.age_y,
                "hepatic_impairment": pop.hepatic_impairment,
                "adherence": pop.adherence,
                "doses_taken": out.doses_taken,
                "naltrexone_cmax_ng_per_ml": out.naltrexone_cmax_ng_per_ml,
                "naltrexol_cmax_ng_per_ml": out.naltrexol_cmax_ng_per_ml,
                "mor_occupancy_mean": out.mor_mean,
                "mor_occupancy_peak": out.mor_peak,
                "mor_occupancy_trough": out.mor_trough,
                "disease_activity_rel_end": out.activity_rel[:, -1],
                "score_baseline": self.score_baseline,
                "score_end": self.score_end,
                "score_change": self.score_end - self.score_baseline,
            }
        )

    def summary_frame(self) -> pd.DataFrame:
        """Mean, SD and 5/50/95th percentiles of every numeric per-patient quantity."""
        frame = self.to_frame().drop(columns=["patient"]).astype(float)
        q = frame.quantile([0.05, 0.5, 0.95]).T
        q.columns = ["p5", "median", "p95"]
        summary = pd.DataFrame({"mean": frame.mean(), "sd": frame.std(ddof=1)}).join(q)
        summary.index.name = "quantity"
        return summary

    def summary(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "description": self.description,
            "condition": self.condition,
            "scale": self.scale_label,
            "n_patients": int(self.population.n),
            "seed": self.seed,
            "quantities": self.summary_frame().round(6).to_dict(orient="index"),
        }

    def plot(self, path: Path) -> Path:
        """Activity band over time and the distribution of mean MOR occupancy; saved to `path`."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        out = self.outputs
        days = out.t_obs_h / 24.0
        act = out.activity_rel
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9.6, 3.8))
        lo, med, hi = np.percentile(act, [5, 50, 95], axis=0)
        ax1.fill_between(days, lo, hi, alpha=0.3, label="5–95 %")
        ax1.plot(days, med, label="median")
        ax1.set_xlabel("day")
        ax1.set_ylabel("disease activity (relative to untreated)")
        ax1.legend(fontsize=8)
        ax2.hist(out.mor_mean, bins=40)
        ax2.set_xlabel("mean MOR occupancy over the last day")
        ax2.set_ylabel("patients")
        fig.suptitle(self.description, fontsize=9)
        fig.tight_layout()
        save_figure(fig, path)
        return path


def _run_family(
    scenario: Scenario,
    index: np.ndarray,
    hypothesis: str | None,
    scheduler: str | None,
    chunk_size: int | None,
    progress: Callable[[int], None] | None,
) -> tuple[PatientOutputs, str]:
    """(outputs, ", hypothesis NAME" or "") of the fused engine (None / rebound_brain) or of
    `ldn.population.families` for another family (local chunks, no `scheduler`)."""
    family = None if hypothesis is None else get_family(hypothesis)
    if family is None or family.name == "rebound_brain":
        outputs = run(scenario, index, scheduler=scheduler, chunk_size=chunk_size,
                      progress=progress)  # fmt: skip
        return outputs, ""
    if scheduler is not None:
        raise InputError(f"--scheduler runs the fused engine (rebound_brain); {family.name} runs "
                         "locally: drop --scheduler")  # fmt: skip
    from ldn.population.families import run_family

    return run_family(scenario, index, family, progress), f", hypothesis {family.name}"


def simulate_population(
    regimen: Regimen,
    *,
    n: int,
    days: int,
    condition: str,
    seed: int = 0,
    params: ParameterSet | None = None,
    female_fraction: float = 0.5,
    dt_h: float = DEFAULT_DT_H,
    obs_every_days: int = 7,
    scheduler: str | None = None,
    chunk_size: int | None = None,
    progress: Callable[[int], None] | None = None,
    hypothesis: str | None = None,
    pk_model: str | None = None,
    pk_posterior: bool = True,
) -> PopulationResult:
    """Simulate `n` virtual patients of `condition` on `regimen` for `days` days.

    `hypothesis` names a mechanism family (`ldn.model.hypotheses`); None or `rebound_brain` runs
    the fused engine, another family `ldn.population.families` (local chunks, no `scheduler`).
    `pk_model`: PK structural variant (default: the fitted default; variants with kinetic binding
    raise InputError). `pk_posterior` (default True): each patient's typical PK values are one
    draw of the shipped PK posterior (parameter uncertainty) before between-patient variability;
    False uses the maximum-likelihood values. The description says which.
    """
    if not 1 <= n <= MAX_PATIENTS:
        raise InputError(f"--n {n} must lie between 1 and {MAX_PATIENTS:,}")
    if not 1 <= days <= 3650:
        raise InputError(f"--days {days} must lie between 1 and 3650")
    params = params or default_parameters()
    cond = get_condition(condition)
    choice = PKChoice(pk_model, pk_posterior)
    linear_setup(pk_model, params)  # an unknown or kinetic variant fails here, before any work
    spec = VariabilitySpec.from_parameters(params)
    step = min(obs_every_days, days)
    obs_days = np.unique(np.r_[np.arange(0, days + 1, step), days])
    t_obs_h = obs_days * 24.0
    scenario = Scenario(
        params=params,
        spec=spec,
        condition=cond.name,
        schedule=Schedule.from_regimen(regimen, float(t_obs_h[-1])),
        t_obs_h=t_obs_h,
        seed=seed,
        female_fraction=female_fraction,
        dt_h=dt_h,
        pk=choice,
    )
    index = np.arange(n, dtype=np.int64)
    outputs, named = _run_family(scenario, index, hypothesis, scheduler, chunk_size, progress)
    pop = sample_population(n, seed=seed, spec=spec, female_fraction=female_fraction)
    endpoint = EndpointSpec.from_parameters(params, cond.name)
    ratio = endpoint.baseline_ratio(pop.baseline_z)
    ends = outputs.activity_rel[:, [0, -1]]
    scores = endpoint.expected(ends, t_obs_h[[0, -1]], ratio, placebo=False)
    return PopulationResult(
        description=f"{n:,} virtual {cond.title} patients, {regimen.describe()}, {days} days; "
        + choice.describe()
        + named,
        condition=cond.name,
        scale_label=endpoint.scale.short_label,
        seed=seed,
        population=pop,
        outputs=outputs,
        score_baseline=scores[:, 0],
        score_end=scores[:, 1],
    )
