"""Shipped PK calibration results, as plain numbers (read from ldn/data; no model imports).

`pk_models.toml` (written by `ldn calibrate-pk`) holds, per structural variant, the
maximum-likelihood values, fit statistics (χ², AIC, BIC, leave-one-study-out error) and the
z-score of every fitted observation; `pk_draws_<model>.npz` holds posterior draws with
provenance.  `ldn.model.pk_setup` turns these numbers into parameter objects.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any

import numpy as np

from ldn.errors import InputError


@cache
def fits() -> dict[str, Any]:
    """The parsed pk_models.toml."""
    text = resources.files("ldn.data").joinpath("pk_models.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def default_model() -> str:
    """Name of the default variant (lowest AIC in the shipped calibration)."""
    return str(fits()["default"])


def fitted_values(model: str) -> dict[str, float]:
    """Maximum-likelihood values of the fitted parameters of `model`, by short name."""
    try:
        return {k: float(v) for k, v in fits()["models"][model]["values"].items()}
    except KeyError:
        raise InputError(f"no shipped fit for PK model {model!r}; run ldn calibrate-pk") from None


@cache
def _draw_table(model: str) -> tuple[tuple[str, ...], np.ndarray, str]:
    try:
        with resources.files("ldn.data").joinpath(f"pk_draws_{model}.npz").open("rb") as fh:
            z = np.load(fh, allow_pickle=False)
            return tuple(str(n) for n in z["names"]), np.asarray(z["draws"]), str(z["provenance"])
    except FileNotFoundError:
        raise InputError(f"no posterior draws shipped for PK model {model!r}") from None


def draw_columns(model: str, n: int | None = None) -> dict[str, np.ndarray]:
    """The first `n` (default all) posterior draws of `model`, one array per parameter."""
    names, table, _ = _draw_table(model)
    if table.shape[0] == 0:
        raise InputError(f"no posterior draws shipped for PK model {model}; run ldn calibrate-pk")
    k = table.shape[0] if n is None else min(int(n), table.shape[0])
    return {c: table[:k, i].copy() for i, c in enumerate(names)}


def draws_provenance(model: str) -> str:
    return _draw_table(model)[2]


def fit_rows(models: tuple[str, ...]) -> list[dict[str, Any]]:
    """One row per variant: name, title, n, k, χ², AIC, BIC, LOSO RMS z, default flag."""
    out = []
    for name in models:
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
