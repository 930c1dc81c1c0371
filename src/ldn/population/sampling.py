"""Virtual populations: per-patient parameter factors and covariates held as arrays.

A `Population` carries one value per patient for every varying quantity. PK and chain
parameters are not stored directly; the population stores *multiplicative factors* on the
typical values (log-normal random effects times covariate effects), so the same population can
be applied to any `ParameterSet` and to any regimen.

Model (all magnitudes from `parameters_population.toml`, see that file for sources):

- Log-normal random effects with variance ω² = ln(1 + CV²) on F, CL (parent), V, ka, CL of
  6β-naltrexol, the chain's drug-effect gain and its rate constants. The parent-AUC CV (Bertolotti,
  48 %) is split between F (assumed CV) and CL: ω²_CL = ln(1 + CV_AUC²) − ω²_F, so the AUC spread
  reproduces the reported one. CL and V effects are correlated (`cl_v_correlation`) through a
  Cholesky factor of the correlation matrix.
- Covariates: sex (fraction female per condition, argument), body weight log-normal by sex,
  allometric scaling (weight/70)^0.75 on clearances and ^1 on volumes (assumption), age normal
  truncated to 18–80 (no PK effect: none reported), hepatic impairment (parent clearance divided
  by the label/Bertolotti exposure ratio ≈ 8; 6β-naltrexol unchanged), renal impairment is left
  out because no label gives a quantitative exposure change.
- Adherence: per-patient probability ~ Beta(mean·κ, (1 − mean)·κ).
- Baseline severity: normal around the condition's baseline score with a relative SD, truncated
  to [lower, upper] of the scale.

Every draw comes from `ldn.population.rng`, keyed on (seed, stream, patient index), so a slice of
patients is identical whether sampled alone or as part of a larger population.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Final

import numpy as np
from scipy import special

from ldn.conditions import canonical_condition
from ldn.errors import InputError
from ldn.parameters import ParameterSet, group_values
from ldn.population.rng import Stream, patient_normals, patient_uniforms
from ldn.types import BoolArray, FloatArray, IntArray

# Order of the correlated log-normal effects (columns of the IIV draw).
ETA_NAMES: Final = ("f", "cl", "v", "ka", "cl_metabolite", "response", "turnover")
AGE_LIMITS_Y: Final = (18.0, 80.0)


def _omega2(cv: float) -> float:
    """Log-normal variance giving coefficient of variation `cv`: ω² = ln(1 + CV²)."""
    return float(np.log1p(cv * cv))


@dataclass(frozen=True, slots=True)
class VariabilitySpec:
    """Magnitudes of between-patient variability and covariate effects (plain floats)."""

    omega2: dict[str, float]
    cl_v_correlation: float
    weight_female_kg: float
    weight_male_kg: float
    weight_cv: float
    weight_ref_kg: float
    allometric_cl_exponent: float
    allometric_v_exponent: float
    age_mean_y: float
    age_sd_y: float
    hepatic_parent_exposure_ratio: float
    hepatic_impairment_fraction: float
    adherence_mean: float
    adherence_concentration: float
    baseline_cv: dict[str, float]

    @classmethod
    def from_parameters(cls, params: ParameterSet) -> VariabilitySpec:
        """Read `population.*` from a parameter set (see `parameters_population.toml`)."""
        iiv = params.group("population.iiv")
        adh = params.group("population.adherence")
        omega2_auc = _omega2(iiv["auc_parent_cv"])
        omega2_f = _omega2(iiv["f_cv"])
        if omega2_f > omega2_auc:
            raise InputError(
                f"population.iiv.f_cv = {iiv['f_cv']} implies more exposure variability than the "
                f"parent AUC CV {iiv['auc_parent_cv']}; lower f_cv or raise auc_parent_cv"
            )
        omega2 = {
            "f": omega2_f,
            "cl": omega2_auc - omega2_f,
            "v": _omega2(iiv["v_cv"]),
            "ka": _omega2(iiv["ka_cv"]),
            "cl_metabolite": _omega2(iiv["auc_metabolite_cv"]),
            "response": _omega2(iiv["response_cv"]),
            "turnover": _omega2(iiv["turnover_cv"]),
        }
        baseline = {
            k.removesuffix("_cv"): v for k, v in params.group("population.baseline").items()
        }
        named = {  # the fields that are not one-to-one copies of population.covariates
            "omega2": omega2,
            "cl_v_correlation": iiv["cl_v_correlation"],
            "adherence_mean": adh["mean"],
            "adherence_concentration": adh["concentration"],
            "baseline_cv": baseline,
        }
        covariates = (f.name for f in fields(cls) if f.name not in named)
        values = group_values(params, "population.covariates", covariates, {})
        return cls(**named, **values)  # type: ignore[arg-type]

    def covariance(self) -> FloatArray:
        """Covariance matrix of the log-normal effects, in `ETA_NAMES` order."""
        sd = np.sqrt([self.omega2[n] for n in ETA_NAMES])
        corr = np.eye(len(ETA_NAMES))
        i, j = ETA_NAMES.index("cl"), ETA_NAMES.index("v")
        corr[i, j] = corr[j, i] = self.cl_v_correlation
        return corr * np.outer(sd, sd)

    def baseline_relative_sd(self, condition: str) -> float:
        """Relative SD of baseline severity for `condition` (any spelling `canonical_condition`
        accepts, so "fm" is fibromyalgia; falls back to `default`)."""
        return self.baseline_cv.get(canonical_condition(condition), self.baseline_cv["default"])


@dataclass(frozen=True, slots=True)
class Population:
    """A virtual population: one entry per patient in every array (struct of arrays).

    `index` holds the global patient numbers (their random streams); factors multiply the typical
    parameter values: `cl_factor` includes random effect, allometry and hepatic impairment;
    `flow_factor` is the allometric factor alone (inter-compartmental flows).
    `baseline_z` is a standard normal score truncated to the scale later by the disease model.
    """

    seed: int
    index: IntArray
    female: BoolArray
    weight_kg: FloatArray
    age_y: FloatArray
    hepatic_impairment: BoolArray
    adherence: FloatArray
    f_factor: FloatArray
    cl_factor: FloatArray
    v_factor: FloatArray
    ka_factor: FloatArray
    cl_metabolite_factor: FloatArray
    v_metabolite_factor: FloatArray
    flow_factor: FloatArray
    response_factor: FloatArray
    turnover_factor: FloatArray
    baseline_z: FloatArray

    @property
    def n(self) -> int:
        """Number of patients."""
        return int(self.index.size)

    def take(self, rows: IntArray | slice) -> Population:
        """A sub-population (rows selected from every array)."""
        values: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        return Population(
            **{k: (v if k == "seed" else np.asarray(v)[rows]) for k, v in values.items()}  # type: ignore[arg-type]
        )

    def as_dict(self) -> dict[str, FloatArray]:
        """Per-patient arrays by name (for tables and summaries)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "seed"}


def sample_population(
    n: int,
    *,
    seed: int,
    spec: VariabilitySpec,
    female_fraction: float = 0.5,
    start: int = 0,
) -> Population:
    """Sample patients `start .. start + n - 1` of the population defined by `seed` and `spec`.

    Chunk-invariant: `sample_population(n, start=k)` equals rows k..k+n-1 of a larger sample.
    """
    if n < 1:
        raise InputError(f"number of patients n = {n} must be at least 1; use --n 100 or more")
    return sample_patients(
        np.arange(start, start + n, dtype=np.int64),
        seed=seed,
        spec=spec,
        female_fraction=female_fraction,
    )


def sample_patients(
    index: IntArray,
    *,
    seed: int,
    spec: VariabilitySpec,
    female_fraction: float = 0.5,
) -> Population:
    """Sample the patients with global numbers `index` (any order, any subset)."""
    if not 0.0 <= female_fraction <= 1.0:
        raise InputError(f"female fraction {female_fraction} must lie in [0, 1]")
    if not isinstance(seed, int | np.integer) or seed < 0:
        raise InputError(f"seed {seed!r} must be a non-negative integer")
    n = int(index.size)
    # correlated log-normal random effects
    z = patient_normals(seed, Stream.IIV, index, len(ETA_NAMES))
    eta = z @ np.linalg.cholesky(spec.covariance()).T
    col = {name: eta[:, k] for k, name in enumerate(ETA_NAMES)}
    # covariates: [sex, weight, age, hepatic]
    u = patient_uniforms(seed, Stream.COVARIATES, index, 4)
    zc = special.ndtri(np.clip(u, 1e-12, 1.0 - 1e-12))
    female = u[:, 0] < female_fraction
    weight_mean = np.where(female, spec.weight_female_kg, spec.weight_male_kg)
    w_omega = np.sqrt(_omega2(spec.weight_cv))
    weight_kg = weight_mean * np.exp(w_omega * zc[:, 1] - 0.5 * w_omega**2)
    age_y = np.clip(spec.age_mean_y + spec.age_sd_y * zc[:, 2], *AGE_LIMITS_Y)
    hepatic = u[:, 3] < spec.hepatic_impairment_fraction
    size = weight_kg / spec.weight_ref_kg
    allo_cl = size**spec.allometric_cl_exponent
    allo_v = size**spec.allometric_v_exponent
    hepatic_cl = np.where(hepatic, 1.0 / spec.hepatic_parent_exposure_ratio, 1.0)
    # adherence ~ Beta(a, b) by inverse CDF of a uniform (one draw per patient)
    ua = patient_uniforms(seed, Stream.ADHERENCE, index, 1)[:, 0]
    a = spec.adherence_mean * spec.adherence_concentration
    b = (1.0 - spec.adherence_mean) * spec.adherence_concentration
    adherence = np.ones(n) if b <= 0.0 else special.betaincinv(a, b, ua)
    baseline_z = patient_normals(seed, Stream.BASELINE, index, 1)[:, 0]
    return Population(
        seed=seed,
        index=np.asarray(index, dtype=np.int64),
        female=female,
        weight_kg=weight_kg,
        age_y=age_y,
        hepatic_impairment=hepatic,
        adherence=adherence,
        f_factor=np.exp(col["f"]),
        cl_factor=np.exp(col["cl"]) * allo_cl * hepatic_cl,
        v_factor=np.exp(col["v"]) * allo_v,
        ka_factor=np.exp(col["ka"]),
        cl_metabolite_factor=np.exp(col["cl_metabolite"]) * allo_cl,
        v_metabolite_factor=allo_v,
        flow_factor=allo_cl,
        response_factor=np.exp(col["response"]),
        turnover_factor=np.exp(col["turnover"]),
        baseline_z=baseline_z,
    )
