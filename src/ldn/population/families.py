"""Virtual populations under any mechanism family (`ldn population --hypothesis NAME`).

The fused engine (`ldn.population.engine.simulate_patients`) integrates the seed's chain
(`rebound_brain`). For a family (`ldn.model.hypotheses`) the same per-patient pieces are used:

1. PK: the engine's exact per-patient recursion on the chain's half-step grid
   (`engine.pk_recursion`, the scenario's fitted PK variant — default: the package's default
   variant, optionally one posterior draw per patient — times the population's factors,
   adherence mask),
   propagated into the drive array by `engine.propagate` (the kernel `propagate_pk`), as
   `engine.exposure_grid` does. Occupancy that drives the family: `brain` — the effect-site
   MOR occupancy the engine uses; `plasma` — unbound plasma MOR occupancy, the same formula as
   `ldn.simulation.hypotheses.drive` and `Exposure.mor_occupancy_plasma` (fu·C molar over the
   in-vivo K of each patient's binding; ASSUMPTION of that module); `none` — no drive (the null
   family: activity stays 1).
2. Chain: the family's compiled kernel `ldn.solve.hypothesis.integrate_family` (its upregulation
   law) with each patient's chain parameters (`engine.chain_parameters`: effect gain × response
   factor, time constants × turnover factor) under the family's fixed values, at the parameter
   files' values otherwise (as `ldn simulate --condition C --hypothesis NAME`; posterior draws
   are what `ldn trial`/`ldn power` use).

The reported occupancies (mean, peak, trough over the last 24 h) and plasma peaks are the brain
MOR occupancy and plasma concentrations, as the engine reports them, whatever drives the family.
For `rebound_brain` this module reproduces the fused engine (tests/population/test_families.py).
The drive array costs 16 bytes per patient and half-step, so patients run in blocks of
`BLOCK_BYTES`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import numpy as np

from ldn.model import chain
from ldn.model.hypotheses.base import Family
from ldn.model.receptors import unbound_plasma_nm
from ldn.parameters import ParameterSet
from ldn.population.engine import (
    PatientOutputs,
    _last_day_from,
    _observation_steps,
    adherence_mask,
    chain_parameters,
    exposure_grid,
    pk_recursion,
)
from ldn.population.layout import PEAK_NAMES, ROW_NAMES_NO_TLR4, STAT_NAMES
from ldn.population.patient_pk import DEFAULT_PK, PKChoice, patient_setup
from ldn.population.runner import Scenario
from ldn.population.sampling import Population
from ldn.solve.hypothesis import integrate_family
from ldn.types import BoolArray, FloatArray, IntArray

BLOCK_BYTES: Final = 64 * 2**20  # drive array per block of patients
_ACTIVITY: Final = chain.ACTIVITY_INDEX
# the parameter `ldn.simulation.hypotheses.run.THRESHOLD_NAME` names (a sibling package: no import)
_THRESHOLD: Final = "hypothesis.threshold_occupancy"


def _plasma_rows(
    rows: FloatArray, pop: Population, params: ParameterSet, pk_choice: PKChoice
) -> FloatArray:
    """The recursion's kernel rows (n, 4, n_x) re-read as unbound plasma MOR binding ratios
    (L/K of naltrexone and 6β-naltrexol) and the plasma concentrations, with each patient's
    binding of the same PK choice (posterior draws vary it)."""
    b = patient_setup(pop, params, pk_choice).binding
    k1, k2 = (np.broadcast_to(np.asarray(k, float).reshape(-1), (pop.n,))
              for k in b.k_nm("mor"))  # fmt: skip
    u1 = np.asarray(unbound_plasma_nm(1.0, 0.0, b)[0], float).reshape(-1)
    u2 = np.asarray(unbound_plasma_nm(0.0, 1.0, b)[1], float).reshape(-1)
    a1, a2 = (u1 / k1)[:, None], (u2 / k2)[:, None]
    ntx = rows[:, ROW_NAMES_NO_TLR4.index("naltrexone_ng_per_ml")]
    nol = rows[:, ROW_NAMES_NO_TLR4.index("naltrexol_ng_per_ml")]
    by_name = {
        "mor_ratio_naltrexone": ntx * a1, "mor_ratio_naltrexol": nol * a2,
        "naltrexone_ng_per_ml": ntx, "naltrexol_ng_per_ml": nol,
    }  # fmt: skip
    return np.ascontiguousarray(np.stack([by_name[n] for n in ROW_NAMES_NO_TLR4], axis=1))


def simulate_family_patients(
    pop: Population, schedule: object, taken: BoolArray, t_obs_h: FloatArray, *,
    family: Family, params: ParameterSet, condition: str, dt_h: float,
    pk_choice: PKChoice = DEFAULT_PK,
) -> PatientOutputs:  # fmt: skip
    """`engine.simulate_patients` for `family` (see the module docstring)."""
    t_obs_h, obs_idx, end, record = _observation_steps(t_obs_h, dt_h)
    n = pop.n
    activity = np.ones((n, t_obs_h.size))
    mor = np.zeros((n, len(STAT_NAMES)))
    cmax = np.zeros((n, len(PEAK_NAMES)))
    ntaken = taken.sum(axis=1).astype(np.int64)
    dosed = np.flatnonzero(ntaken > 0)
    window_from = _last_day_from(end, dt_h)
    fam_params = params.with_values(**family.fixed) if family.fixed else params
    threshold = params.value(_THRESHOLD)
    block = max(1, BLOCK_BYTES // (16 * (2 * end + 1)))
    for start in range(0, dosed.size, block):
        idx = dosed[start : start + block]
        sub = pop.take(idx)
        # one PK recursion per block: rows L1/K1, L2/K2 (effect site), plasma ntx, 6β-naltrexol
        r = pk_recursion(sub, schedule, taken[idx], params, dt_h=dt_h, n_steps=end,  # type: ignore[arg-type]
                          tlr4=False, pk_choice=pk_choice)  # fmt: skip
        brain, peak = exposure_grid(r, dt_h, end)
        last = brain[:, window_from:, chain.DRIVE_MOR]
        stat = {"mor_mean": last.mean(axis=1), "mor_peak": last.max(axis=1),
                "mor_trough": last.min(axis=1)}  # fmt: skip
        mor[idx] = np.column_stack([stat[name] for name in STAT_NAMES])
        cmax[idx] = peak
        if not family.has_effect:
            continue
        if family.drive == "brain":
            drive = brain
        else:
            drive = exposure_grid(r, dt_h, end, _plasma_rows(r.rows, sub, params, pk_choice))[0]
        p = chain_parameters(sub, fam_params, condition)
        sol = integrate_family(drive, p, family.law_code, dt_h, end, threshold=threshold,
                               record_every=record)  # fmt: skip
        activity[idx] = sol.states[:, obs_idx // record, _ACTIVITY]
    return PatientOutputs.from_kernel(t_obs_h, activity, mor, cmax, ntaken)


def run_family(
    scenario: Scenario, index: IntArray, family: Family,
    progress: Callable[[int], None] | None = None, chunk: int = 4096,
) -> PatientOutputs:  # fmt: skip
    """The patients `index` of `scenario` under `family`, in chunks (as `runner.run` locally)."""
    from ldn.population.runner import concatenate

    parts = []
    for k in range(0, index.size, chunk):
        pop = scenario.population(np.asarray(index[k : k + chunk], dtype=np.int64))
        taken = adherence_mask(pop, scenario.schedule) & scenario.windows.mask(
            pop, scenario.schedule
        )
        parts.append(simulate_family_patients(
            pop, scenario.schedule, taken, scenario.t_obs_h, family=family,
            params=scenario.params, condition=scenario.condition, dt_h=scenario.dt_h,
            pk_choice=scenario.pk,
        ))  # fmt: skip
        if progress is not None:
            progress(pop.n)
    return concatenate(parts)
