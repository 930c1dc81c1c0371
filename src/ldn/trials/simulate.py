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

from ldn.errors import InputError
from ldn.parameters import ParameterSet
from ldn.population.endpoints import EndpointSpec
from ldn.population.engine import Schedule
from ldn.population.rng import Stream, patient_normals, patient_uniforms
from ldn.population.runner import DrugWindows, Scenario, run
from ldn.population.sampling import VariabilitySpec
from ldn.trials import analysis, primary
from ldn.trials.design import Arm, TrialDesign
from ldn.trials.dropout import DropoutModel, adverse_event_hazards, standardise
from ldn.types import BoolArray, FloatArray, IntArray

H_PER_WEEK: Final = 168.0
DEFAULT_POOL: Final = 5_000
TRIAL_DT_H: Final = 1.0
# Global numbering: pool members of arm a start at a·POOL_STRIDE; trial patients after TRIAL_BASE.
POOL_STRIDE: Final = 2**36
TRIAL_BASE: Final = 2**40
MAX_PER_ARM: Final = 2**20

Simulator = Callable[[Scenario, IntArray], FloatArray]
"""(scenario, pool indices) → latent activity (n, n_obs); default: `ldn.population.runner.run`."""
ActivityHook = Callable[[int, FloatArray], FloatArray]
"""(arm, latent activity (M, n_max, n_obs)) → replacement of the same shape."""


@dataclass(frozen=True)
class TrialOutcomes:
    """Patient-level outcomes of M replicate trials, for up to `n_max` patients per arm.

    `scores`: observed scores (M, 2, n_max, n_obs) at `t_obs_h`; `last_obs`: index of the last
    observation each trial patient attended (M, 2, n_max); for N-of-1 series only arm 0 is used
    and `drug_first` (M, n_max, cycles) records the order within each cycle. `pool_member`
    (M, 2, n_max) is the pool member each trial patient is (None without a pool) and
    `arm_simulated` which arms ran the engine (a placebo arm of a parallel trial does not): with
    them `ldn.trials.pool` puts the pool's own uncertainty into the interval of power.
    """

    design: TrialDesign
    endpoint: EndpointSpec
    t_obs_h: FloatArray
    scores: FloatArray
    last_obs: IntArray
    drug_first: BoolArray | None
    n_max: int
    pool_size: int | None
    seed: int = 0
    pool_member: IntArray | None = None
    arm_simulated: tuple[bool, ...] = (True, True)

    @property
    def benefit_sign(self) -> float:
        """Sign of a beneficial estimate: + for responder differences, else the scale's."""
        return 1.0 if self.design.endpoint == "responder" else self.endpoint.benefit_sign

    @property
    def n_trials(self) -> int:
        """Number of replicate trials M."""
        return int(self.scores.shape[0])

    def _check_n(self, n_per_arm: int | None) -> int:
        n = self.n_max if n_per_arm is None else n_per_arm
        if not 2 <= n <= self.n_max:
            raise InputError(f"n per arm {n} must lie between 2 and the simulated {self.n_max}")
        return n

    def analyse_full(self, n_per_arm: int | None = None) -> primary.Analysed:
        """The design's analysis of every replicate (first `n_per_arm` slots), with extras."""
        return primary.analyse(self, self._check_n(n_per_arm))

    def analyse(self, n_per_arm: int | None = None) -> analysis.TestResult:
        """Primary analysis of every replicate using the first `n_per_arm` slots per arm."""
        return self.analyse_full(n_per_arm).result

    def significant(self, res: analysis.TestResult) -> BoolArray:
        """Replicates with two-sided p < alpha and the effect in the beneficial direction."""
        return res.significant(self.design.alpha, benefit_sign=self.benefit_sign)

    def power(self, n_per_arm: int | None = None) -> analysis.Power:
        """Power with Monte-Carlo SE and 95 % CI (pool uncertainty included) at `n_per_arm`."""
        return self.power_of(self.analyse(n_per_arm))

    def power_of(self, res: analysis.TestResult) -> analysis.Power:
        """Power of an analysis result of these replicates, pool uncertainty included."""
        from ldn.trials import pool

        sig = self.significant(res)
        est = res.estimate[np.isfinite(res.estimate)]
        sd = float(est.std(ddof=1)) if est.size > 1 else float("nan")
        shift = pool.shift_in_sd(sd, pool.mean_effect_variance(self))
        return analysis.estimate_power(sig, pool_shift_sd=shift)


def _trial_index(m: int, n: int, arm: int, stride: int) -> IntArray:
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
    n_trials: int = 1000,
    seed: int = 0,
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
    `ldn.mechanisms.assurance`).
    """
    n_max = _checked_n_max(design, n_trials, n_max, pool_size)
    endpoint = endpoint or EndpointSpec.from_parameters(params, design.condition)
    spec = VariabilitySpec.from_parameters(params)
    female = 0.5 if design.female_fraction is None else design.female_fraction
    t_obs_h = np.arange(design.total_days // 7 + 1, dtype=np.float64) * H_PER_WEEK
    stride = MAX_PER_ARM
    arms = _scenarios(design, params, spec, seed, t_obs_h, dt_h, female)
    n_arms = 2 if design.kind != "n_of_1" else 1
    m = n_trials
    scores = np.zeros((m, 2, n_max, t_obs_h.size))
    last_obs = np.zeros((m, 2, n_max), dtype=np.int64)
    drug_first = None
    dropout = dropout_model(design, params)
    members = None if pool_size is None else np.zeros((m, 2, n_max), dtype=np.int64)

    def simulate(scenario: Scenario, index: IntArray) -> FloatArray:
        if simulator is not None:
            return simulator(scenario, index)
        out = run(scenario, index, scheduler=scheduler, progress=progress)
        return out.activity_rel

    for a in range(n_arms):
        scenario, needs_sim = arms[a]
        g = _trial_index(m, n_max, a, stride).ravel()
        pool_index, member = _pool_draw(seed, g, a, pool_size)
        if members is not None:
            members[:, a] = member.reshape(m, n_max)
        if needs_sim:
            activity = simulate(scenario, pool_index)[member]
        else:
            activity = np.ones((g.size, t_obs_h.size))
        if activity_hook is not None:
            activity = activity_hook(a, activity.reshape(m, n_max, -1)).reshape(g.size, -1)
        observed = _observe(endpoint, activity, t_obs_h, seed, g)
        scores[:, a] = observed.reshape(m, n_max, t_obs_h.size)
        on = _on_drug(design, a, t_obs_h.size)
        last_obs[:, a] = _last_visits(dropout, endpoint, observed, on, seed, g).reshape(m, n_max)
        if design.kind == "n_of_1":
            people = scenario.population(pool_index[member])
            drug_first = scenario.windows.drug_first(people).reshape(m, n_max, design.cycles)
    return TrialOutcomes(
        design=design, endpoint=endpoint, t_obs_h=t_obs_h, scores=scores, last_obs=last_obs,
        drug_first=drug_first, n_max=n_max, pool_size=pool_size, seed=seed, pool_member=members,
        arm_simulated=tuple(needs for _, needs in arms),
    )  # fmt: skip


def _last_visits(
    dropout: DropoutModel,
    endpoint: EndpointSpec,
    observed: FloatArray,
    on_drug: BoolArray,
    seed: int,
    index: IntArray,
) -> IntArray:
    """Each patient's last attended visit under `dropout`, from their standardised scores
    (`observed` (n, T+1) on the endpoint's scale; `on_drug` (T+1,) per visit)."""
    sp = endpoint.scale_params
    s = standardise(observed, sp.baseline, endpoint.score_sd, endpoint.scale.higher_is_worse)
    return dropout.last_visits(seed, index, s, np.broadcast_to(on_drug, s.shape))


def _checked_n_max(
    design: TrialDesign, n_trials: int, n_max: int | None, pool_size: int | None
) -> int:
    """Patients per arm to simulate (`n_max`, default the design's), the arguments checked."""
    if n_trials < 1:
        raise InputError(f"number of trials {n_trials} must be at least 1; use --trials 1000")
    n_max = design.n_per_arm if n_max is None else n_max
    if n_max < design.n_per_arm:
        raise InputError(f"n_max {n_max} is below the design's n per arm {design.n_per_arm}")
    if pool_size is not None and pool_size < 1:
        raise InputError(f"pool size {pool_size} must be at least 1, or None for no pool")
    if n_max > MAX_PER_ARM:
        raise InputError(f"n per arm {n_max} exceeds the supported {MAX_PER_ARM}")
    return n_max


def _pool_draw(
    seed: int, g: IntArray, arm: int, pool_size: int | None
) -> tuple[IntArray, IntArray]:
    """The simulated patients of arm `arm` and which of them each trial patient `g` is.

    Without a pool every trial patient is simulated; with one, `pool_size` patients per arm
    are, and each trial patient is one of them drawn by its own uniform.
    """
    if pool_size is None:
        return g, np.arange(g.size)
    pool_index = arm * POOL_STRIDE + np.arange(pool_size, dtype=np.int64)
    u = patient_uniforms(seed, Stream.POOL, g, 1)[:, 0]
    return pool_index, np.minimum((u * pool_size).astype(np.int64), pool_size - 1)


def _observe(
    endpoint: EndpointSpec, activity: FloatArray, t_obs_h: FloatArray, seed: int, g: IntArray
) -> FloatArray:
    """Observed scores of trial patients `g` from their latent activity (with noise)."""
    # the same stream as `Population.baseline_z`, drawn without sampling the rest
    ratio = endpoint.baseline_ratio(patient_normals(seed, Stream.BASELINE, g, 1)[:, 0])
    expected = endpoint.expected(activity, t_obs_h, ratio, placebo=True)
    noise = patient_normals(seed, Stream.NOISE, g, t_obs_h.size)
    return endpoint.observe(expected, noise)


def dropout_model(design: TrialDesign, params: ParameterSet) -> DropoutModel:
    """The design's dropout mechanism with its parameters (see `ldn.trials.dropout`)."""
    gamma = params.group("population.dropout").get("score_log_odds_ratio", 0.0)
    drug, placebo = (0.0, 0.0)
    if design.dropout_model == "adverse-events":
        drug, placebo = adverse_event_hazards()
    return DropoutModel(design.dropout_model, design.dropout_per_week, gamma, drug, placebo)


def _on_drug(design: TrialDesign, arm: int, n_obs: int) -> BoolArray:
    """(n_obs,) True where arm `arm` takes the drug in the week before visit t."""
    week = np.arange(n_obs)
    if design.kind == "parallel":
        given = design.treatment if arm == 0 else design.control
        return np.full(n_obs, not given.is_placebo)
    if design.kind == "crossover":
        w, gap = design.weeks, design.washout_weeks
        start = 1 if arm == 0 else w + gap + 1
        return (week >= start) & (week < start + w)
    return np.arange(n_obs) % 2 == 1  # N-of-1: half the weeks on drug (order is per patient)
