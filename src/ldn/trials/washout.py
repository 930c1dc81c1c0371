"""The default crossover washout, derived from the chain's time scales.

The drug's effect outlasts the last dose through the chain: the PK tail (6β-naltrexol terminal
phase, days), receptor and ligand adaptation (τ 2–3.5 days), lymphocyte and cytokine turnover
(1–2 days) and, slowest, the latent disease activity (τ 3.5 weeks, `disease.<condition>.tau_weeks`).
A washout must let the carried-over effect decay before period 2 is read out. The washout is the
smallest whole number of weeks after which the typical patient's latent activity is back
within `CARRYOVER_FRACTION` (5 %) of its on-treatment change at the end of a `weeks`-week period
of 4.5 mg at 22:00. On stopping, the model's effect first *grows* (the up-regulated receptors
and endorphins meet no more blockade) and then decays with the disease τ, so it takes 13 weeks
in Crohn's (11 in MS, 10 in fibromyalgia) to fall below 5 %; the default is the largest over
the conditions. `DEFAULT_WASHOUT_WEEKS` in `ldn.trials.design` holds the
result as a fixed number (so `--help` can show it); `tests/trials/test_within.py` recomputes it.
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np

from ldn.parameters import ParameterSet

CARRYOVER_FRACTION: Final = 0.05
H_PER_WEEK: Final = 168.0


def residual_effect(
    params: ParameterSet, condition: str, *, weeks: int = 12, horizon_weeks: int = 30
) -> tuple[np.ndarray, np.ndarray]:
    """(weeks after the last dose, remaining fraction of the end-of-treatment activity change)."""
    from ldn.regimen import daily
    from ldn.simulation.scenarios import chain_columns

    stop_h = weeks * H_PER_WEEK
    events = daily(4.5, "22:00").events(until_h=stop_h)
    t_h = np.arange(0.0, (weeks + horizon_weeks) * H_PER_WEEK + 1.0, 24.0)
    cols = chain_columns(events, t_h, condition, params, placebo=False)
    change = cols["disease_activity_rel"] - 1.0
    at_stop = change[np.searchsorted(t_h, stop_h)]
    after = t_h >= stop_h
    return (t_h[after] - stop_h) / H_PER_WEEK, np.abs(change[after] / at_stop)


def derived_washout_weeks(params: ParameterSet, condition: str, *, weeks: int = 12) -> int:
    """Whole weeks after the last dose until the residual effect stays below 5 %."""
    t_w, frac = residual_effect(params, condition, weeks=weeks)
    above = np.flatnonzero(frac > CARRYOVER_FRACTION)
    last = t_w[above[-1]] if above.size else 0.0
    return math.ceil(last)
