"""Fit each PK structural variant to the human data; compare; sample parameter uncertainty.

Above the model core (the model never imports this).  For variant `m`:

- Free parameters are fitted in log space within physiological bounds (`bounds(m)`); the
  6β-naltrexol clearance is bounded below by its measured renal clearance (Meyer 1984).
- Fixed, non-identifiable parameters (`NUISANCE`: fm, fu_m) are held at their nominal values in
  the maximum-likelihood fit and sampled from their labelled ranges in the posterior, so their
  range is carried into the uncertainty.  CL (211 L/h) and V_c (1350 L) stay fixed: oral data
  identify only F/CL and F/V, so F is labelled derived.
- Likelihood: independent Gaussian residuals z = (model − value)/sd, sd = the study's reported
  spread (or the labelled assumption in pk_observations.csv).  −2 log L = Σ z² + const, so
  AIC = Σz² + 2k and BIC = Σz² + k ln n.
- Leave-one-study-out: refit without one study, predict its rows; RMS z over all left-out rows.
- Posterior: `emcee` (affine-invariant ensemble sampler; well kept, no gradients needed, and
  the log-density costs milliseconds) with flat priors in log space inside the bounds.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final

import numpy as np

from ldn.calibration.ensemble import EnsembleSettings, run_ensemble
from ldn.calibration.pk_data import Observation, fit_set, studies
from ldn.calibration.pk_predict import Predictor, renal_clearance_naltrexol_l_per_h
from ldn.model.pk import PKParams
from ldn.model.pk_models import get_model
from ldn.model.receptors import BindingParams
from ldn.parameters import ParameterSet

PK_FREE: Final = (
    ("ka_per_h", 0.3, 10.0),
    ("f_sys", 0.02, 0.9),
    ("q_deep_l_per_h", 0.1, 300.0),
    ("v_deep_l", 50.0, 50000.0),
    ("cl_m_l_per_h", None, 300.0),  # lower bound: measured renal clearance
    ("v_m_l", 10.0, 3000.0),
    ("q_m_l_per_h", 0.05, 500.0),
    ("v_mp_l", 10.0, 10000.0),
    ("ke0_per_h", 0.01, 30.0),
    ("ke0_m_per_h", 0.005, 30.0),
)
BINDING_FREE: Final = (("invivo_scale", 0.1, 50.0), ("kp_m", 0.002, 1.0))
EXTRA_FREE: Final = {
    "k_ret_per_h": (1e-3, 20.0),
    "k_rel_per_h": (1e-4, 2.0),
    "koff_per_h": (1e-3, 100.0),
}
# Structural definition of (a) and (c): the brain equilibrates with plasma within hours
# (effect-compartment t½ ≤ 2 h, i.e. ke0 ≥ 0.35/h), so their tail must come from plasma (c) or
# the receptor (a).  Only (b) may hold drug in the brain for longer.
FAST_BRAIN_KE0_PER_H: Final = 0.35
# (group, name): fixed in the ML fit, sampled uniformly over their labelled `range` in
# parameters.toml in the posterior
NUISANCE: Final = (("pk", "fm"), ("receptor", "fu_m"))
# Posterior sampler defaults: 40 walkers (at least 2·dim + 2), 300 burn-in + 300 kept steps.
SAMPLER: Final = EnsembleSettings(walkers=40, burn=300, steps=300, seed=11)


def nuisance_ranges(base: ParameterSet) -> list[tuple[str, float, float]]:
    """(name, low, high) of each nuisance parameter, from its labelled range."""
    out = []
    for g, n in NUISANCE:
        p = base[f"{g}.{n}"]
        if p.low is None or p.high is None:
            raise ValueError(f"{g}.{n} needs a labelled range to be sampled")
        out.append((n, p.low, p.high))
    return out


@dataclass(frozen=True)
class Space:
    """Names and log-space bounds of the free parameters of one variant."""

    model: str
    names: tuple[str, ...]
    lo: np.ndarray
    hi: np.ndarray


def space(model: str) -> Space:
    spec = get_model(model)
    rows = [
        (n, renal_clearance_naltrexol_l_per_h() if lo is None else lo, hi) for n, lo, hi in PK_FREE
    ]
    if model != "brain_retention":
        rows = [
            (n, max(lo, FAST_BRAIN_KE0_PER_H), hi) if n.startswith("ke0") else (n, lo, hi)
            for n, lo, hi in rows
        ]
    rows += list(BINDING_FREE)
    rows += [(n, *EXTRA_FREE[n]) for n in spec.extra_params]
    names = tuple(r[0] for r in rows)
    return Space(model, names, np.log([r[1] for r in rows]), np.log([r[2] for r in rows]))


def unpack(
    sp: Space, x: np.ndarray, base: ParameterSet, nuisance: Mapping[str, float] | None = None
) -> tuple[PKParams, BindingParams, dict[str, float]]:
    """Parameter objects for log-parameters `x` (+ optional nuisance values by short name)."""
    vals = dict(zip(sp.names, np.exp(x), strict=True))
    nz = dict(nuisance or {})
    pk_names = {n for n, _, _ in PK_FREE} | {"fm"}
    b_names = {n for n, _, _ in BINDING_FREE} | {"fu_m"}
    pk = PKParams.from_parameters(
        base, **{k: v for k, v in {**vals, **nz}.items() if k in pk_names}
    )
    b = BindingParams.from_parameters(
        base, **{k: v for k, v in {**vals, **nz}.items() if k in b_names}
    )
    extra = {k: float(v) for k, v in vals.items() if k in EXTRA_FREE}
    return pk, b, extra


def z_scores(pred: Predictor, rows: tuple[Observation, ...]) -> np.ndarray:
    out = np.empty(len(rows))
    for i, o in enumerate(rows):
        try:
            out[i] = (pred.value(o) - o.value) / o.sd
        except (FloatingPointError, ValueError, ZeroDivisionError):
            out[i] = 1e3
    return np.where(np.isfinite(out), out, 1e3)


def residual_fn(
    sp: Space,
    base: ParameterSet,
    rows: tuple[Observation, ...],
    nuisance: Mapping[str, float] | None = None,
) -> Callable[[np.ndarray], np.ndarray]:
    def f(x: np.ndarray) -> np.ndarray:
        pk, b, extra = unpack(sp, x, base, nuisance)
        if float(pk.f_sys) > float(pk.fa):
            return np.full(len(rows), 1e3)
        with np.errstate(all="ignore"):
            return z_scores(Predictor(sp.model, pk, b, extra), rows)

    return f


@dataclass(frozen=True)
class Fit:
    """A least-squares fit of one variant: log-parameters `x` in `space`, chi-square of the `n`
    observations and each observation's z-score by id; `k`, AIC and BIC follow from them."""

    space: Space
    x: np.ndarray
    chi2: float
    n: int
    z: dict[str, float]

    @property
    def model(self) -> str:
        return self.space.model

    @property
    def names(self) -> tuple[str, ...]:
        return self.space.names

    @property
    def k(self) -> int:
        """Number of free parameters."""
        return len(self.space.names)

    @property
    def aic(self) -> float:
        return self.chi2 + 2 * self.k

    @property
    def bic(self) -> float:
        return self.chi2 + self.k * math.log(self.n)


def fit(
    model: str,
    base: ParameterSet,
    rows: tuple[Observation, ...] | None = None,
    x0: np.ndarray | None = None,
) -> Fit:
    """Maximum-likelihood (least-squares) fit with bounds; multistart from `x0` and the midpoint."""
    from scipy.optimize import least_squares

    rows = fit_set() if rows is None else rows
    sp = space(model)
    f = residual_fn(sp, base, rows)
    starts = [x0] if x0 is not None else [_default_start(sp, base), 0.5 * (sp.lo + sp.hi)]
    best = None
    for s in starts:
        s = np.clip(s, sp.lo + 1e-9, sp.hi - 1e-9)
        sol = least_squares(f, s, bounds=(sp.lo, sp.hi), x_scale=1.0, max_nfev=400)
        if best is None or sol.cost < best.cost:
            best = sol
    assert best is not None
    z = f(best.x)
    chi2 = float(np.sum(z**2))
    scores = {o.id: float(zi) for o, zi in zip(rows, z, strict=True)}
    return Fit(sp, best.x, chi2, len(rows), scores)


def _default_start(sp: Space, base: ParameterSet) -> np.ndarray:
    vals = []
    for n in sp.names:
        if n in EXTRA_FREE:
            lo, hi = EXTRA_FREE[n]
            vals.append(math.sqrt(lo * hi))
        else:
            group = "receptor" if n in ("invivo_scale", "kp_m") else "pk"
            vals.append(base.value(f"{group}.{n}"))
    return np.log(np.maximum(vals, 1e-12))


def leave_one_study_out(model: str, base: ParameterSet, full: Fit) -> dict[str, float]:
    """RMS z of each study's rows predicted by a fit without that study."""
    rows = fit_set()
    out = {}
    sp = space(model)
    for study in studies(rows):
        train = tuple(o for o in rows if o.study != study)
        test = tuple(o for o in rows if o.study == study)
        f = fit(model, base, train, x0=full.x)
        pk, b, extra = unpack(sp, f.x, base)
        with np.errstate(all="ignore"):
            z = z_scores(Predictor(model, pk, b, extra), test)
        out[study] = float(np.sqrt(np.mean(z**2)))
    return out


def log_posterior_fn(
    sp: Space, base: ParameterSet, rows: tuple[Observation, ...]
) -> Callable[[np.ndarray], float]:
    """log p(θ | data) up to a constant; θ = free log-params + nuisance values (flat priors)."""
    n_free = len(sp.names)
    ranges = nuisance_ranges(base)

    def lp(theta: np.ndarray) -> float:
        x, nz = theta[:n_free], theta[n_free:]
        if np.any(x < sp.lo) or np.any(x > sp.hi):
            return -np.inf
        nuis = {}
        for (name, lo, hi), v in zip(ranges, nz, strict=True):
            if not lo <= v <= hi:
                return -np.inf
            nuis[name] = float(v)
        z = residual_fn(sp, base, rows, nuis)(x)
        return -0.5 * float(np.sum(z**2))

    return lp


def sample_posterior(
    model: str,
    base: ParameterSet,
    best: Fit,
    settings: EnsembleSettings = SAMPLER,
    *,
    keep: int = 200,
    progress: Callable[[int], None] | None = None,
) -> np.ndarray:
    """Posterior draws (keep, n_free + n_nuisance) with emcee, started around the ML fit."""
    sp = space(model)
    nominal = np.array([base.value(f"{g}.{n}") for g, n in NUISANCE])
    centre = np.concatenate([best.x, nominal])
    rng = np.random.default_rng(settings.seed)

    def start(walkers: int) -> np.ndarray:
        p0 = centre + 1e-3 * rng.standard_normal((walkers, centre.size))
        p0[:, : len(sp.names)] = np.clip(p0[:, : len(sp.names)], sp.lo + 1e-6, sp.hi - 1e-6)
        return p0

    lp = log_posterior_fn(sp, base, fit_set())
    chain = run_ensemble(lp, centre.size, start, settings, progress=progress)[0]
    flat = chain.reshape(-1, centre.size)
    idx = rng.choice(flat.shape[0], size=min(keep, flat.shape[0]), replace=False)
    return np.asarray(flat[idx])
