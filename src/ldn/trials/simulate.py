"""Replicate virtual trials: patients, dosing, visits, noise, dropout, analysis and power.

Each replicate trial r has, per arm (or sequence) a, patient slots j = 0..n−1 with a global
trial-patient number; everything drawn per trial patient (baseline severity, measurement noise,
dropout, and which virtual patient they are) is keyed on that number, so slot j of trial r is the
same person whatever n is — the common random numbers that make power monotone in n and the
sample-size search stable.

The disease trajectory of a virtual patient under a regimen is deterministic given their
parameters, so trial patients are drawn from a simulated *pool* of virtual patients per arm
(`pool_size`; PK, chain parameters and adherence belong to the pool member), while baseline
severity, measurement noise and dropout are drawn fresh for every trial patient. With
`pool_size=None` every trial patient is a distinct virtual patient (exact, M·n simulations per
arm). The pool changes the estimate only through the finite pool (Monte-Carlo error of the pool
distribution, O(1/√pool)); the benchmark reports both modes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from ldn.errors import InputError
from ldn.parameters import ParameterSet
from ldn.population.endpoints import EndpointSpec
from ldn.population.engine import Schedule
from ldn.population.rng import Stream, patient_normals, patient_uniforms
from ldn.population.runner import DrugWindows, Scenario, run
from ldn.population.sampling import VariabilitySpec
from ldn.trials import analysis
from ldn.trials.design import Arm, TrialDesign

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IndexArray = npt.NDArray[np.int64]

H_PER_WEEK: Final = 168.0
DEFAULT_POOL: Final = 5_000
TRIAL_DT_H: Final = 1.0
# Global numbering: pool members of arm a start at a·POOL_STRIDE; trial patients after TRIAL_BASE.
POOL_STRIDE: Final = 2**36
TRIAL_BASE: Final = 2**40
MAX_PER_ARM: Final = 2**20

Simulator = Callable[[Scenario, IndexArray], FloatArray]
"""(scenario, pool indices) → latent activity (n, n_obs); default: `ldn.population.runner.run`."""
ActivityHook = Callable[[int, FloatArray], FloatArray]
"""(arm, latent activity (M, n_max, n_obs)) → replacement of the same shape."""


@dataclass(frozen=True)
class TrialOutcomes:
    """Patient-level outcomes of M replicate trials, for up to `n_max` patients per arm.

    `scores`: observed scores (M, 2, n_max, n_obs) at `t_obs_h`; `last_obs`: index of the last
    observation each trial patient attended (M, 2, n_max); for N-of-1 series only arm 0 is used
    and `drug_first` (M, n_max, cycles) records the order within each cycle.
    """

    design: TrialDesign
    endpoint: EndpointSpec
    t_obs_h: FloatArray
    scores: FloatArray
    last_obs: npt.NDArray[np.int64]
    drug_first: BoolArray | None
    n_max: int
    pool_size: int | None

    @property
    def benefit_sign(self) -> float:
        """Sign of a beneficial estimate: + for responder differences, else the scale's."""
        return 1.0 if self.design.endpoint == "responder" else self.endpoint.benefit_sign

    @property
    def n_trials(self) -> int:
        """Number of replicate trials M."""
        return int(self.scores.shape[0])

    def analyse(self, n_per_arm: int | None = None) -> analysis.TestResult:
        """Primary analysis of every replicate using the first `n_per_arm` slots per arm."""
        n = self.n_max if n_per_arm is None else n_per_arm
        if not 2 <= n <= self.n_max:
            raise InputError(f"n per arm {n} must lie between 2 and the simulated {self.n_max}")
        kind = self.design.kind
        if kind == "parallel":
            return self._parallel(n)
        if kind == "crossover":
            return self._crossover(n)
        return self._n_of_1(n)

    def power(self, n_per_arm: int | None = None) -> analysis.Power:
        """Power with Monte-Carlo SE and Wilson CI at `n_per_arm`."""
        res = self.analyse(n_per_arm)
        sig = res.significant(self.design.alpha, benefit_sign=self.benefit_sign)
        return analysis.estimate_power(sig)

    # -- analyses -------------------------------------------------------------------------
    def _final(self, n: int) -> tuple[FloatArray, FloatArray, BoolArray]:
        scores = self.scores[:, :, :n]
        last = self.last_obs[:, :, :n]
        final_idx = len(self.t_obs_h) - 1
        if self.design.missing == "locf":
            observed = last >= 1
            final = np.take_along_axis(scores, last[..., None], axis=-1)[..., 0]
        else:
            observed = last >= final_idx
            final = scores[..., final_idx]
        return scores[..., 0], final, observed

    def _parallel(self, n: int) -> analysis.TestResult:
        baseline, final, observed = self._final(n)
        m = self.n_trials
        treated = np.zeros((m, 2, n), dtype=bool)
        treated[:, 0] = True
        flat = (m, 2 * n)
        b, f, o, t = (x.reshape(flat) for x in (baseline, final, observed, treated))
        if self.design.endpoint == "responder":
            resp = self.endpoint.responder(b, f) & o
            return analysis.two_proportions(resp, t, np.ones_like(t))
        return analysis.ancova(f - b, b, t, o)

    def _crossover(self, n: int) -> analysis.TestResult:
        p1_idx, p2_idx = _crossover_obs(self.design)
        scores = self.scores[:, :, :n]
        observed = self.last_obs[:, :, :n] >= p2_idx
        m = self.n_trials
        seq_ab = np.zeros((m, 2, n), dtype=bool)
        seq_ab[:, 0] = True
        flat = (m, 2 * n)
        return analysis.crossover(
            scores[..., p1_idx].reshape(flat),
            scores[..., p2_idx].reshape(flat),
            seq_ab.reshape(flat),
            observed.reshape(flat),
        )

    def _n_of_1(self, n: int) -> analysis.TestResult:
        assert self.drug_first is not None
        ends = _n_of_1_obs(self.design)
        scores = self.scores[:, 0, :n]
        last = self.last_obs[:, 0, :n]
        first = self.drug_first[:, :n]
        diffs = []
        done = []
        for c in range(self.design.cycles):
            a, b = scores[..., ends[2 * c]], scores[..., ends[2 * c + 1]]
            diffs.append(np.where(first[..., c], a - b, b - a))
            done.append(last >= ends[2 * c + 1])
        d = np.stack(diffs, axis=-1)
        ok = np.stack(done, axis=-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            per_patient = (d * ok).sum(axis=-1) / ok.sum(axis=-1)
        return analysis.one_sample(np.nan_to_num(per_patient), ok.any(axis=-1))


def _crossover_obs(design: TrialDesign) -> tuple[int, int]:
    """Observation indices (weekly grid) of the ends of period 1 and period 2."""
    return design.weeks, 2 * design.weeks + design.washout_weeks


def _n_of_1_obs(design: TrialDesign) -> list[int]:
    """Observation indices (weekly grid) of the end of every N-of-1 period."""
    step = design.weeks + design.washout_weeks
    return [p * step + design.weeks for p in range(design.n_periods)]


def _trial_index(m: int, n: int, arm: int, stride: int) -> IndexArray:
    """Global numbers of trial patients (M, n) of one arm."""
    r = np.arange(m, dtype=np.int64)[:, None]
    return TRIAL_BASE + (r * 2 + arm) * stride + np.arange(n, dtype=np.int64)[None, :]


def _scenarios(
    design: TrialDesign,
    params: ParameterSet,
    spec: VariabilitySpec,
    seed: int,
    t_obs_h: FloatArray,
    dt_h: float,
    female_fraction: float,
) -> list[tuple[Scenario, bool]]:
    """One scenario per arm (sequence) and whether it needs simulating (False: placebo only)."""
    until = float(t_obs_h[-1])

    def scen(arm: Arm, windows: DrugWindows) -> Scenario:
        return Scenario(
            params=params,
            spec=spec,
            condition=design.condition,
            schedule=Schedule.from_regimen(arm.regimen, until),
            t_obs_h=t_obs_h,
            seed=seed,
            windows=windows,
            female_fraction=female_fraction,
            dt_h=dt_h,
        )

    if design.kind == "parallel":
        return [
            (scen(design.treatment, DrugWindows()), not design.treatment.is_placebo),
            (scen(design.control, DrugWindows()), not design.control.is_placebo),
        ]
    if not design.control.is_placebo or design.treatment.is_placebo:
        raise InputError(
            f"a {design.kind} design compares a drug regimen with placebo; give a placebo control"
        )
    period_h = design.weeks * H_PER_WEEK
    gap_h = design.washout_weeks * H_PER_WEEK
    if design.kind == "crossover":
        return [
            (scen(design.treatment, DrugWindows(periods_h=((0.0, period_h),))), True),
            (
                scen(
                    design.treatment,
                    DrugWindows(periods_h=((period_h + gap_h, 2 * period_h + gap_h),)),
                ),
                True,
            ),
        ]
    windows = DrugWindows(n_of_1_cycles=design.cycles, period_h=period_h, washout_h=gap_h)
    return [(scen(design.treatment, windows), True)]


def simulate_trials(
    design: TrialDesign,
    *,
    params: ParameterSet,
    n_trials: int,
    seed: int,
    n_max: int | None = None,
    pool_size: int | None = DEFAULT_POOL,
    endpoint: EndpointSpec | None = None,
    dt_h: float = TRIAL_DT_H,
    scheduler: str | None = None,
    progress: Callable[[int], None] | None = None,
    simulator: Simulator | None = None,
    activity_hook: ActivityHook | None = None,
) -> TrialOutcomes:
    """Simulate `n_trials` replicates of `design` with up to `n_max` patients per arm.

    `progress` receives the number of virtual patients simulated after each chunk.
    `simulator` replaces the population engine (tests use a stand-in response).
    `activity_hook(arm, activity)` may replace each arm's latent activity (M, n_max, n_obs) per
    replicate trial, e.g. with a trajectory drawn from the calibrated posterior (assurance,
    `ldn.calibration.assurance`).
    """
    if n_trials < 1:
        raise InputError(f"number of trials {n_trials} must be at least 1; use --trials 1000")
    n_max = design.n_per_arm if n_max is None else n_max
    if n_max < design.n_per_arm:
        raise InputError(f"n_max {n_max} is below the design's n per arm {design.n_per_arm}")
    if pool_size is not None and pool_size < 1:
        raise InputError(f"pool size {pool_size} must be at least 1, or None for no pool")
    endpoint = endpoint or EndpointSpec.from_parameters(params, design.condition)
    spec = VariabilitySpec.from_parameters(params)
    female = 0.5 if design.female_fraction is None else design.female_fraction
    t_obs_h = np.arange(design.total_days // 7 + 1) * H_PER_WEEK
    if n_max > MAX_PER_ARM:
        raise InputError(f"n per arm {n_max} exceeds the supported {MAX_PER_ARM}")
    stride = MAX_PER_ARM
    arms = _scenarios(design, params, spec, seed, t_obs_h, dt_h, female)
    n_arms = 2 if design.kind != "n_of_1" else 1
    m = n_trials
    scores = np.zeros((m, 2, n_max, t_obs_h.size))
    last_obs = np.zeros((m, 2, n_max), dtype=np.int64)
    drug_first = None

    def simulate(scenario: Scenario, index: IndexArray) -> FloatArray:
        if simulator is not None:
            return simulator(scenario, index)
        out = run(scenario, index, scheduler=scheduler, progress=progress)
        return out.activity_rel

    for a in range(n_arms):
        scenario, needs_sim = arms[a]
        g = _trial_index(m, n_max, a, stride).ravel()
        if pool_size is None:
            pool_index = g
            member = np.arange(g.size)
        else:
            pool_index = a * POOL_STRIDE + np.arange(pool_size, dtype=np.int64)
            u = patient_uniforms(seed, Stream.POOL, g, 1)[:, 0]
            member = np.minimum((u * pool_size).astype(np.int64), pool_size - 1)
        if needs_sim:
            activity_pool = simulate(scenario, pool_index)
            activity = activity_pool[member]
        else:
            activity = np.ones((g.size, t_obs_h.size))
        if activity_hook is not None:
            activity = activity_hook(a, activity.reshape(m, n_max, -1)).reshape(g.size, -1)
        # the same stream as `Population.baseline_z`, drawn without sampling the rest
        ratio = endpoint.baseline_ratio(patient_normals(seed, Stream.BASELINE, g, 1)[:, 0])
        expected = endpoint.expected(activity, t_obs_h, ratio, placebo=True)
        noise = patient_normals(seed, Stream.NOISE, g, t_obs_h.size)
        scores[:, a] = endpoint.observe(expected, noise).reshape(m, n_max, t_obs_h.size)
        last_obs[:, a] = _last_visit(seed, g, design.dropout_per_week, t_obs_h.size - 1).reshape(
            m, n_max
        )
        if design.kind == "n_of_1":
            members = scenario.population(pool_index[member])
            drug_first = scenario.windows.drug_first(members).reshape(m, n_max, design.cycles)
    return TrialOutcomes(
        design=design,
        endpoint=endpoint,
        t_obs_h=t_obs_h,
        scores=scores,
        last_obs=last_obs,
        drug_first=drug_first,
        n_max=n_max,
        pool_size=pool_size,
    )


def _last_visit(seed: int, index: IndexArray, hazard: float, n_visits: int) -> IndexArray:
    """Index of the last weekly visit attended: geometric dropout with weekly `hazard` (MCAR)."""
    if hazard <= 0.0:
        return np.full(index.size, n_visits, dtype=np.int64)
    u = patient_uniforms(seed, Stream.DROPOUT, index, 1)[:, 0]
    weeks = np.floor(np.log1p(-u) / np.log1p(-hazard))
    return np.minimum(weeks, n_visits).astype(np.int64)
