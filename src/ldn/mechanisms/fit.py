"""Fit one mechanism family with emcee and return an ArviZ InferenceData.

Why emcee: the likelihood runs the compiled chain (numba RK4, ~2 ms per walker and trial),
which has no gradients, so gradient-based samplers (NUTS in PyMC/NumPyro) would need a second,
differentiable copy of the chain — the thing the project's "same model everywhere" rule forbids.
The affine-invariant ensemble evaluates all walkers in one vectorised call (one kernel launch per
trial), needs no tuning, and the family has ≤ 13 dimensions. Walkers are stored as chains; R-hat
and bulk ESS are computed over them and `check_convergence` fails loudly.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any, Final

import numpy as np

from ldn.calibration.ensemble import run_ensemble
from ldn.errors import InputError
from ldn.mechanisms.data import CalibrationTrial
from ldn.mechanisms.model import (
    Layout,
    effect_from_cytokine,
    log_likelihood,
    mechanism_cytokine,
    predict_trials,
    replicate,
)
from ldn.mechanisms.settings import FitSettings
from ldn.model.chain import CONDITIONS
from ldn.model.disease import get_condition
from ldn.model.hypotheses.base import Family
from ldn.parameters import ParameterSet
from ldn.regimen import daily
from ldn.types import FloatArray, IntArray

RHAT_MAX: Final = 1.05
ESS_MIN: Final = 200.0
PREDICTION_WEEKS: Final = 12.0
# The regimens every family is asked about (ldn hypotheses): name → (dose_mg, clock time).
REGIMENS: Final = {"ldn_4.5mg_22:00": (4.5, "22:00"), "naltrexone_50mg_08:00": (50.0, "08:00")}


class ConvergenceError(InputError):
    """The sampler did not converge (R-hat or ESS outside the limits)."""


def _posterior_fn(
    layout: Layout, trials: list[CalibrationTrial], params: ParameterSet
) -> Callable[[FloatArray], list[tuple[float, FloatArray]]]:
    def fn(theta: FloatArray) -> list[tuple[float, FloatArray]]:
        theta = np.atleast_2d(theta)
        lp = layout.log_prior(theta)
        ll = np.full((theta.shape[0], len(trials)), -np.inf)
        ok = np.isfinite(lp)
        if ok.any():
            tau = layout.column(theta[ok], "tau")
            eff = predict_trials(layout, theta[ok], trials, params)
            for i, tr in enumerate(trials):
                ll[ok, i] = log_likelihood(eff[:, i], tau, tr, params)
        total = lp + ll.sum(axis=1)
        total = np.where(np.isfinite(total), total, -np.inf)
        return list(zip(total.tolist(), ll, strict=True))  # emcee: (log prob, blob) per walker

    return fn


def _moves() -> list[tuple[object, float]]:
    """Differential-evolution proposals (80 %) with snooker updates (20 %).

    The stretch move mixed slowly along the ridge between the gain hierarchy (mean, spread, z's)
    and the weakly identified mechanism coordinates (integrated autocorrelation ≈ 100 steps,
    walker R-hat up to 2.2 after 1,000 steps); DE proposals follow that correlation.
    """
    import emcee

    return [(emcee.moves.DEMove(), 0.8), (emcee.moves.DESnookerMove(), 0.2)]


def run_sampler(
    layout: Layout, trials: list[CalibrationTrial], params: ParameterSet, settings: FitSettings,
    progress: Callable[[int], None] | None = None,
) -> tuple[FloatArray, FloatArray]:  # fmt: skip
    """(chains (walkers, draws, ndim), pointwise log likelihood (walkers, draws, n_trials))."""
    rng = np.random.default_rng(settings.seed)
    chain, blobs = run_ensemble(
        _posterior_fn(layout, trials, params),
        layout.ndim,
        lambda walkers: layout.sample_prior(walkers, rng),
        settings,
        thin=settings.thin,
        moves=_moves(),
        vectorize=True,
        blobs_dtype=[("ll", float, (len(trials),))],
        progress=progress,
    )
    return np.swapaxes(chain, 0, 1), np.swapaxes(blobs["ll"], 0, 1)


def convergence(idata: Any) -> dict[str, float]:
    """Max R-hat and min bulk ESS over the sampled variables (walkers as chains)."""
    import arviz as az

    names = [v for v in idata.posterior.data_vars if not v.startswith("log_gain.")]
    rhat = az.rhat(idata, var_names=names)
    ess = az.ess(idata, var_names=names, method="bulk")
    worst_r = max(float(rhat[v].max()) for v in names)
    worst_e = min(float(ess[v].min()) for v in names)
    return {"rhat_max": worst_r, "ess_bulk_min": worst_e}


def check_convergence(diagnostics: dict[str, float], family: str) -> None:
    """`ConvergenceError` (fails loudly) when R-hat > RHAT_MAX or bulk ESS < ESS_MIN."""
    worst_r, worst_e = diagnostics["rhat_max"], diagnostics["ess_bulk_min"]
    if not (worst_r <= RHAT_MAX and worst_e >= ESS_MIN):
        raise ConvergenceError(
            f"{family}: sampler not converged (max R-hat {worst_r:.3f} > {RHAT_MAX} or min bulk "
            f"ESS {worst_e:.0f} < {ESS_MIN:.0f}); rerun `ldn calibrate` with more --steps"
        )


def _rows(chains: FloatArray, n: int, rng: np.random.Generator) -> tuple[FloatArray, IntArray]:
    """(n posterior rows drawn without replacement, their flat indices)."""
    flat = chains.reshape(-1, chains.shape[-1])
    idx = rng.choice(flat.shape[0], size=min(n, flat.shape[0]), replace=False)
    return flat[idx], idx


def loo_pit(
    ll: FloatArray, y_rep: FloatArray, y_obs: FloatArray, rng: np.random.Generator
) -> FloatArray:
    """LOO-PIT per trial: PSIS-weighted P(y_rep < y) + U·P(y_rep = y) (randomised for counts).

    ll: (n_draws, n_trials) log likelihood at the draws that produced `y_rep` (n_draws, n_trials).
    """
    import arviz as az

    out = np.empty(y_obs.size)
    for i in range(y_obs.size):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # high Pareto k: reported in run.py
            lw, _ = az.psislw(-ll[:, i].copy())
        w = np.exp(lw - lw.max())
        w /= w.sum()
        below = float(np.sum(w * (y_rep[:, i] < y_obs[i])))
        equal = float(np.sum(w * (y_rep[:, i] == y_obs[i])))
        out[i] = below + rng.uniform() * equal
    return out


def effects(
    layout: Layout, theta: FloatArray, params: ParameterSet, rng: np.random.Generator
) -> dict[str, FloatArray]:
    """LDN − placebo at PREDICTION_WEEKS for REGIMENS on every scale of every condition.

    Keys `effect.<condition>.<scale>.<regimen>`; conditions without a fitted trial draw their
    gain's z from N(0, 1) (the hierarchy's prior predictive), one per row.
    """
    out: dict[str, FloatArray] = {}
    gains = {}
    if layout.family.has_effect:
        for cond in CONDITIONS:
            z: FloatArray | None = (
                None if cond in layout.conditions else np.asarray(rng.normal(0, 1, theta.shape[0]))
            )
            gains[cond] = layout.log_gain(theta, cond, z)
    for reg, (dose, at) in REGIMENS.items():
        regimen = daily(dose, at)
        c = (mechanism_cytokine(layout, theta, regimen, PREDICTION_WEEKS, params)
             if layout.family.has_effect else None)  # fmt: skip
        for cond in CONDITIONS:
            for scale in get_condition(cond).scales:
                probe = CalibrationTrial(
                    "prediction", 0, cond, scale.column, False, regimen, "",
                    PREDICTION_WEEKS, False, "normal", 0.0, 1.0, (0, 0, 0, 0), 0.0, "fit",
                )  # fmt: skip
                key = f"effect.{cond}.{scale.column}.{reg}"
                out[key] = (np.zeros(theta.shape[0]) if c is None
                            else effect_from_cytokine(c, probe, gains[cond], params))  # fmt: skip
    return out


def fit_family(
    family: Family, trials: list[CalibrationTrial], params: ParameterSet,
    settings: FitSettings | None = None, progress: Callable[[int], None] | None = None,
    check: bool = True,
) -> Any:  # fmt: skip
    """Sample `family`'s posterior given `trials`; InferenceData with posterior, log likelihood,
    prior and posterior predictive (trial results `y`), and effect predictions."""
    settings = settings or FitSettings()
    fit = [t for t in trials if t.role == "fit"]
    layout = Layout.build(family, fit, params)
    chains, ll = run_sampler(layout, fit, params, settings, progress)
    rng = np.random.default_rng(settings.seed + 1)
    post = {name: chains[:, :, j] for j, name in enumerate(layout.names)}
    flat = chains.reshape(-1, layout.ndim)
    for name, vals in layout.mechanism(flat).items():
        post[name] = vals.reshape(chains.shape[:2])
    if family.has_effect:
        for c in layout.conditions:
            post[f"log_gain.{c}"] = layout.log_gain(flat, c).reshape(chains.shape[:2])
    draws, idx = _rows(chains, settings.predict_draws, rng)
    prior = layout.sample_prior(settings.predict_draws, rng)
    y_obs = np.array([t.observed for t in fit])
    with warnings.catch_warnings():
        # walkers are stored as chains; a short run (tests) has fewer draws than walkers
        warnings.filterwarnings("ignore", message="More chains", category=UserWarning)
        warnings.filterwarnings("ignore", message="the default dims", category=UserWarning)
        idata = _inference_data(layout, fit, trials, params, chains, ll, post, draws, prior, y_obs,
                                rng)  # fmt: skip
    diagnostics = convergence(idata)
    idata.attrs.update(diagnostics)
    y_rep = np.asarray(idata.posterior_predictive["y"])[0]
    pit = loo_pit(ll.reshape(-1, len(fit))[idx], y_rep, y_obs, rng)
    idata.attrs["loo_pit"] = [float(v) for v in pit]
    if check:
        check_convergence(diagnostics, family.name)
    idata.attrs.update({"family": family.name, "ndim": layout.ndim})
    return idata


def _inference_data(
    layout: Layout, fit: list[CalibrationTrial], trials: list[CalibrationTrial],
    params: ParameterSet, chains: FloatArray, ll: FloatArray, post: dict[str, FloatArray],
    draws: FloatArray, prior: FloatArray, y_obs: FloatArray, rng: np.random.Generator,
) -> Any:  # fmt: skip
    import arviz as az

    all_trials = fit + [t for t in trials if t.role == "validation"]
    pp_post = _predictive(layout, draws, all_trials, params, rng)
    pp_prior = _predictive(layout, prior, all_trials, params, rng)
    idata = az.from_dict(
        posterior=post,
        log_likelihood={"y": ll},
        observed_data={"y": y_obs},
        posterior_predictive={"y": pp_post["y"][None, :, : len(fit)]},
        prior={name: prior[None, :, j] for j, name in enumerate(layout.names)},
        prior_predictive={"y": pp_prior["y"][None, :, : len(fit)]},
        predictions={k: v[None] for k, v in pp_post.items() if k != "y"},
        coords={"trial": [t.label for t in fit]},
        dims={"y": ["trial"]},
    )
    idata.add_groups({"prior_predictions": {k: v[None] for k, v in pp_prior.items() if k != "y"}})
    return idata


def _predictive(
    layout: Layout, theta: FloatArray, trials: list[CalibrationTrial], params: ParameterSet,
    rng: np.random.Generator,
) -> dict[str, FloatArray]:  # fmt: skip
    """Replicated trial results `y` (n, n_trials), incl. validation trials, and effects."""
    tau = layout.column(theta, "tau")
    eff = predict_trials(layout, theta, trials, params)
    y = np.column_stack(
        [replicate(eff[:, i], tau, t, params, rng) for i, t in enumerate(trials)]
    ) if trials else np.zeros((theta.shape[0], 0))  # fmt: skip
    out = {"y": y}
    if len(trials) and any(t.role == "validation" for t in trials):
        out["y_validation"] = y[:, [i for i, t in enumerate(trials) if t.role == "validation"]]
    out.update(effects(layout, theta, params, rng))
    return out
