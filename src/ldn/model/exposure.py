"""Exposure and receptor occupancy of dose events: the closed-form core of the model.

`exposure(events, t_h, params)` is the vectorised core other parts build on: PK and binding
parameters may be floats or arrays of shape (n_patients,) (pass `pk=` / `binding=`), and every
time series then has shape (n_patients, n_t). `regimen_summary` and `dose_response` give the
metrics of `ldn.model.metrics`. `ldn.simulate` runs this on a time grid for one regimen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from ldn.errors import InputError
from ldn.model.metrics import (
    GRID_STEP_H,
    WINDOW_H,
    DoseClassBounds,
    dose_class,
    hours_above,
    last_dose_time,
    time_to_steady_state,
)
from ldn.model.pk import PKParams, linear_system
from ldn.model.receptors import BindingParams, occupancy, unbound_effect_nm
from ldn.model.superposition import EventsLike, regimen_auc, regimen_response
from ldn.parameters import ParameterSet, default_parameters

if TYPE_CHECKING:
    import pandas as pd


FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Exposure:
    """Concentrations and occupancy at times `t_h`; arrays (n_t,) or (n_patients, n_t).

    Plasma concentrations are total (bound + unbound) ng/mL; `*_effect_ng_per_ml` are effect-site
    (brain) concentrations in plasma-equivalent ng/mL; `*_unbound_nM` are the unbound effect-site
    molar concentrations that enter the binding equations; occupancies are fractions 0–1.
    """

    t_h: FloatArray
    naltrexone_ng_per_ml: FloatArray
    naltrexol_ng_per_ml: FloatArray
    naltrexone_effect_ng_per_ml: FloatArray
    naltrexol_effect_ng_per_ml: FloatArray
    naltrexone_unbound_nM: FloatArray
    naltrexol_unbound_nM: FloatArray
    mor_occupancy: FloatArray
    kor_occupancy: FloatArray
    dor_occupancy: FloatArray


def model_parameters(
    params: ParameterSet | None = None,
    *,
    pk: PKParams | None = None,
    binding: BindingParams | None = None,
) -> tuple[PKParams, BindingParams]:
    """PK and binding parameters: explicit objects win, else read from `params` (or defaults)."""
    ps = default_parameters() if params is None else params
    return (
        pk if pk is not None else PKParams.from_parameters(ps),
        binding if binding is not None else BindingParams.from_parameters(ps),
    )


def _occupancy_from_outputs(y: FloatArray, binding: BindingParams) -> dict[str, FloatArray]:
    return occupancy(y[..., 2, :], y[..., 3, :], binding)


def _clean(y: FloatArray) -> FloatArray:
    """Zero the rounding residue of cancelling modes (|y| < 1e-13 × the series maximum).

    Where the exact value is 0 (e.g. plasma at the instant of the first dose) the sum of
    exponentials leaves ~1e-16; such values, and tiny negatives, are set to 0.
    """
    scale = np.max(np.abs(y), axis=-1, keepdims=True)
    return np.where(y > 1e-13 * scale, y, 0.0)


def exposure(
    events: EventsLike,
    t_h: FloatArray,
    params: ParameterSet | None = None,
    *,
    pk: PKParams | None = None,
    binding: BindingParams | None = None,
) -> Exposure:
    """Closed-form exposure and MOR/KOR/DOR occupancy of `events` at times `t_h` (hours).

    Parameter arrays of shape (n_patients,) in `pk`/`binding` give outputs (n_patients, n_t).
    """
    t = np.atleast_1d(np.asarray(t_h, dtype=float))
    if not np.all(np.isfinite(t)):
        raise InputError("exposure: every time in t_h must be finite (hours)")
    pk_p, b = model_parameters(params, pk=pk, binding=binding)
    system = linear_system(pk_p)
    y = _clean(regimen_response(system, events, t))
    l1, l2 = unbound_effect_nm(y[..., 2, :], y[..., 3, :], b)
    occ = _occupancy_from_outputs(y, b)
    return Exposure(
        t_h=t,
        naltrexone_ng_per_ml=y[..., 0, :],
        naltrexol_ng_per_ml=y[..., 1, :],
        naltrexone_effect_ng_per_ml=y[..., 2, :],
        naltrexol_effect_ng_per_ml=y[..., 3, :],
        naltrexone_unbound_nM=l1,
        naltrexol_unbound_nM=l2,
        mor_occupancy=occ["mor"],
        kor_occupancy=occ["kor"],
        dor_occupancy=occ["dor"],
    )


def dose_class_bounds(params: ParameterSet | None = None) -> DoseClassBounds:
    """Dose-class limits from parameters.toml (group `dose_class`)."""
    g = (default_parameters() if params is None else params).group("dose_class")
    return DoseClassBounds(**g)


def regimen_summary(
    events: EventsLike,
    end_h: float,
    params: ParameterSet | None = None,
    *,
    pk: PKParams | None = None,
    binding: BindingParams | None = None,
) -> dict[str, float]:
    """Metrics over the final 24 h of a simulation ending at `end_h` (see ldn.model.metrics).

    Single patient (scalar parameters).  Keys carry units.
    """
    pk_p, b = model_parameters(params, pk=pk, binding=binding)
    if pk_p.batch_shape():
        raise InputError("regimen_summary takes one patient (scalar PK parameters)")
    system = linear_system(pk_p)
    start = end_h - WINDOW_H
    grid = start + GRID_STEP_H * np.arange(round(WINDOW_H / GRID_STEP_H))
    y = _clean(regimen_response(system, events, grid))
    occ = _occupancy_from_outputs(y, b)
    auc = regimen_auc(system, events, start, end_h)
    i_p, i_m = int(np.argmax(y[0])), int(np.argmax(y[1]))
    # no drug in the window (no dose yet): a peak time would be the window start, so say none
    tmax_p = float(grid[i_p]) if y[0, i_p] > 0.0 else float("nan")
    tmax_m = float(grid[i_m]) if y[1, i_m] > 0.0 else float("nan")
    t_last = last_dose_time(events, end_h)
    if t_last is None:
        trough = np.full(y.shape[0], np.nan)
        trough_occ = float("nan")
    else:
        y_tr = np.maximum(regimen_response(system, events, np.array([t_last]), left=True), 0.0)
        trough = y_tr[:, 0]
        trough_occ = float(_occupancy_from_outputs(y_tr, b)["mor"][0])
    t_ss = time_to_steady_state(system, 0.95)
    return {
        "naltrexone_cmax_ng_per_ml": float(y[0, i_p]),
        "naltrexone_tmax_h": tmax_p,
        "naltrexol_cmax_ng_per_ml": float(y[1, i_m]),
        "naltrexol_tmax_h": tmax_m,
        "naltrexone_auc_ng_h_per_ml": float(auc[0]),
        "naltrexol_auc_ng_h_per_ml": float(auc[1]),
        "naltrexone_trough_ng_per_ml": float(trough[0]),
        "naltrexol_trough_ng_per_ml": float(trough[1]),
        "mor_occupancy_peak": float(occ["mor"].max()),
        "mor_occupancy_mean": float(occ["mor"].mean()),
        "mor_occupancy_trough": trough_occ,
        "mor_occupancy_min": float(occ["mor"].min()),
        "kor_occupancy_peak": float(occ["kor"].max()),
        "dor_occupancy_peak": float(occ["dor"].max()),
        "mor_hours_above_50pct_per_day": float(hours_above(occ["mor"], 0.5)),
        "mor_hours_above_90pct_per_day": float(hours_above(occ["mor"], 0.9)),
        "naltrexone_time_to_ss_h": float(t_ss[0]),
        "naltrexol_time_to_ss_h": float(t_ss[1]),
    }


def dose_response(
    doses_mg: FloatArray,
    params: ParameterSet | None = None,
    *,
    tau_h: float = 24.0,
) -> pd.DataFrame:
    """Steady-state MOR occupancy of `dose_mg` every `tau_h` for each dose: a pandas frame.

    Columns: dose_mg, dose_class, naltrexone_cmax_ng_per_ml, mor_occupancy_peak,
    mor_occupancy_mean, mor_occupancy_trough, mor_hours_above_50pct_per_day,
    mor_hours_above_90pct_per_day.  The PK is linear, so one unit-dose steady-state profile is
    scaled by each dose; only the binding step is evaluated per dose.
    """
    import pandas as pd

    from ldn.regimen import DoseEvents, SteadyState

    doses = np.asarray(doses_mg, dtype=float)
    if doses.ndim != 1 or doses.size == 0 or not np.all(np.isfinite(doses) & (doses > 0)):
        raise InputError("dose_response: doses_mg must be a non-empty list of positive numbers")
    pk_p, b = model_parameters(params)
    system = linear_system(pk_p)
    unit = DoseEvents(t_h=[0.0], dose_mg=[1.0], steady_state=SteadyState(1.0, tau_h))
    grid = GRID_STEP_H * np.arange(round(tau_h / GRID_STEP_H))
    y1 = regimen_response(system, unit, grid)  # per mg, one steady-state interval
    y = np.maximum(doses[:, None, None] * y1[None], 0.0)
    occ = occupancy(y[:, 2, :], y[:, 3, :], b)["mor"]
    bounds = dose_class_bounds(params)
    return pd.DataFrame(
        {
            "dose_mg": doses,
            "dose_class": [dose_class(d, bounds) for d in doses],
            "naltrexone_cmax_ng_per_ml": y[:, 0, :].max(axis=-1),
            "mor_occupancy_peak": occ.max(axis=-1),
            "mor_occupancy_mean": occ.mean(axis=-1),
            "mor_occupancy_trough": occ[:, 0],
            "mor_hours_above_50pct_per_day": hours_above(occ, 0.5) * 24.0 / tau_h,
            "mor_hours_above_90pct_per_day": hours_above(occ, 0.9) * 24.0 / tau_h,
        }
    )
