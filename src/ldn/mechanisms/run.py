"""`ldn calibrate`: fit every family, weigh them, and write the shipped posterior with provenance.

Output directory (default: the package's `ldn/data/mechanisms/`): one ArviZ netCDF per family
(`<family>.nc`) and `summary.json` — provenance (SHA-256 of the evidence table and parameter
files, git commit, date, library versions, sampler settings), the trials fitted / held out /
skipped, convergence and wall time per family, family weights (across conditions and per
condition) and posterior-predictive checks per trial.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import time
import warnings
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from ldn.errors import InputError
from ldn.mechanisms.data import (
    CUTOFF_YEAR,
    CalibrationTrial,
    calibration_trials,
    skipped_trials,
)
from ldn.mechanisms.fit import (
    ESS_MIN,
    RHAT_MAX,
    check_convergence,
    fit_family,
)
from ldn.mechanisms.settings import FitSettings
from ldn.mechanisms.weights import condition_weights, pointwise_elpd, stacking_weights
from ldn.model.chain import CONDITIONS
from ldn.model.hypotheses import FAMILIES, FAMILY_NAMES
from ldn.parameters import ParameterSet, default_parameters


def shipped_dir() -> Path:
    """Where the package keeps its calibration (`ldn/data/mechanisms`)."""
    return Path(str(resources.files("ldn") / "data" / "mechanisms"))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def provenance(settings: FitSettings) -> dict[str, object]:
    """Where the fit came from: data hashes, code version, libraries, settings."""
    import arviz
    import emcee

    data = Path(str(resources.files("ldn") / "data"))
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True,
            cwd=Path(__file__).parent, timeout=10,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        commit = "unknown"
    return {
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "git_commit": commit,
        "evidence_sha256": _sha256(data / "studies.csv"),
        "parameter_files_sha256": {
            p.name: _sha256(p) for p in sorted(data.glob("parameters*.toml"))
        },
        "cutoff_year": CUTOFF_YEAR,
        "libraries": {"emcee": emcee.__version__, "arviz": arviz.__version__},
        "settings": asdict(settings),
    }


def _ppc(idata: Any, trials: list[CalibrationTrial]) -> list[dict[str, object]]:
    import arviz as az

    y_rep = np.asarray(idata.posterior_predictive["y"]).reshape(-1, len(trials))
    pit = np.asarray(idata.attrs.get("loo_pit", [np.nan] * len(trials)), dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # Pareto-k warnings: k is reported instead
        k = np.asarray(az.loo(idata, pointwise=True).pareto_k, dtype=float)
    out = []
    for i, t in enumerate(trials):
        lo, hi = np.percentile(y_rep[:, i], [2.5, 97.5])
        out.append({
            "trial": t.label, "observed": t.observed, "pp_low": float(lo), "pp_high": float(hi),
            "pp_mean": float(y_rep[:, i].mean()), "covered": bool(lo <= t.observed <= hi),
            "loo_pit": float(pit[i]), "pareto_k": float(k[i]),
        })  # fmt: skip
    return out


def _weights(
    idatas: dict[str, Any], trials: list[CalibrationTrial]
) -> dict[str, dict[str, dict[str, float]]]:
    names = list(idatas)
    elpd = np.column_stack([pointwise_elpd(idatas[n]) for n in names])
    ll_var = np.column_stack([
        np.asarray(idatas[n].log_likelihood["y"]).reshape(-1, len(trials)).var(axis=0)
        for n in names
    ])  # fmt: skip
    w, lo, hi = stacking_weights(elpd)
    out = {"all": _triples(names, w, lo, hi)}
    out["untested"] = _triples(names, *condition_weights(elpd, ll_var))
    for cond in CONDITIONS:
        rows = [i for i, t in enumerate(trials) if t.condition == cond]
        if rows:
            out[cond] = _triples(names, *condition_weights(elpd[rows], ll_var[rows]))
    return out


def reweigh(out_dir: Path | None = None) -> dict[str, object]:
    """Recompute the family weights of the calibration in `out_dir` (default: shipped) from its
    fitted families' netCDF files, without refitting (e.g. after families were fitted in
    separate `ldn calibrate --hypothesis` runs); rewrites and returns `summary.json`."""
    import arviz as az

    out = out_dir or shipped_dir()
    path = out / "summary.json"
    if not path.is_file():
        raise InputError(f"no calibration in {out}; run `ldn calibrate` first")
    summary = json.loads(path.read_text(encoding="utf-8"))
    missing = [n for n in summary["families"] if not (out / f"{n}.nc").is_file()]
    if missing:
        raise InputError(f"{out} lacks the fitted families {', '.join(missing)} (<family>.nc)")
    fit = [t for t in calibration_trials()[0] if t.role == "fit"]
    idatas = {name: az.from_netcdf(str(out / f"{name}.nc")) for name in summary["families"]}
    summary["weights"] = _weights(idatas, fit)
    path.write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    return summary


def _triples(names: list[str], w: object, lo: object, hi: object) -> dict[str, dict[str, float]]:
    return {
        n: {"weight": float(a), "weight_low": float(b), "weight_high": float(c)}
        for n, a, b, c in zip(names, w, lo, hi, strict=True)  # type: ignore[call-overload]
    }


def _trial_record(t: CalibrationTrial) -> dict[str, object]:
    return {
        "label": t.label, "study_id": t.study_id, "year": t.year, "condition": t.condition,
        "role": t.role, "kind": t.kind, "regimen": t.regimen.describe(), "weeks": t.weeks,
        "observed": t.observed, "outcome": t.outcome, "note": t.note,
    }  # fmt: skip


def calibrate(
    out_dir: Path | None = None,
    *,
    families: tuple[str, ...] = FAMILY_NAMES,
    settings: FitSettings | None = None,
    params: ParameterSet | None = None,
    check: bool = True,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, object]:
    """Fit `families`, write `<family>.nc` and `summary.json` into `out_dir`; return the summary."""
    params = params or default_parameters()
    settings = settings or FitSettings()
    out = out_dir or shipped_dir()
    out.mkdir(parents=True, exist_ok=True)
    trials, skipped = calibration_trials()
    fit = [t for t in trials if t.role == "fit"]
    idatas: dict[str, Any] = {}
    report: dict[str, object] = {}
    total = settings.burn + settings.steps
    for name in families:
        t0 = time.perf_counter()
        cb = (lambda k, n=name: progress(n, k, total)) if progress else None
        idata = fit_family(FAMILIES[name], trials, params, settings, cb, check=False)
        idata.to_netcdf(str(out / f"{name}.nc"))
        idatas[name] = idata
        report[name] = {
            "wall_time_s": round(time.perf_counter() - t0, 1),
            "converged": bool(
                idata.attrs["rhat_max"] <= RHAT_MAX and idata.attrs["ess_bulk_min"] >= ESS_MIN
            ),
            **{k: float(v) for k, v in idata.attrs.items() if k in ("rhat_max", "ess_bulk_min")},
            "ppc": _ppc(idata, fit),
        }
    summary: dict[str, object] = {
        "provenance": provenance(settings),
        "trials": [_trial_record(t) for t in trials],
        "skipped": [{"study_id": s, "outcome": o, "reason": r} for s, o, r in skipped],
        "skipped_trials": skipped_trials(trials, skipped),
        "families": report,
        "weights": _weights(idatas, fit),
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    if check:  # after writing, so a long run is kept for inspection
        for name in families:
            check_convergence(report[name], name)  # type: ignore[arg-type]
    return summary
