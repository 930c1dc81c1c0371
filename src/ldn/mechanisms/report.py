"""`ldn hypotheses`: per-family and model-averaged effects from the shipped posterior.

Answers from the netCDF files `ldn calibrate` wrote (no simulation): every effect is the
posterior mean with a 95 % interval of LDN − placebo on the scale's own units at 12 weeks
(negative = lower score on LDN; for pain NRS, less pain). Flags:

- `not_estimable`: the condition has no fitted randomised trial; its interval comes from the
  across-condition hierarchy (and the mechanism's posterior) only;
- `prior_dominated`: the 95 % posterior interval is at least PRIOR_DOMINATED_RATIO as wide as the
  95 % prior-predictive interval of the same effect (the data barely narrowed it), or the
  interval is cut off by the model's assumed activity bound (`at_assumed_bound`);
- `at_assumed_bound`: at least CLIPPED_SHARE of the draws pile up at one end of their range
  (within CLIPPED_TOL of it). A continuous posterior does not do that unless the effect is clipped
  by the disease module's assumed ceiling/floor (`activity_max_rel`, a labelled assumption), so
  that end of the interval echoes the assumption, not data.

The model average mixes the families' posterior draws in proportion to the condition's weights
(pseudo-BMA weights over all trials when the condition has no trial).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

import numpy as np

from ldn.conditions import canonical_condition
from ldn.errors import InputError
from ldn.mechanisms.fit import PREDICTION_WEEKS, REGIMENS
from ldn.mechanisms.run import shipped_dir
from ldn.model.disease import get_condition
from ldn.types import FloatArray

PRIOR_DOMINATED_RATIO: Final = 0.8
CLIPPED_SHARE: Final = 0.05  # assumption of this report: 5 % of draws at one end = clipped
CLIPPED_TOL: Final = 0.005  # ... within 0.5 % of the draws' range of that end
MIX_DRAWS: Final = 4000


@dataclass(frozen=True)
class Posterior:
    """The shipped calibration: summary.json and per-family effect draws (posterior, prior)."""

    summary: dict[str, Any]  # summary.json
    draws: dict[str, dict[str, FloatArray]]  # family → effect key → draws
    prior: dict[str, dict[str, FloatArray]]
    params: dict[str, dict[str, FloatArray]]  # family → posterior variable → flat draws
    trial_prior: dict[str, FloatArray]  # family → prior-predictive trial results (n, n_trials)


@cache
def load_posterior(directory: Path | None = None) -> Posterior:
    """Read `summary.json` and the families' netCDF files (cached per directory)."""
    import warnings

    d = directory or shipped_dir()
    path = d / "summary.json"
    if not path.is_file():
        raise InputError(f"no calibration in {d}; run `ldn calibrate` first")
    summary = json.loads(path.read_text(encoding="utf-8"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # arviz announces its 1.0 refactor
        import arviz as az
    draws, prior, params, trial_prior = {}, {}, {}, {}
    for name in summary["families"]:
        idata = az.from_netcdf(str(d / f"{name}.nc"))
        y = np.asarray(idata.prior_predictive["y"])
        trial_prior[name] = y.reshape(-1, y.shape[-1])
        draws[name] = {k: np.asarray(v).ravel() for k, v in idata.predictions.items()}
        prior[name] = {k: np.asarray(v).ravel() for k, v in idata.prior_predictions.items()}
        params[name] = {k: np.asarray(v).ravel() for k, v in idata.posterior.items()}
    return Posterior(summary, draws, prior, params, trial_prior)


def family_weights(post: Posterior, condition: str) -> dict[str, dict[str, float]]:
    """weight / weight_low / weight_high per family for `condition`; a condition without a
    trial gets the pseudo-BMA weights over all trials (`ldn.mechanisms.weights`). `condition`
    may be any spelling `ldn.conditions.canonical_condition` accepts (e.g. "fm")."""
    condition = canonical_condition(condition)
    weights = post.summary["weights"]
    assert isinstance(weights, dict)
    if condition in weights:
        return weights[condition]
    if "untested" not in weights:
        raise InputError("this calibration predates weights for untested conditions: run "
                         "`ldn calibrate --reweigh`")  # fmt: skip
    return weights["untested"]


def _interval(x: FloatArray) -> tuple[float, float, float]:
    lo, hi = np.percentile(x, [2.5, 97.5])
    return float(np.mean(x)), float(lo), float(hi)


def at_assumed_bound(x: FloatArray) -> bool:
    """True when ≥ CLIPPED_SHARE of `x` lies within CLIPPED_TOL·range of its min or max."""
    lo, hi = float(np.min(x)), float(np.max(x))
    width = hi - lo
    if width <= 0:  # a constant (the null family): nothing is clipped
        return False
    tol = CLIPPED_TOL * width
    return bool(np.mean(x >= hi - tol) >= CLIPPED_SHARE or np.mean(x <= lo + tol) >= CLIPPED_SHARE)


def _effect(
    key: str, draws: FloatArray, prior: FloatArray | None, not_estimable: bool
) -> dict[str, object]:
    scale, reg = key.split(".", 3)[2:]
    mean, lo, hi = _interval(draws)
    clipped = at_assumed_bound(draws)
    dominated = not_estimable or clipped
    if prior is not None:
        _, plo, phi = _interval(prior)
        dominated = dominated or (hi - lo) >= PRIOR_DOMINATED_RATIO * (phi - plo) > 0
    return {
        "regimen": reg, "dose_mg": REGIMENS[reg][0], "scale": scale, "weeks": PREDICTION_WEEKS,
        "mean": mean, "pi_low": lo, "pi_high": hi, "prior_dominated": bool(dominated),
        "not_estimable": not_estimable, "at_assumed_bound": clipped,
    }  # fmt: skip


def _mixture(post: Posterior, key: str, weights: dict[str, float], seed: int) -> FloatArray:
    rng = np.random.default_rng(seed)
    names = list(weights)
    w = np.array([weights[n] for n in names])
    counts = rng.multinomial(MIX_DRAWS, w / w.sum())
    parts = [rng.choice(post.draws[n][key], size=c) for n, c in zip(names, counts, strict=True)
             if c > 0]  # fmt: skip
    return np.concatenate(parts)


def hypotheses_report(condition: str, directory: Path | None = None) -> dict[str, Any]:
    """The `ldn hypotheses --format json` object for `condition` (see the module docstring)."""
    cond = get_condition(condition)
    post = load_posterior(directory)
    fitted = {t["condition"] for t in post.summary["trials"] if t["role"] == "fit"}
    not_estimable = cond.name not in fitted
    weights = family_weights(post, cond.name)
    keys = [f"effect.{cond.name}.{s.column}.{r}" for r in REGIMENS for s in cond.scales]
    hyps = []
    for name, w in weights.items():
        effects = [
            _effect(k, post.draws[name][k], post.prior[name].get(k), not_estimable) for k in keys
        ]
        if name == "null":  # exactly zero by definition: neither prior- nor data-driven
            for e in effects:
                e["prior_dominated"] = False
        fam = post.summary["families"][name]
        hyps.append({"name": name, **w, "converged": bool(fam.get("converged", True)),
                     "rhat_max": fam.get("rhat_max"), "effects": effects})  # fmt: skip
    point = {n: w["weight"] for n, w in weights.items()}
    avg = []
    for i, k in enumerate(keys):
        mix = _mixture(post, k, point, seed=i)
        prior_mix = np.concatenate([post.prior[n][k] for n in weights if n != "null"])
        avg.append(_effect(k, mix, prior_mix, not_estimable))
    return {"condition": cond.name, "hypotheses": hyps, "model_average": {"effects": avg}}
