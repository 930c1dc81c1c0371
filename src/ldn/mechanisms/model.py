"""The hierarchical model of one mechanism family: parameters, priors, predictions, likelihood.

Parameters (vectorised over rows, e.g. emcee walkers; docs/model.md part II, "Calibration"):

- the family's free chain parameters, sampled as unit-cube coordinates u ∈ [0, 1] mapped onto
  the `range` of their parameter-file entry (uniform prior; log-uniform for ratios);
- log effect_gain of condition c: m + s·z_c with m ~ N(μ0, σ0²), s ~ HalfNormal(s0),
  z_c ~ N(0, 1) (partial pooling across conditions; conditions without a trial keep their prior
  draw, so their gain comes from the hierarchy alone);
- trial heterogeneity τ ~ HalfNormal(τ0) in SMD units: a trial's true effect is the model's
  effect + N(0, (τ·SD_change)²).

Each trial is simulated with the family's compiled chain
(`ldn.simulation.hypotheses.family_run`) at its own regimen and duration; the likelihood is
that of `ldn.mechanisms.data`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Final

import numpy as np
from scipy import special, stats

from ldn.conditions import canonical_condition
from ldn.errors import InputError
from ldn.mechanisms.data import CalibrationTrial
from ldn.model.chain import CONDITIONS, scale_parameters
from ldn.model.disease import get_condition
from ldn.model.disease.base import H_PER_WEEK, expected_score
from ldn.model.hypotheses.base import LOG_PRIORS, Family
from ldn.parameters import ParameterSet
from ldn.regimen import Regimen
from ldn.simulation.hypotheses import family_drive, family_run, scale_effect
from ldn.simulation.scenarios import half_step_grid
from ldn.solve.hypothesis import activity_after
from ldn.types import FloatArray

CAL_DT_H: Final = 2.0  # RK4 step in calibration: ≤ 3 % of the effect vs 0.125 h (tests)
_GH_X, _GH_W = np.polynomial.hermite_e.hermegauss(9)
_GH_W = _GH_W / _GH_W.sum()


@dataclass(frozen=True)
class Layout:
    """Names and priors of one family's sampled vector (see module docstring)."""

    family: Family
    conditions: tuple[str, ...]  # conditions with at least one fitted trial
    bounds: dict[str, tuple[float, float]]
    mu0: float
    sd0: float
    s0: float
    tau0: float
    drives: dict[tuple[object, ...], FloatArray] = field(default_factory=dict, compare=False)

    @classmethod
    def build(cls, family: Family, trials: list[CalibrationTrial], params: ParameterSet) -> Layout:
        """The layout of `family` for `trials`, priors from the parameter files."""
        conds = tuple(c for c in CONDITIONS if any(t.condition == c for t in trials))
        bounds = {}
        for name in family.free:
            entry = params[name]
            assert entry.low is not None and entry.high is not None, f"{name} has no range"
            bounds[name] = (float(entry.low), float(entry.high))
        return cls(
            family, conds, bounds, params.value("calibration.log_gain_mean"),
            params.value("calibration.log_gain_mean_sd"),
            params.value("calibration.log_gain_tau_scale"),
            params.value("calibration.heterogeneity_smd_scale"),
        )  # fmt: skip

    @cached_property
    def names(self) -> tuple[str, ...]:
        """Sampled coordinates: mechanism u's, then gain hyperparameters and z's, then τ."""
        if not self.family.has_effect:
            return ("tau",)
        return (*self.family.free, "log_gain_mean", "log_gain_sd",
                *(f"z.{c}" for c in self.conditions), "tau")  # fmt: skip

    @property
    def ndim(self) -> int:
        """Length of the sampled vector."""
        return len(self.names)

    def mechanism(self, theta: FloatArray) -> dict[str, FloatArray]:
        """Parameter-file values of the free chain parameters for rows of `theta`."""
        out = {}
        for j, name in enumerate(self.family.free):
            lo, hi = self.bounds[name]
            u = theta[:, j]
            out[name] = np.exp(np.log(lo) + u * np.log(hi / lo)) if name in LOG_PRIORS else (
                lo + u * (hi - lo))  # fmt: skip
        return out

    def column(self, theta: FloatArray, name: str) -> FloatArray:
        """One named coordinate of every row."""
        return theta[:, self.names.index(name)]

    def log_gain(
        self, theta: FloatArray, condition: str, z: FloatArray | None = None
    ) -> FloatArray:
        """log effect_gain of `condition` (name, title or alias); `z` for a condition without
        trials (a prior draw). `InputError` for such a condition when `z` is not given."""
        m, s = self.column(theta, "log_gain_mean"), self.column(theta, "log_gain_sd")
        if z is not None:
            return m + s * z
        name = f"z.{canonical_condition(condition)}"
        if name not in self.names:
            raise InputError(
                f"{self.family.name}: no fitted trials for {condition!r}, so no z coordinate; "
                "pass z (a draw from the prior) for a condition without trials"
            )
        return m + s * self.column(theta, name)

    def log_prior(self, theta: FloatArray) -> FloatArray:
        """Log prior density (up to a constant) of each row; −inf outside the support."""
        lp = np.zeros(theta.shape[0])
        tau = self.column(theta, "tau")
        lp += np.where(tau > 0, -0.5 * (tau / self.tau0) ** 2, -np.inf)
        if not self.family.has_effect:
            return lp
        nf = len(self.family.free)
        u = theta[:, :nf]
        lp += np.where(np.all((u >= 0) & (u <= 1), axis=1), 0.0, -np.inf)
        m, s = self.column(theta, "log_gain_mean"), self.column(theta, "log_gain_sd")
        lp += -0.5 * ((m - self.mu0) / self.sd0) ** 2
        lp += np.where(s > 0, -0.5 * (s / self.s0) ** 2, -np.inf)
        for c in self.conditions:
            lp += -0.5 * self.column(theta, f"z.{c}") ** 2
        return lp

    def sample_prior(self, n: int, rng: np.random.Generator) -> FloatArray:
        """`n` rows drawn from the prior."""
        cols = []
        for name in self.names:
            if name == "tau":
                cols.append(np.abs(rng.normal(0, self.tau0, n)))
            elif name == "log_gain_mean":
                cols.append(rng.normal(self.mu0, self.sd0, n))
            elif name == "log_gain_sd":
                cols.append(np.abs(rng.normal(0, self.s0, n)))
            elif name.startswith("z."):
                cols.append(rng.normal(0, 1, n))
            else:
                cols.append(rng.uniform(0, 1, n))
        return np.column_stack(cols)


def sd_change(trial: CalibrationTrial, params: ParameterSet) -> float:
    """SD of a patient's change on the trial's scale (√2 × measurement SD; % when relative)."""
    prefix = get_condition(trial.condition).prefix
    sd = np.sqrt(2.0) * params.value(f"{prefix}.{trial.column}.noise_sd")
    return float(sd * 100.0 / _baseline_burden(trial, params)) if trial.relative else float(sd)


def _baseline_burden(trial: CalibrationTrial, params: ParameterSet) -> float:
    cond = get_condition(trial.condition)
    scale = next(s for s in cond.scales if s.column == trial.column)
    b0 = params.value(f"{cond.prefix}.{trial.column}.baseline")
    return b0 if scale.higher_is_worse else scale.high - b0


def mechanism_cytokine(
    layout: Layout, theta: FloatArray, regimen: Regimen, weeks: float, params: ParameterSet,
    dt_h: float = CAL_DT_H,
) -> FloatArray:  # fmt: skip
    """Cytokine index (n, n_steps + 1) at every step of a `weeks`-long run of `regimen`.

    The rebound and immune states do not depend on the condition, so one run serves every trial
    and prediction on the same regimen; the exposure drive is cached on the layout.
    """
    ov: dict[str, FloatArray | float] = dict(layout.mechanism(theta))
    events = regimen.events(until_h=weeks * H_PER_WEEK + 24.0)
    _, t_half = half_step_grid(0.0, weeks * H_PER_WEEK, dt_h)
    key = (layout.family.drive, regimen.describe(), weeks, dt_h)
    if key not in layout.drives:
        layout.drives[key] = family_drive(layout.family, events, t_half, params)
    run = family_run(layout.family, events, weeks, CONDITIONS[0], params, ov, dt_h=dt_h,
                     drive=layout.drives[key])  # fmt: skip
    return run.state("cytokine_index")


def effect_from_cytokine(
    cytokine: FloatArray, trial: CalibrationTrial, log_gain: FloatArray, params: ParameterSet,
    dt_h: float = CAL_DT_H,
) -> FloatArray:  # fmt: skip
    """LDN − placebo at the trial's readout (scale units, or % of baseline burden if relative)."""
    prefix = get_condition(trial.condition).prefix
    steps = round(trial.weeks * H_PER_WEEK / dt_h)
    act = activity_after(
        cytokine, dt_h, np.exp(log_gain), params.value(f"{prefix}.tau_weeks") * H_PER_WEEK,
        params.value("disease.activity_max_rel"), steps,
    )  # fmt: skip
    d = scale_effect(act, trial.condition, trial.column, params, trial.weeks)
    return d * 100.0 / _baseline_burden(trial, params) if trial.relative else d


def predict_trials(
    layout: Layout, theta: FloatArray, trials: list[CalibrationTrial], params: ParameterSet,
    *, log_gains: dict[str, FloatArray] | None = None, dt_h: float = CAL_DT_H,
) -> FloatArray:  # fmt: skip
    """Model LDN − placebo (n, n_trials) for every row; one mechanism run per regimen.

    `log_gains` gives log effect_gain per condition (default: the layout's hierarchy).
    """
    out = np.zeros((theta.shape[0], len(trials)))
    if not layout.family.has_effect:
        return out
    groups: dict[str, list[int]] = {}
    for i, t in enumerate(trials):
        groups.setdefault(t.regimen.describe(), []).append(i)
    for idx in groups.values():
        weeks = max(trials[i].weeks for i in idx)
        c = mechanism_cytokine(layout, theta, trials[idx[0]].regimen, weeks, params, dt_h)
        for i in idx:
            t = trials[i]
            lg = (log_gains or {}).get(t.condition)
            lg = layout.log_gain(theta, t.condition) if lg is None else lg
            out[:, i] = effect_from_cytokine(c, t, lg, params, dt_h)
    return out


def predicted_effect(
    layout: Layout, theta: FloatArray, trial: CalibrationTrial, params: ParameterSet,
    *, log_gain: FloatArray | None = None, dt_h: float = CAL_DT_H,
) -> FloatArray:  # fmt: skip
    """`predict_trials` for one trial (n,)."""
    gains = None if log_gain is None else {trial.condition: log_gain}
    return predict_trials(layout, theta, [trial], params, log_gains=gains, dt_h=dt_h)[:, 0]


def _response_probability(
    mean_change: FloatArray, trial: CalibrationTrial, params: ParameterSet
) -> FloatArray:
    cond = get_condition(trial.condition)
    scale = next(s for s in cond.scales if s.column == trial.column)
    improvement = -mean_change if scale.higher_is_worse else mean_change
    p = stats.norm.cdf((improvement - trial.threshold) / sd_change(trial, params))
    return np.clip(p, 1e-12, 1 - 1e-12)


def placebo_change(trial: CalibrationTrial, params: ParameterSet) -> float:
    """Mean change from baseline of the placebo arm at the trial's readout (scale units)."""
    cond = get_condition(trial.condition)
    scale = next(s for s in cond.scales if s.column == trial.column)
    sp = scale_parameters(params, cond.name)[trial.column]
    t = np.array([trial.weeks * H_PER_WEEK])
    return float(expected_score(np.ones(1), t, scale, sp)[0] - sp.baseline)


def log_likelihood(
    effect: FloatArray, tau: FloatArray, trial: CalibrationTrial, params: ParameterSet
) -> FloatArray:
    """Log likelihood of the trial's reported result for model effects `effect` (n,)."""
    sd = sd_change(trial, params)
    if trial.kind == "normal":
        var = trial.se**2 + (tau * sd) ** 2
        return -0.5 * (np.log(2 * np.pi * var) + (trial.observed - effect) ** 2 / var)
    k_t, n_t, k_c, n_c = trial.counts
    m_c = placebo_change(trial, params)
    p_c = _response_probability(np.array([m_c]), trial, params)[0]
    shifts = effect[:, None] + (tau * sd)[:, None] * _GH_X[None, :]
    p_t = _response_probability(m_c + shifts, trial, params)
    log_b = stats.binom.logpmf(k_t, n_t, p_t)
    return special.logsumexp(log_b, b=_GH_W[None, :], axis=1) + stats.binom.logpmf(k_c, n_c, p_c)


def replicate(
    effect: FloatArray, tau: FloatArray, trial: CalibrationTrial, params: ParameterSet,
    rng: np.random.Generator,
) -> FloatArray:  # fmt: skip
    """Posterior-predictive replicate of the trial's reported value (md, or LDN responders)."""
    sd = sd_change(trial, params)
    delta = rng.normal(0.0, 1.0, effect.shape) * tau * sd
    if trial.kind == "normal":
        return effect + delta + rng.normal(0.0, trial.se, effect.shape)
    n_t = trial.counts[1]
    p_t = _response_probability(placebo_change(trial, params) + effect + delta, trial, params)
    return rng.binomial(n_t, p_t).astype(float)
