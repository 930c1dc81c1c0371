"""Fitted parameter sets and posterior draws of the PK structural variants (read from ldn/data).

`pk_models.toml` (written by `ldn calibrate-pk`) holds, per variant, the maximum-likelihood
values, the fit statistics and the z-score of every fitted observation; `pk_draws_<model>.npz`
holds posterior draws with provenance.  The default variant (lowest AIC) is also the one whose
values are in parameters.toml, so code that reads parameters.toml directly (population engine,
SBML export, model chain) runs the default.

    setup = model_setup("binding_kinetics")       # PK, binding and extra parameters
    draws = model_draws("brain_retention", 100)   # the same with arrays of shape (100,)
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Any

import numpy as np

from ldn.errors import InputError
from ldn.model.pk import ArrayLike, LinearSystem, PKParams
from ldn.model.pk_models import MODEL_NAMES, get_model, model_system
from ldn.model.receptors import BindingParams
from ldn.parameters import ParameterSet, default_parameters

_BINDING = ("invivo_scale", "kp_m", "fu_m")


@dataclass(frozen=True)
class ModelSetup:
    """Everything needed to simulate one variant: PK, binding and the variant's extras."""

    model: str
    pk: PKParams
    binding: BindingParams
    extra: dict[str, ArrayLike]

    @property
    def n_draws(self) -> int | None:
        shape = self.pk.batch_shape()
        return shape[0] if shape else None


@cache
def fits() -> dict[str, Any]:
    """The parsed pk_models.toml."""
    text = resources.files("ldn.data").joinpath("pk_models.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def default_model() -> str:
    """Name of the default variant (lowest AIC in the shipped calibration)."""
    return str(fits()["default"])


def resolve_name(model: str | None) -> str:
    name = default_model() if model is None else model
    get_model(name)
    return name


def _split(values: dict[str, float]) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
    pk_fields = PKParams.__dataclass_fields__
    pk = {k: v for k, v in values.items() if k in pk_fields}
    b = {k: v for k, v in values.items() if k in _BINDING}
    extra = {k: v for k, v in values.items() if k not in pk and k not in b}
    return pk, b, extra


def model_setup(model: str | None = None, params: ParameterSet | None = None) -> ModelSetup:
    """Parameters of variant `model` (default variant if None).

    With `params` given and the default variant, `params` is used as it is (its `pk.*` and
    `receptor.*` are the default fit); for another variant its fitted values replace those.
    """
    name = resolve_name(model)
    ps = default_parameters() if params is None else params
    fitted = dict(fits()["models"][name]["values"])
    if params is not None and name == default_model():
        fitted = {k: v for k, v in fitted.items() if k not in PKParams.__dataclass_fields__}
        fitted = {k: v for k, v in fitted.items() if k not in _BINDING}
    pk, b, extra = _split(fitted)
    extra = {k: extra.get(k, ps.value(f"pk_variant.{k}")) for k in get_model(name).extra_params}
    return ModelSetup(
        name,
        PKParams.from_parameters(ps, **pk),
        BindingParams.from_parameters(ps, **b),
        extra,
    )


@cache
def _draw_table(model: str) -> tuple[tuple[str, ...], np.ndarray, str]:
    with resources.files("ldn.data").joinpath(f"pk_draws_{model}.npz").open("rb") as fh:
        z = np.load(fh, allow_pickle=False)
        return tuple(str(n) for n in z["names"]), np.asarray(z["draws"]), str(z["provenance"])


def draws_provenance(model: str) -> str:
    return _draw_table(resolve_name(model))[2]


def model_draws(
    model: str | None = None, n: int | None = None, params: ParameterSet | None = None
) -> ModelSetup:
    """`model_setup` with every fitted/nuisance parameter an array of `n` posterior draws."""
    name = resolve_name(model)
    names, table, _ = _draw_table(name)
    if table.shape[0] == 0:
        raise InputError(f"no posterior draws shipped for PK model {name}; run ldn calibrate-pk")
    k = table.shape[0] if n is None else min(int(n), table.shape[0])
    cols = {c: table[:k, i] for i, c in enumerate(names)}
    base = model_setup(name, params)
    pk, b, extra = _split(cols)
    return ModelSetup(
        name,
        replace(base.pk, **pk),
        replace(base.binding, **b),
        {**base.extra, **extra},
    )


def fit_table() -> list[dict[str, Any]]:
    """One row per variant: name, title, n, k, χ², AIC, BIC, LOSO RMS z, default flag."""
    out = []
    for name in MODEL_NAMES:
        m = fits()["models"].get(name)
        if m is None:
            continue
        out.append(
            {
                "model": name,
                "title": m["title"],
                "n_obs": m["n_obs"],
                "k": m["k"],
                "chi2": m["chi2"],
                "aic": m["aic"],
                "bic": m["bic"],
                "loso_rms_z": m.get("loso_rms_z", float("nan")),
                "default": name == default_model(),
            }
        )
    return out


def default_system(pk: PKParams, params: ParameterSet) -> LinearSystem:
    """Linear system of the default variant for PK parameters `pk` (scalars or arrays).

    For code that reads parameters.toml directly (population engine, SBML export): the extra
    parameters come from the `pk_variant.*` group.  A variant with kinetic binding has no
    algebraic occupancy, so it is refused here with a clear message.
    """
    name = default_model()
    spec = get_model(name)
    if spec.kinetic_binding:
        raise InputError(
            f"the default PK model {name} has kinetic receptor binding, which the population "
            "engine and SBML export do not support; choose a linear variant"
        )
    extra = {k: params.value(f"pk_variant.{k}") for k in spec.extra_params}
    return model_system(name, pk, extra)
