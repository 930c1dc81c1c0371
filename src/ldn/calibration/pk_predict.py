"""Model read-outs compared with each published observation, for one PK structural variant.

`Predictor(model, pk, binding, extra).value(obs)` returns the model's value of the quantity in
`obs.quantity` at the observation's dose, regimen and time (see pk_observations.csv):

    cmax, tmax                 plasma maximum / its time after one dose (0.01 h grid)
    half_life_A_Bh             log-linear half-life of plasma between A h and B h after one dose
    iv_half_life_12_36h        6β-naltrexol half-life 12-36 h after an IV bolus of it
    auc_0_24h, ratio_2h        exact AUC0-24; 6β-naltrexol/naltrexone at 2 h
    urine_fraction_0_Th        renal clearance (Meyer 1984) × AUC0-T of 6β-naltrexol / dose
    ss_sum_at_Th               naltrexone + 6β-naltrexol in plasma T h after a daily dose (SS)
    occupancy_half_time        log-linear half-time of MOR occupancy at Lee's scan times
    occupancy                  MOR occupancy 48 h after 50 mg every 48 h at steady state
    occupancy_1_8h, ed50_1_8h  mean brain MOR occupancy over 1-8 h after one dose
    occupancy_day_mean         mean occupancy over the 4th day of 50 mg daily
    equal_blockade_duration    hours until `dose_mg` falls to the occupancy 50 mg leaves at 24 h
    blockade_onset             first time `dose_mg` reaches the occupancy 50 mg leaves at 24 h
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

import numpy as np

from ldn.calibration.pk_data import Observation, by_id
from ldn.model.pk import PKParams
from ldn.model.pk_models import get_model, model_system
from ldn.model.receptors import BindingParams
from ldn.model.series import brain_occupancy, series
from ldn.model.superposition import regimen_auc
from ldn.regimen import DoseEvents, SteadyState
from ldn.types import FloatArray, FloatLike

T_SINGLE: Final = np.concatenate([np.arange(0.0, 24.0, 0.02), np.arange(24.0, 200.01, 0.25)])
LEE_SCANS_H: Final = (1.0, 48.0, 72.0, 120.0, 168.0)


def renal_clearance_naltrexol_l_per_h() -> float:
    """Meyer 1984 renal clearance of 6β-naltrexol (283 mL/min), from the observations file."""
    return by_id("meyer_clr_nol").value


@dataclass
class Predictor:
    """Read-outs of one parameter set (scalar parameters)."""

    model: str
    pk: PKParams
    binding: BindingParams
    extra: Mapping[str, FloatLike]
    _cache: dict[float, tuple[FloatArray, dict[str, FloatArray]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.system = model_system(self.model, self.pk, self.extra)
        self.kinetic = get_model(self.model).kinetic_binding
        self._unit: FloatArray | None = None

    def single(self, dose_mg: float) -> tuple[FloatArray, dict[str, FloatArray]]:
        """(outputs (4, n_t), brain occupancy by receptor) on T_SINGLE after one dose.

        Equilibrium variants: the PK is linear, so one unit-dose response is scaled by the dose
        and only the binding step is evaluated per dose.
        """
        if dose_mg not in self._cache:
            if self.kinetic:
                ev = DoseEvents(t_h=[0.0], dose_mg=[dose_mg])
                s = series(self.model, self.system, self.binding, self.extra, ev, T_SINGLE)
                self._cache[dose_mg] = (s.y, s.brain)
            else:
                if self._unit is None:
                    ev = DoseEvents(t_h=[0.0], dose_mg=[1.0])
                    self._unit = series(
                        self.model, self.system, self.binding, self.extra, ev, T_SINGLE
                    ).y
                y = dose_mg * self._unit
                self._cache[dose_mg] = (y, brain_occupancy(y, self.binding))
        return self._cache[dose_mg]

    def at(self, dose_mg: float, t_h: float, receptor: str = "mor") -> float:
        _, occ = self.single(dose_mg)
        return float(np.interp(t_h, T_SINGLE, occ[receptor]))

    def value(self, obs: Observation) -> float:  # noqa: C901 (one branch per observed quantity)
        q = obs.quantity
        a = 1 if obs.analyte == "naltrexol" else 0
        if q in ("cmax", "tmax"):
            y, _ = self.single(obs.dose_mg)
            i = int(np.argmax(y[a]))
            return float(y[a, i] if q == "cmax" else T_SINGLE[i])
        if q.startswith("half_life_"):
            lo, hi = (float(x) for x in q.removeprefix("half_life_").removesuffix("h").split("_"))
            y, _ = self.single(50.0)
            c0, c1 = np.interp([lo, hi], T_SINGLE, y[a])
            return float(np.log(2.0) * (hi - lo) / np.log(c0 / c1))
        if q == "iv_half_life_12_36h":
            return self.iv_metabolite_half_life(12.0, 36.0)
        if q == "auc_0_24h":
            return float(regimen_auc(self.system, _one(obs.dose_mg), 0.0, 24.0)[a])
        if q == "ratio_2h":
            y, _ = self.single(obs.dose_mg)
            c = np.interp(2.0, T_SINGLE, y[1]) / np.interp(2.0, T_SINGLE, y[0])
            return float(c)
        if q.startswith("urine_fraction_0_"):
            t_end = float(q.removeprefix("urine_fraction_0_").removesuffix("h"))
            auc = regimen_auc(self.system, _one(obs.dose_mg), 0.0, t_end)[1]  # µg·h/L
            return float(renal_clearance_naltrexol_l_per_h() * auc / 1000.0 / obs.dose_mg)
        if q.startswith("ss_sum_at_"):
            return self.steady_state_sum(obs.dose_mg, float(q.removeprefix("ss_sum_at_")[:-1]))
        if q == "occupancy_half_time":
            occ = np.array([self.at(obs.dose_mg, t) for t in LEE_SCANS_H])
            slope = np.polyfit(LEE_SCANS_H, np.log(np.maximum(occ, 1e-12)), 1)[0]
            return float(np.log(2.0) / -slope) if slope < 0 else 1e6
        if q == "occupancy":
            return self.steady_state_trough(obs.dose_mg, 48.0)
        if q in ("occupancy_1_8h", "ed50_1_8h"):
            _, by_analyte = self.single(obs.dose_mg)
            w = (T_SINGLE >= 1.0) & (T_SINGLE <= 8.0)
            return float(by_analyte[obs.analyte][w].mean())
        if q == "occupancy_day_mean":
            return self.daily_mean(obs.dose_mg, 4, obs.analyte)
        if q == "equal_blockade_duration":
            return self.blockade_duration(obs.dose_mg)
        if q == "blockade_onset":
            threshold = self.at(50.0, 24.0)
            _, by_receptor = self.single(obs.dose_mg)
            reached = np.nonzero(by_receptor["mor"] >= threshold)[0]
            return float(T_SINGLE[reached[0]]) if reached.size else 200.0
        raise ValueError(f"no model read-out for quantity {q!r} (observation {obs.id})")

    def iv_metabolite_half_life(self, t0: float, t1: float) -> float:
        """Half-life of plasma 6β-naltrexol between t0 and t1 after an IV bolus of it."""
        from scipy.linalg import expm

        x0 = np.zeros(self.system.a.shape[-1])
        x0[3] = 1.0  # nol_c
        c0, c1 = (float(self.system.c[1] @ expm(self.system.a * t) @ x0) for t in (t0, t1))
        return float(np.log(2.0) * (t1 - t0) / np.log(c0 / c1))

    def steady_state_trough(self, dose_mg: float, tau_h: float) -> float:
        """MOR occupancy just before a dose at steady state of `dose_mg` every `tau_h`."""
        ev = DoseEvents(t_h=[0.0], dose_mg=[dose_mg], steady_state=SteadyState(dose_mg, tau_h))
        s = series(self.model, self.system, self.binding, self.extra, ev, np.array([tau_h - 1e-6]))
        return float(s.brain["mor"][0])

    def steady_state_sum(self, dose_mg: float, t_h: float, tau_h: float = 24.0) -> float:
        """Plasma naltrexone + 6β-naltrexol (ng/mL) `t_h` after a dose at steady state."""
        ev = DoseEvents(t_h=[0.0], dose_mg=[dose_mg], steady_state=SteadyState(dose_mg, tau_h))
        s = series(self.model, self.system, self.binding, self.extra, ev, np.array([t_h]))
        return float(s.y[0, 0] + s.y[1, 0])

    def daily_mean(self, dose_mg: float, day: int, receptor: str = "mor") -> float:
        """Mean occupancy over day `day` of `dose_mg` once daily from t = 0."""
        ev = DoseEvents(t_h=24.0 * np.arange(day), dose_mg=[dose_mg] * day)
        t = 24.0 * (day - 1) + np.arange(0.0, 24.0, 0.05)
        s = series(self.model, self.system, self.binding, self.extra, ev, t)
        return float(s.brain[receptor].mean())

    def blockade_duration(self, dose_mg: float) -> float:
        """Hours until `dose_mg` falls to the MOR occupancy 50 mg leaves at 24 h (label table)."""
        threshold = self.at(50.0, 24.0)
        _, occ = self.single(dose_mg)
        above = np.nonzero(occ["mor"] >= threshold)[0]
        return float(T_SINGLE[above[-1]]) if above.size else 0.0


def _one(dose_mg: float) -> DoseEvents:
    return DoseEvents(t_h=[0.0], dose_mg=[dose_mg])
