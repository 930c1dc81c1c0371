"""Public API of the pharmacology engine: simulate a dosing regimen over days.

    >>> import ldn
    >>> from ldn.regimen import daily
    >>> res = ldn.simulate(daily(4.5, at="22:00"), days=14)
    >>> res.to_frame().columns[:3].tolist()
    ['t_h', 'clock_time', 'naltrexone_ng_per_ml']

The vectorised exposure core lives in the model layer (`ldn.model.exposure.exposure`); this
package runs it on a time grid, optionally adds the model chain's columns
(`ldn.simulation.scenarios.chain_columns`), and draws the figures (`ldn.simulation.plots`). The
package `ldn` re-exports the function, so `ldn.simulate(regimen, days=14)` runs it (the package is
named `simulation` so that the name `ldn.simulate` is only ever the function).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, cast

import numpy as np

from ldn.errors import InputError
from ldn.model.exposure import BAND_COLUMNS, Exposure, exposure, regimen_summary
from ldn.parameters import ParameterSet, default_parameters
from ldn.types import FloatArray

if TYPE_CHECKING:
    import pandas as pd

    from ldn.regimen import DoseEvents, Regimen

MAX_ROWS: Final = 2_000_000
MAX_DAYS: Final = 3650.0
CSV_COLUMNS: Final = ("t_h", *BAND_COLUMNS)  # time, then every column that gets bands
__all__ = ["BAND_COLUMNS", "CSV_COLUMNS", "SimulationResult", "exposure", "simulate", "time_grid"]


@dataclass(frozen=True)
class SimulationResult:
    """A simulated regimen: the time series, the dose events and the parameters used."""

    description: str
    days: float
    step_h: float
    events: DoseEvents
    exposure: Exposure
    extra: dict[str, FloatArray] = field(default_factory=dict)
    params: ParameterSet | None = None
    condition: str | None = None
    pk_model: str | None = None
    bands: dict[str, FloatArray] = field(default_factory=dict)
    n_draws: int = 0
    hypothesis: str | None = None

    def to_frame(self) -> pd.DataFrame:
        """Time series: CSV_COLUMNS, clock_time, uncertainty bands (if any), extra columns."""
        import pandas as pd

        e = self.exposure
        frame = pd.DataFrame({name: getattr(e, name) for name in CSV_COLUMNS})
        minutes = np.round(e.t_h * 60.0).astype(np.int64)
        frame.insert(
            1,
            "clock_time",
            [f"day {m // 1440 + 1} {(m % 1440) // 60:02d}:{m % 60:02d}" for m in minutes],
        )
        for name, values in {**self.bands, **self.extra}.items():
            frame[name] = values
        return frame

    def summary(self) -> dict[str, float]:
        """Regimen metrics over the final 24 h (see ldn.model.metrics for the definitions)."""
        return regimen_summary(self.events, self.days * 24.0, self.params, pk_model=self.pk_model)

    def summary_ranges(self) -> dict[str, tuple[float, float, float]]:
        """(p5, p50, p95) of each metric over the posterior draws (`ldn.simulation.uncertainty`)."""
        from ldn.simulation.uncertainty import DEFAULT_DRAWS, summary_ranges

        n = self.n_draws or DEFAULT_DRAWS
        return summary_ranges(self.events, self.days * 24.0, self.params, self.pk_model, n)

    def plot(self, path: str | Path | None = None) -> Any:
        """Concentrations and MOR/KOR/DOR occupancy over time; saved to `path` if given."""
        from ldn.simulation.plots import plot_simulation

        return plot_simulation([self], path=path)


def _events_of(regimen: Regimen | DoseEvents, until_h: float) -> DoseEvents:
    from ldn.regimen import DoseEvents

    if isinstance(regimen, DoseEvents):
        return regimen
    events = getattr(regimen, "events", None)
    if events is None:
        raise InputError(
            f"simulate: expected an ldn.regimen Regimen or DoseEvents, got {type(regimen).__name__}"
            "; build one with ldn.regimen.daily(4.5, at='22:00')"
        )
    return cast("DoseEvents", events(until_h=until_h))


def time_grid(days: float, step_h: float) -> FloatArray:
    """Output times 0, step_h, … ≤ 24·days; validates `days` and `step_h` (InputError)."""
    if not (isinstance(days, int | float) and np.isfinite(days) and 0 < days <= MAX_DAYS):
        raise InputError(
            f"days must be a number in (0, {MAX_DAYS:g}], got {days!r}; for example days=14"
        )
    if not (isinstance(step_h, int | float) and np.isfinite(step_h) and step_h > 0):
        raise InputError(f"step_h must be a positive number of hours, got {step_h!r}; e.g. 1")
    n = int(np.floor(days * 24.0 / step_h + 1e-9)) + 1
    if n > MAX_ROWS:
        raise InputError(
            f"step_h={step_h:g} h over {days:g} days gives {n} rows, more than {MAX_ROWS}; "
            f"use a step of at least {days * 24.0 / (MAX_ROWS - 1):.3g} h"
        )
    return step_h * np.arange(n, dtype=np.float64)


def simulate(
    regimen: Regimen | DoseEvents,
    *,
    days: float = 14,
    step_h: float = 1.0,
    condition: str | None = None,
    params: ParameterSet | None = None,
    pk_model: str | None = None,
    uncertainty: bool = False,
    n_draws: int = 200,
    hypothesis: str | None = None,
) -> SimulationResult:
    """Simulate a regimen for `days` days; output every `step_h` hours from t = 0 (midnight).

    `pk_model` picks a structural PK variant (default: the best-fitting one).  With
    `uncertainty`, `_p5/_p50/_p95` bands over `n_draws` posterior draws are added for every
    concentration and occupancy column.  With `condition` (one of `ldn.model.chain.CONDITIONS`, or
    an alias `get_condition` accepts, e.g. "lupus") the rebound, immune and disease columns of
    the model chain are appended: the seed's hypothesis (`rebound_brain`, `ldn.model.chain`)
    unless `hypothesis` names another mechanism family (`ldn.model.hypotheses`), whose columns
    (with its driving occupancy) are appended; the chain is driven by the same PK variant as the
    exposure columns.
    """
    t = time_grid(days, step_h)
    events = _events_of(regimen, until_h=days * 24.0)
    exp_ = exposure(events, t, params, pk_model=pk_model)
    bands: dict[str, FloatArray] = {}
    if uncertainty:
        from ldn.simulation.uncertainty import band_series

        bands = band_series(events, t, BAND_COLUMNS, params, pk_model, n_draws)
    extra: dict[str, FloatArray] = {}
    if condition is not None:
        from ldn.model.disease import get_condition
        from ldn.simulation.scenarios import chain_columns

        condition = get_condition(condition).name
        ps = default_parameters() if params is None else params
        if hypothesis is None:
            cols = chain_columns(events, t, condition, ps, pk_model=pk_model)
            extra = {k: np.asarray(v) for k, v in cols.items()}
        else:
            from ldn.model.hypotheses import get_family
            from ldn.simulation.hypotheses import family_columns

            family = get_family(hypothesis)
            hypothesis = family.name
            extra = family_columns(family, events, t, condition, ps, pk_model=pk_model)
    elif hypothesis is not None:
        raise InputError("--hypothesis needs --condition (the family acts through a disease)")
    describe = getattr(regimen, "describe", None)
    description = describe() if callable(describe) else f"{len(events.t_h)} dose events"
    return SimulationResult(
        description=str(description),
        days=float(days),
        step_h=float(step_h),
        events=events,
        exposure=exp_,
        extra=extra,
        params=params,
        condition=condition,
        pk_model=pk_model,
        bands=bands,
        n_draws=n_draws if uncertainty else 0,
        hypothesis=(hypothesis or "rebound_brain") if condition is not None else None,
    )
