"""Assurance: virtual trials whose mechanism family and parameters are drawn from the posterior.

For a parallel design, each replicate trial r gets one posterior draw: a family (chosen with the
condition's weights) and that family's calibrated parameters. The draw's population-mean latent
activity a_r(t) under the trial's regimen (`ldn.simulate.hypotheses.family_run`) replaces the fixed
model's population mean, keeping each virtual patient's deviation from it (between-patient
variability of the population engine):

    A_r,i(t) = a_r(t) + (A_i(t) − Ā(t))

Power over such replicates is the assurance (expected power over parameter uncertainty), and the
spread of the replicate estimates includes what we do not know about the mechanism.
Crossover and N-of-1 designs keep fixed parameters (`supports` says which designs are covered).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Final

import numpy as np

from ldn.mechanisms.report import Posterior, family_weights, load_posterior
from ldn.model.chain import get_condition
from ldn.model.disease.base import H_PER_WEEK
from ldn.model.hypotheses import get_family
from ldn.parameters import ParameterSet
from ldn.simulate.hypotheses import family_run
from ldn.trials.design import TrialDesign
from ldn.units import FloatArray

MAX_DRAWS: Final = 200  # distinct posterior draws per run (replicates share them round-robin)
_DT_H: Final = 1.0


def supports(design: TrialDesign) -> bool:
    """Whether assurance is available for `design` (parallel designs)."""
    return design.kind == "parallel"


def _draw_overrides(
    post: Posterior, family: str, condition: str, idx: FloatArray, rng: np.random.Generator
) -> dict[str, FloatArray]:
    fam = get_family(family)
    p = post.params[family]
    ov = {name: p[name][idx] for name in fam.free}
    key = f"log_gain.{condition}"
    lg = p[key][idx] if key in p else (
        p["log_gain_mean"][idx] + p["log_gain_sd"][idx] * rng.normal(size=idx.size))  # fmt: skip
    ov[f"{get_condition(condition).prefix}.effect_gain"] = np.exp(lg)
    return ov


def draw_trajectories(
    design: TrialDesign, arm_regimen: object, params: ParameterSet, n_draws: int, seed: int,
    directory: Path | None = None, family: str | None = None,
) -> tuple[list[str], FloatArray]:  # fmt: skip
    """(family per draw, mean latent activity (n_draws, n_weeks + 1) at weekly visits).

    Families are drawn with the condition's weights, or only `family` when given.
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
    events = None if arm_regimen is None else arm_regimen.events(  # type: ignore[attr-defined]
        until_h=weeks * H_PER_WEEK + 24.0)  # fmt: skip
    for name in set(fams.tolist()):
        rows = np.nonzero(fams == name)[0]
        fam = get_family(name)
        if not fam.has_effect or events is None:
            continue
        n_post = post.params[name]["tau"].size
        idx = rng.integers(0, n_post, size=rows.size)
        ov: dict[str, FloatArray | float] = dict(
            _draw_overrides(post, name, design.condition, idx, rng)
        )  # incl. the threshold
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
    regimens = (design.treatment.regimen, design.control.regimen)
    # the same seed for both arms: replicate r uses the same family and draw in each arm
    traj = [draw_trajectories(design, r, params, n_draws, seed, directory, family)[1]
            for r in regimens]  # fmt: skip
    assign = np.random.default_rng(seed).permutation(n_trials) % n_draws

    def hook(arm: int, activity: FloatArray) -> FloatArray:
        mean = activity.mean(axis=(0, 1))
        a = traj[arm][assign][:, None, : activity.shape[2]]
        return np.asarray(activity - mean[None, None, :] + a)

    return hook
