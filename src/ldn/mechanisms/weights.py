"""Family weights from leave-one-trial-out predictive performance (PSIS-LOO, ArviZ).

- Across conditions (`stacking_weights`): stacking of the LOO predictive densities (Yao et al.
  2018, as `arviz.compare(method="stacking")`): w maximises Σᵢ log Σₖ wₖ·exp(elpdᵢₖ) on the
  simplex. `weight_low`/`weight_high` are the 2.5/97.5 % points of the stacking weights over
  Bayesian-bootstrap reweightings of the trials (Dirichlet(1, …, 1)).
- Within a condition (`condition_weights`): pseudo-BMA weights wₖ ∝ exp(Σᵢ elpdᵢₖ) over that
  condition's trials; the interval propagates the Monte-Carlo uncertainty of each family's
  fit to those trials (elpdₖ + N(0, Σᵢ Var_draws[log p(yᵢ | θ)])).
- A condition without a trial (`untested`): the same pseudo-BMA weights over every fitted trial,
  i.e. what all conditions' trials together say about the mechanism. ASSUMPTION: the mechanism
  (not its disease gain) is shared across conditions; the reports flag such a condition
  `not_estimable`. The stacking weights are not used there: with five trials they put all weight
  on one family with an interval of 0–1 (a degenerate optimum, not evidence for that family).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import optimize, special

from ldn.types import FloatArray

N_BOOT = 400


def pointwise_elpd(idata: Any) -> FloatArray:
    """PSIS-LOO elpd of each fitted trial (n_trials,)."""
    import warnings

    import arviz as az

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # high Pareto k: reported per trial (run.py)
        loo = az.loo(idata, pointwise=True)
    return np.asarray(loo.loo_i, dtype=np.float64)


def _stack(elpd: FloatArray, obs_w: FloatArray) -> FloatArray:
    """Stacking weights for pointwise elpd (n_trials, n_families), trial weights `obs_w`."""
    k = elpd.shape[1]
    if k == 1:
        return np.ones(1)

    def neg(z: FloatArray) -> float:
        logw = z - special.logsumexp(z)
        return -float(np.sum(obs_w * special.logsumexp(elpd + logw[None, :], axis=1)))

    res = optimize.minimize(neg, np.zeros(k), method="L-BFGS-B")
    w = np.exp(res.x - special.logsumexp(res.x))
    return np.asarray(w / w.sum())


def stacking_weights(elpd: FloatArray, seed: int = 0) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(weight, weight_low, weight_high) per family from pointwise elpd (n_trials, n_families)."""
    n = elpd.shape[0]
    w = _stack(elpd, np.ones(n))
    rng = np.random.default_rng(seed)
    boot = np.array([_stack(elpd, n * rng.dirichlet(np.ones(n))) for _ in range(N_BOOT)])
    lo, hi = np.percentile(boot, [2.5, 97.5], axis=0)
    return w, lo, hi


def condition_weights(
    elpd: FloatArray, ll_var: FloatArray, seed: int = 0
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(weight, low, high) per family from one condition's trials (see module docstring).

    elpd, ll_var: (n_trials_c, n_families) pointwise elpd and posterior variance of log p(yᵢ|θ).
    """
    total = elpd.sum(axis=0)
    w = np.exp(total - special.logsumexp(total))
    rng = np.random.default_rng(seed)
    draws = total[None, :] + rng.normal(size=(N_BOOT, total.size)) * np.sqrt(ll_var.sum(axis=0))
    boot = np.exp(draws - special.logsumexp(draws, axis=1, keepdims=True))
    lo, hi = np.percentile(boot, [2.5, 97.5], axis=0)
    return w, lo, hi
