"""Exposure and receptor occupancy of dose events: the closed-form core of the model.

`exposure(events, t_h, params)` is the vectorised core other parts build on: PK and binding
parameters may be floats or arrays of shape (n_patients,) (pass `pk=` / `binding=`), and every
time series then has shape (n_patients, n_t).  `pk_model` picks a structural variant
(`ldn.model.pk_models`; default: the best fit).  `regimen_summary`, `summary_arrays` and
`dose_response` give the metrics of `ldn.model.metrics`, brain and plasma.  `ldn.simulate`
runs this on a time grid for one regimen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import numpy as np

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
from ldn.model.pk import Y_NOL, Y_NOL_E, Y_NTX, Y_NTX_E, PKParams
from ldn.model.pk_models import model_system
from ldn.model.pk_setup import ModelSetup, model_setup
from ldn.model.receptors import BindingParams, unbound_effect_nm
from ldn.model.series import series
from ldn.model.superposition import EventsLike, regimen_auc
from ldn.parameters import ParameterSet, default_parameters
from ldn.types import FloatArray, FloatLike

if TYPE_CHECKING:
    import pandas as pd


# time-series columns that get _p5/_p50/_p95 bands with --uncertainty
BAND_COLUMNS: Final = (
    "naltrexone_ng_per_ml",
    "naltrexol_ng_per_ml",
    "mor_occupancy",
    "kor_occupancy",
    "dor_occupancy",
    "mor_occupancy_plasma",
)


@dataclass(frozen=True)
class Exposure:
    """Concentrations and occupancy at times `t_h`; arrays (n_t,) or (n_patients, n_t).

    Plasma concentrations are total (bound + unbound) ng/mL; `*_effect_ng_per_ml` are effect-site
    (brain) concentrations in plasma-equivalent ng/mL; `*_unbound_nM` are the unbound effect-site
    molar concentrations that enter the binding equations; occupancies are fractions 0–1.
    `mor/kor/dor_occupancy` are brain (PET-comparable) values; `*_occupancy_plasma` are those of
    a peripheral receptor in equilibrium with unbound plasma drug (lymphocytes, gut, OGFr).
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
    mor_occupancy_plasma: FloatArray
    kor_occupancy_plasma: FloatArray
    dor_occupancy_plasma: FloatArray


def model_parameters(
    params: ParameterSet | None = None,
    *,
    pk: PKParams | None = None,
    binding: BindingParams | None = None,
    pk_model: str | None = None,
    extra: dict[str, FloatLike] | None = None,
) -> ModelSetup:
    """The variant's parameters (`ldn.pk_fits`); explicit `pk`/`binding`/`extra` objects win."""
    setup = model_setup(pk_model, params)
    return ModelSetup(
        setup.model,
        pk if pk is not None else setup.pk,
        binding if binding is not None else setup.binding,
        setup.extra if extra is None else extra,
    )


def exposure(
    events: EventsLike,
    t_h: FloatArray,
    params: ParameterSet | None = None,
    *,
    pk: PKParams | None = None,
    binding: BindingParams | None = None,
    pk_model: str | None = None,
    extra: dict[str, FloatLike] | None = None,
) -> Exposure:
    """Closed-form exposure and brain/plasma MOR/KOR/DOR occupancy of `events` at `t_h` (h).

    `pk_model` picks a structural variant (`ldn.model.pk_models.MODEL_NAMES`; default: the
    best-fitting one).  Parameter arrays of shape (n,) in `pk`/`binding`/`extra` give outputs
    (n, n_t).
    """
    t = np.atleast_1d(np.asarray(t_h, dtype=float))
    if not np.all(np.isfinite(t)):
        raise InputError("exposure: every time in t_h must be finite (hours)")
    m = model_parameters(params, pk=pk, binding=binding, pk_model=pk_model, extra=extra)
    b = m.binding
    system = model_system(m.model, m.pk, m.extra)
    s = series(m.model, system, b, m.extra, events, t)
    y, occ = s.y, s.brain
    l1, l2 = unbound_effect_nm(y[..., Y_NTX_E, :], y[..., Y_NOL_E, :], b)
    return Exposure(
        t_h=t,
        naltrexone_ng_per_ml=y[..., Y_NTX, :],
        naltrexol_ng_per_ml=y[..., Y_NOL, :],
        naltrexone_effect_ng_per_ml=y[..., Y_NTX_E, :],
        naltrexol_effect_ng_per_ml=y[..., Y_NOL_E, :],
        naltrexone_unbound_nM=l1,
        naltrexol_unbound_nM=l2,
        mor_occupancy=occ["mor"],
        kor_occupancy=occ["kor"],
        dor_occupancy=occ["dor"],
        mor_occupancy_plasma=s.plasma["mor"],
        kor_occupancy_plasma=s.plasma["kor"],
        dor_occupancy_plasma=s.plasma["dor"],
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
    pk_model: str | None = None,
) -> dict[str, float]:
    """Metrics over the final 24 h of a simulation ending at `end_h` (see ldn.model.metrics).

    Single patient (scalar parameters).  Keys carry units.
    """
    m = model_parameters(params, pk=pk, binding=binding, pk_model=pk_model)
    if m.pk.batch_shape():
        raise InputError("regimen_summary takes one patient (scalar PK parameters)")
    out = {k: float(v) for k, v in summary_arrays(m, events, end_h).items()}
    t_ss = time_to_steady_state(model_system(m.model, m.pk, m.extra), 0.95)
    out["naltrexone_time_to_ss_h"] = float(t_ss[0])
    out["naltrexol_time_to_ss_h"] = float(t_ss[1])
    return out


def summary_arrays(m: ModelSetup, events: EventsLike, end_h: float) -> dict[str, FloatArray]:
    """The window metrics for one setup; arrays (n,) when the parameters are draws (n,)."""
    system = model_system(m.model, m.pk, m.extra)
    start = end_h - WINDOW_H
    grid = start + GRID_STEP_H * np.arange(round(WINDOW_H / GRID_STEP_H), dtype=np.float64)
    s = series(m.model, system, m.binding, m.extra, events, grid)
    y, occ, occ_p = s.y, s.brain, s.plasma
    auc = regimen_auc(system, events, start, end_h)
    i_p, i_m = np.argmax(y[..., Y_NTX, :], axis=-1), np.argmax(y[..., Y_NOL, :], axis=-1)
    cmax_p, cmax_m = y[..., Y_NTX, :].max(axis=-1), y[..., Y_NOL, :].max(axis=-1)
    # no drug in the window (no dose yet): a peak time would be the window start, so say none
    tmax_p = np.where(cmax_p > 0.0, grid[i_p], np.nan)
    tmax_m = np.where(cmax_m > 0.0, grid[i_m], np.nan)
    t_last = last_dose_time(events, end_h)
    shape = cmax_p.shape
    if t_last is None:
        trough = np.full((*shape, 2), np.nan)
        trough_occ = trough_occ_p = np.full(shape, np.nan)
    else:
        tr = series(m.model, system, m.binding, m.extra, events, np.array([t_last]), left=True)
        trough = np.maximum(tr.y[..., :2, 0], 0.0)
        trough_occ, trough_occ_p = tr.brain["mor"][..., 0], tr.plasma["mor"][..., 0]
    return {
        "naltrexone_cmax_ng_per_ml": cmax_p,
        "naltrexone_tmax_h": tmax_p,
        "naltrexol_cmax_ng_per_ml": cmax_m,
        "naltrexol_tmax_h": tmax_m,
        "naltrexone_auc_ng_h_per_ml": auc[..., 0],
        "naltrexol_auc_ng_h_per_ml": auc[..., 1],
        "naltrexone_trough_ng_per_ml": trough[..., 0],
        "naltrexol_trough_ng_per_ml": trough[..., 1],
        "mor_occupancy_peak": occ["mor"].max(axis=-1),
        "mor_occupancy_mean": occ["mor"].mean(axis=-1),
        "mor_occupancy_trough": trough_occ,
        "mor_occupancy_min": occ["mor"].min(axis=-1),
        "kor_occupancy_peak": occ["kor"].max(axis=-1),
        "dor_occupancy_peak": occ["dor"].max(axis=-1),
        "mor_hours_above_50pct_per_day": hours_above(occ["mor"], 0.5),
        "mor_hours_above_90pct_per_day": hours_above(occ["mor"], 0.9),
        "mor_occupancy_plasma_mean": occ_p["mor"].mean(axis=-1),
        "mor_occupancy_plasma_trough": trough_occ_p,
        "mor_plasma_hours_above_50pct_per_day": hours_above(occ_p["mor"], 0.5),
        "mor_plasma_hours_above_90pct_per_day": hours_above(occ_p["mor"], 0.9),
    }


def dose_response(
    doses_mg: FloatArray,
    params: ParameterSet | None = None,
    *,
    tau_h: float = 24.0,
    pk_model: str | None = None,
) -> pd.DataFrame:
    """Steady-state MOR occupancy of `dose_mg` every `tau_h` for each dose: a pandas frame.

    Columns: dose_mg, dose_class, naltrexone_cmax_ng_per_ml, mor_occupancy_peak,
    mor_occupancy_mean, mor_occupancy_trough, mor_hours_above_50pct_per_day,
    mor_hours_above_90pct_per_day, mor_occupancy_plasma_mean.
    """
    import pandas as pd

    from ldn.regimen import DoseEvents, SteadyState

    doses = np.asarray(doses_mg, dtype=float)
    if doses.ndim != 1 or doses.size == 0 or not np.all(np.isfinite(doses) & (doses > 0)):
        raise InputError("dose_response: doses_mg must be a non-empty list of positive numbers")
    m = model_parameters(params, pk_model=pk_model)
    system = model_system(m.model, m.pk, m.extra)
    grid = GRID_STEP_H * np.arange(round(tau_h / GRID_STEP_H), dtype=np.float64)
    runs = [
        series(
            m.model,
            system,
            m.binding,
            m.extra,
            DoseEvents(t_h=[0.0], dose_mg=[d], steady_state=SteadyState(d, tau_h)),
            grid,
        )
        for d in doses
    ]
    y = np.stack([r.y for r in runs])
    occ = np.stack([r.brain["mor"] for r in runs])
    occ_p = np.stack([r.plasma["mor"] for r in runs])
    bounds = dose_class_bounds(params)
    return pd.DataFrame(
        {
            "dose_mg": doses,
            "dose_class": [dose_class(d, bounds) for d in doses],
            "naltrexone_cmax_ng_per_ml": y[:, Y_NTX, :].max(axis=-1),
            "mor_occupancy_peak": occ.max(axis=-1),
            "mor_occupancy_mean": occ.mean(axis=-1),
            "mor_occupancy_trough": occ[:, 0],
            "mor_hours_above_50pct_per_day": hours_above(occ, 0.5) * 24.0 / tau_h,
            "mor_hours_above_90pct_per_day": hours_above(occ, 0.9) * 24.0 / tau_h,
            "mor_occupancy_plasma_mean": occ_p.mean(axis=-1),
        }
    )
