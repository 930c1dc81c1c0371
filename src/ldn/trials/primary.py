"""The primary analysis of replicate trials, chosen by the design's `analysis` (see design.py).

Parallel, change from baseline (all on the last visit's change):

- `mmrm`: mixed model for repeated measures over every weekly visit (`ldn.trials.mmrm`);
- `ancova`: ANCOVA on completers (patients seen at the last visit);
- `locf-ancova`: ANCOVA with the last observation carried forward (patients seen at least once
  after baseline);
- `mi`, `jump-to-reference`, `tipping-point`: multiple imputation (`ldn.trials.imputation`).

Parallel, responders (non-responder imputation for patients not seen at the last visit):
`logistic`, `exact` (`ldn.trials.responders`). Crossover: the period-adjusted t-test on
completers, with period and carry-over (`ldn.trials.within`). N-of-1 series: the mixed model over
the cycles each patient completed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from ldn.population.endpoints import EndpointSpec
from ldn.trials import analysis, imputation, responders, within
from ldn.trials.design import TrialDesign
from ldn.trials.mmrm import mmrm
from ldn.types import BoolArray, FloatArray, IntArray


class TrialOutcomes(Protocol):
    """What the analyses read from `ldn.trials.simulate.TrialOutcomes` (see there)."""

    @property
    def design(self) -> TrialDesign: ...

    @property
    def endpoint(self) -> EndpointSpec: ...

    @property
    def scores(self) -> FloatArray: ...

    @property
    def last_obs(self) -> IntArray: ...

    @property
    def drug_first(self) -> BoolArray | None: ...

    @property
    def pool_size(self) -> int | None: ...

    @property
    def seed(self) -> int: ...

    @property
    def pool_member(self) -> IntArray | None: ...

    @property
    def arm_simulated(self) -> tuple[bool, ...]: ...

    @property
    def n_trials(self) -> int: ...


@dataclass(frozen=True)
class Analysed:
    """The primary test per replicate and analysis-specific extras (per-δ tests, carry-over)."""

    name: str
    result: analysis.TestResult
    by_delta: tuple[tuple[float, analysis.TestResult], ...] = ()
    extras: dict[str, Any] = field(default_factory=dict)


def analyse(out: TrialOutcomes, n: int) -> Analysed:
    """Run the design's analysis on the first `n` patients per arm of every replicate."""
    name = out.design.analysis_at(n)
    kind = out.design.kind
    if kind == "crossover":
        return _crossover(out, n)
    if kind == "n_of_1":
        return Analysed(name, _n_of_1(out, n))
    if out.design.endpoint == "responder":
        return Analysed(name, _responder(out, n, name))
    return _change(out, n, name)


def _flat(out: TrialOutcomes, n: int) -> tuple[FloatArray, IntArray, BoolArray]:
    """Scores (M, 2n, T+1), visits seen (M, 2n) and treated (M, 2n) for arms 0 (treated), 1."""
    m = out.n_trials
    scores = out.scores[:, :, :n].reshape(m, 2 * n, -1)
    last = out.last_obs[:, :, :n].reshape(m, 2 * n)
    treated = np.zeros((m, 2, n), dtype=bool)
    treated[:, 0] = True
    return scores, last, treated.reshape(m, 2 * n)


def _change(out: TrialOutcomes, n: int, name: str) -> Analysed:
    scores, last, treated = _flat(out, n)
    baseline = scores[..., 0]
    change = scores[..., 1:] - baseline[..., None]
    weeks = change.shape[-1]
    if name == "ancova":
        return Analysed(name, analysis.ancova(change[..., -1], baseline, treated, last >= weeks))
    if name == "locf-ancova":
        carried = np.take_along_axis(scores, last[..., None], axis=-1)[..., 0]
        return Analysed(name, analysis.ancova(carried - baseline, baseline, treated, last >= 1))
    centred = baseline - baseline.mean(axis=1, keepdims=True)
    x = np.stack([np.ones_like(baseline), treated.astype(np.float64), centred], axis=-1)
    if name == "mmrm":
        res, order = mmrm(x, change, last)
        return Analysed(name, res, extras=_structure(order, weeks))
    method = "j2r" if name == "jump-to-reference" else "mar"
    worse = 1.0 if out.endpoint.scale.higher_is_worse else -1.0
    deltas: tuple[float, ...] = (0.0,)
    if name == "tipping-point":
        deltas = tuple(worse * k * out.endpoint.score_sd for k in imputation.DELTA_GRID_SD)
    results = imputation.multiple_imputation(
        x, change, last, baseline, seed=out.seed, method=method, deltas=deltas
    )
    by_delta = tuple(zip(deltas, results, strict=True)) if len(deltas) > 1 else ()
    return Analysed(name, results[0], by_delta=by_delta)


def _structure(order: IntArray, weeks: int) -> dict[str, Any]:
    fitted = order[order >= 0]
    share = float((fitted == weeks - 1).mean()) if fitted.size else float("nan")
    return {
        "mmrm_unstructured_fraction": round(share, 4),
        "mmrm_min_antedependence_order": int(fitted.min()) if fitted.size else None,
    }


def _responder(out: TrialOutcomes, n: int, name: str) -> analysis.TestResult:
    scores, last, treated = _flat(out, n)
    baseline = scores[..., 0]
    final = scores[..., -1]
    responder = out.endpoint.responder(baseline, final) & (last >= scores.shape[-1] - 1)
    if name == "logistic":
        return responders.logistic(responder, treated, baseline)
    return responders.exact(responder, treated)


def crossover_visits(weeks: int, washout_weeks: int) -> tuple[int, int]:
    """Observation indices (weekly grid) of the ends of period 1 and period 2."""
    return weeks, 2 * weeks + washout_weeks


def n_of_1_visits(weeks: int, washout_weeks: int, n_periods: int) -> list[int]:
    """Observation indices (weekly grid) of the end of every N-of-1 period."""
    step = weeks + washout_weeks
    return [p * step + weeks for p in range(n_periods)]


def _crossover(out: TrialOutcomes, n: int) -> Analysed:
    p1_idx, p2_idx = crossover_visits(out.design.weeks, out.design.washout_weeks)
    scores, last, seq_ab = _flat(out, n)
    observed = last >= p2_idx
    args = (scores[..., p1_idx], scores[..., p2_idx], seq_ab, observed)
    terms = within.crossover_terms(*args)
    return Analysed("crossover", analysis.crossover(*args), extras=within.describe_carryover(terms))


def _n_of_1(out: TrialOutcomes, n: int) -> analysis.TestResult:
    assert out.drug_first is not None
    d = out.design
    ends = n_of_1_visits(d.weeks, d.washout_weeks, d.n_periods)
    scores = out.scores[:, 0, :n]
    last = out.last_obs[:, 0, :n]
    first = out.drug_first[:, :n]
    diffs, done = [], []
    for c in range(d.cycles):
        a, b = scores[..., ends[2 * c]], scores[..., ends[2 * c + 1]]
        diffs.append(np.where(first[..., c], a - b, b - a))
        done.append(last >= ends[2 * c + 1])
    return within.n_of_1_mixed(np.stack(diffs, axis=-1), np.stack(done, axis=-1))
