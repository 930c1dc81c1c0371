"""Assurance: virtual trials whose mechanism family and parameters are drawn from the posterior.

For a parallel or crossover design, each replicate trial r gets one posterior draw: a family
(chosen with the condition's weights) and that family's calibrated parameters, the same in both
arms (sequences). The draw's population-mean latent activity a_r(t) under each arm's dosing
(`ldn.simulation.hypotheses.family_run`; for a crossover sequence, the treatment regimen's doses
inside that sequence's drug period, as `ldn.trials.simulate` gives them, so the washout and any
carry-over into the placebo period follow the draw) replaces the fixed model's population mean,
keeping each virtual patient's deviation from it (between-patient variability of the engine):

    A_r,i(t) = a_r(t) + (A_i(t) − Ā(t))

Power over such replicates is the assurance (expected power over parameter uncertainty), and the
spread of the replicate estimates includes what we do not know about the mechanism.
N-of-1 designs keep fixed parameters (`supports` says which designs are covered): each patient
has their own random period order, which one population-mean trajectory per arm cannot carry.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Final

import numpy as np

from ldn.mechanisms.report import Posterior, family_weights, load_posterior
from ldn.model.disease import get_condition
from ldn.model.disease.base import H_PER_WEEK
from ldn.model.hypotheses import get_family
from ldn.parameters import ParameterSet
from ldn.regimen.events import DoseEvents
from ldn.simulation.hypotheses import family_run
from ldn.trials.design import TrialDesign
from ldn.types import FloatArray, IntArray

MAX_DRAWS: Final = 200  # distinct posterior draws per run (replicates share them round-robin)
_DT_H: Final = 1.0


def supports(design: TrialDesign) -> bool:
    """Whether assurance is available for `design` (parallel and crossover designs)."""
    return design.kind in ("parallel", "crossover")


def arm_events(design: TrialDesign, arm: int) -> DoseEvents | None:
    """Doses arm (crossover: sequence) `arm` takes over the whole trial; None for placebo."""
    until_h = design.total_days * 24.0 + 24.0
    if design.kind == "parallel":
        given = design.treatment if arm == 0 else design.control
        return None if given.regimen is None else given.regimen.events(until_h=until_h)
    assert design.treatment.regimen is not None, "a crossover compares a drug with placebo"
    ev = design.treatment.regimen.events(until_h=until_h)
    period_h, gap_h = design.weeks * H_PER_WEEK, design.washout_weeks * H_PER_WEEK
    start = 0.0 if arm == 0 else period_h + gap_h  # the windows of `ldn.trials.simulate`
    keep = (ev.t_h >= start) & (ev.t_h < start + period_h)
    if not keep.any():
        return None
    steady = ev.steady_state if keep[0] else None
    return DoseEvents(t_h=ev.t_h[keep], dose_mg=ev.dose_mg[keep], steady_state=steady)


def _draw_overrides(
    post: Posterior, family: str, condition: str, idx: IntArray, rng: np.random.Generator
) -> dict[str, FloatArray]:
    fam = get_family(family)
    p = post.params[family]
    ov = {name: p[name][idx] for name in fam.free}
    cond = get_condition(condition)  # canonical name: an alias must not miss its fitted gain
    key = f"log_gain.{cond.name}"
    lg = p[key][idx] if key in p else (
        p["log_gain_mean"][idx] + p["log_gain_sd"][idx] * rng.normal(size=idx.size))  # fmt: skip
    ov[f"{cond.prefix}.effect_gain"] = np.exp(lg)
    return ov


def draw_trajectories(
    design: TrialDesign, events: DoseEvents | None, params: ParameterSet, n_draws: int,
    seed: int, directory: Path | None = None, family: str | None = None,
) -> tuple[list[str], FloatArray]:  # fmt: skip
    """(family per draw, mean latent activity (n_draws, n_weeks + 1) at weekly visits) under
    dose `events` (None: placebo).

    Families are drawn with the condition's weights, or only `family` when given. The draws
    depend on `seed` only, not on `events`: every arm of a replicate gets the same draw.
    """
    post = load_posterior(directory)
    rng = np.random.default_rng(seed)
    if family is None:
        weights = family_weights(post, design.condition)
        names = list(weights)
        w = np.array([weights[n]["weight"] for n in names])
    else:
        names, w = [get_family(family).name], np.ones(1)
    fams = rng.choice(names, size=n_draws, p=w / w.sum())
    weeks = design.total_days / 7.0
    out = np.ones((n_draws, int(design.total_days // 7) + 1))
    for name in sorted(set(fams.tolist())):
        rows = np.nonzero(fams == name)[0]
        fam = get_family(name)
        n_post = post.params[name]["tau"].size
        idx = rng.integers(0, n_post, size=rows.size)
        if not fam.has_effect:
            continue
        ov: dict[str, FloatArray | float] = dict(
            _draw_overrides(post, name, design.condition, idx, rng)
        )  # incl. the threshold
        if events is None:
            continue  # placebo: untreated activity (after drawing, so the arms stay in step)
        run = family_run(fam, events, weeks, design.condition, params, ov, dt_h=_DT_H,
                         record_every=round(H_PER_WEEK / _DT_H))  # fmt: skip
        out[rows] = run.state("disease_activity_rel")[:, : out.shape[1]]
    return fams.tolist(), out


def posterior_hook(
    design: TrialDesign, params: ParameterSet, n_trials: int, seed: int,
    directory: Path | None = None, family: str | None = None,
) -> Callable[[int, FloatArray], FloatArray]:  # fmt: skip
    """`activity_hook` for `ldn.trials.simulate.simulate_trials` (see the module docstring)."""
    n_draws = min(n_trials, MAX_DRAWS)
    # the same seed for both arms: replicate r uses the same family and draw in each arm
    traj = [draw_trajectories(design, arm_events(design, a), params, n_draws, seed, directory,
                              family)[1] for a in (0, 1)]  # fmt: skip
    assign = np.random.default_rng(seed).permutation(n_trials) % n_draws

    def hook(arm: int, activity: FloatArray) -> FloatArray:
        mean = activity.mean(axis=(0, 1))
        a = traj[arm][assign][:, None, : activity.shape[2]]
        return np.asarray(activity - mean[None, None, :] + a)

    return hook
