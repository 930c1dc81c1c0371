"""Run the PK calibration of every structural variant and write its results into `ldn/data`.

Writes `pk_models.toml` (per variant: fitted values, χ², AIC, BIC, leave-one-study-out error,
z-score of every fitted observation; `default` = lowest AIC) and `pk_draws_<model>.npz`
(posterior draws, natural units, with provenance).  Called by `ldn calibrate-pk`; not by tests.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import replace
from importlib import resources
from pathlib import Path

import numpy as np

from ldn.calibration import pk_fit
from ldn.model.pk_models import MODEL_NAMES
from ldn.parameters import ParameterSet, default_parameters


def data_dir() -> Path:
    return Path(str(resources.files("ldn.data")))


def _observations_sha() -> str:
    text = resources.files("ldn.data").joinpath("pk_observations.csv").read_bytes()
    return hashlib.sha256(text).hexdigest()[:16]


def calibrate_model(
    model: str,
    base: ParameterSet,
    *,
    steps: int,
    loso: bool,
    progress: Callable[[int], None] | None = None,
) -> tuple[dict[str, object], np.ndarray, tuple[str, ...]]:
    """(toml table, draws, column names) for one variant."""
    best = pk_fit.fit(model, base)
    table: dict[str, object] = {
        "title": pk_fit.get_model(model).title,
        "n_obs": best.n,
        "k": best.k,
        "chi2": round(best.chi2, 4),
        "aic": round(best.aic, 4),
        "bic": round(best.bic, 4),
        "values": {n: float(f"{v:.6g}") for n, v in zip(best.names, np.exp(best.x), strict=True)},
        "z": {k: round(v, 3) for k, v in best.z.items()},
    }
    if loso:
        per_study = pk_fit.leave_one_study_out(model, base, best)
        table["loso"] = {k: round(v, 3) for k, v in per_study.items()}
        table["loso_rms_z"] = round(float(np.sqrt(np.mean(np.square(list(per_study.values()))))), 4)
    names = (*best.names, *(n for _, n in pk_fit.NUISANCE))
    draws = np.empty((0, len(names)))
    if steps > 0:
        settings = replace(pk_fit.SAMPLER, burn=steps // 2, steps=steps - steps // 2)
        raw = pk_fit.sample_posterior(model, base, best, settings, progress=progress)
        draws = raw.copy()
        draws[:, : len(best.names)] = np.exp(raw[:, : len(best.names)])
    return table, draws, names


def write_results(
    tables: dict[str, dict[str, object]],
    draws: dict[str, tuple[np.ndarray, tuple[str, ...]]],
    out: Path,
    settings: str,
) -> None:
    default = min(tables, key=lambda m: float(tables[m]["aic"]))  # type: ignore[arg-type]
    doc = {
        "default": default,
        "provenance": {
            "created_utc": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "observations_sha256_16": _observations_sha(),
            "command": "ldn calibrate-pk",
            "settings": settings,
        },
        "models": tables,
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "pk_models.toml").write_text(_toml(doc), encoding="utf-8")
    for model, (arr, names) in draws.items():
        np.savez_compressed(
            out / f"pk_draws_{model}.npz",
            draws=arr,
            names=np.array(names),
            provenance=np.array(
                f"emcee posterior draws of {model}; {settings}; "
                f"observations sha256[:16] {_observations_sha()}"
            ),
        )


def run(
    out: Path | None = None,
    *,
    models: tuple[str, ...] = MODEL_NAMES,
    steps: int = 400,
    loso: bool = True,
    report: Callable[[str], None] = print,
) -> Path:
    base = default_parameters()
    out = data_dir() if out is None else out
    tables, draws = {}, {}
    for m in models:
        report(f"calibrating {m} …")
        table, arr, names = calibrate_model(m, base, steps=steps, loso=loso)
        tables[m], draws[m] = table, (arr, names)
        report(f"  {m}: AIC {table['aic']}, BIC {table['bic']}, LOSO {table.get('loso_rms_z')}")
    write_results(
        tables, draws, out, f"emcee steps {steps}, burn {steps // 2}, seed {pk_fit.SAMPLER.seed}"
    )
    if out == data_dir() and set(models) == set(MODEL_NAMES):
        best = min(tables, key=lambda m: float(tables[m]["aic"]))  # type: ignore[arg-type]
        arr, names = draws[best]
        ranges = {
            n: (float(np.percentile(arr[:, i], 5)), float(np.percentile(arr[:, i], 95)))
            for i, n in enumerate(names)
            if arr.shape[0]
        }
        values = tables[best]["values"]
        sync_parameters_toml(values, ranges, out / "parameters.toml")  # type: ignore[arg-type]
        report(f"parameters.toml now holds the default variant ({best})")
    return out


def _scalar(v: object) -> str:
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, bool):
        return "true" if v else "false"
    return repr(v) if isinstance(v, int | float) else str(v)


def _toml(doc: Mapping[str, object], prefix: str = "") -> str:
    """Minimal TOML writer for nested dicts of scalars (what this module writes)."""
    lines = [f"{k} = {_scalar(v)}" for k, v in doc.items() if not isinstance(v, dict)]
    text = ("[" + prefix + "]\n" if prefix and lines else "") + "".join(x + "\n" for x in lines)
    for k, v in doc.items():
        if isinstance(v, dict):
            text += "\n" + _toml(v, f"{prefix}.{k}" if prefix else k)
    return text


def _param_key(name: str) -> str:
    if name in pk_fit.EXTRA_FREE:
        return f"pk_variant.{name}"
    return f"receptor.{name}" if name in ("invivo_scale", "kp_m") else f"pk.{name}"


def sync_parameters_toml(
    values: dict[str, float], ranges: dict[str, tuple[float, float]], path: Path
) -> None:
    """Write the default variant's fitted values (and posterior 5–95 % ranges) into
    parameters.toml.  Text-level edit of each `[group.name]` table so sources and order stay."""
    import re

    text = path.read_text(encoding="utf-8")
    for name, v in values.items():
        key = _param_key(name)
        m = re.search(rf"\[{re.escape(key)}\]\n(.*?)(?=\n\[|\Z)", text, re.S)
        if m is None:
            raise KeyError(f"{path.name} has no table [{key}]")
        body = re.sub(r"(?m)^value = .*$", f"value = {v:.6g}", m.group(1))
        body = re.sub(r"(?m)^range = .*\n?", "", body).rstrip("\n")
        if name in ranges:
            lo, hi = ranges[name]
            body += f"\nrange = [{lo:.4g}, {hi:.4g}]"
        text = text[: m.start(1)] + body + "\n" + text[m.end(1) :]
    path.write_text(text, encoding="utf-8")
