"""Parameter uncertainty on every output: percentiles over the shipped posterior draws.

The draws (`ldn.model.pk_setup.model_draws`, written by `ldn calibrate-pk` with emcee) carry the
fit's uncertainty and the labelled ranges of the fixed, non-identifiable parameters.  Each draw
is one parameter set; the regimen is simulated for all draws at once (parameter arrays of shape
(n,)) and the 5th, 50th and 95th percentiles are taken per time point or per metric.
"""

from __future__ import annotations

from typing import Final

import numpy as np

from ldn.model.exposure import exposure, summary_arrays
from ldn.model.pk_setup import model_draws
from ldn.model.superposition import EventsLike
from ldn.parameters import ParameterSet
from ldn.types import FloatArray

PERCENTILES: Final = (5.0, 50.0, 95.0)
SUFFIXES: Final = ("_p5", "_p50", "_p95")
DEFAULT_DRAWS: Final = 200


def band_series(
    events: EventsLike,
    t_h: FloatArray,
    columns: tuple[str, ...],
    params: ParameterSet | None = None,
    pk_model: str | None = None,
    n_draws: int = DEFAULT_DRAWS,
) -> dict[str, FloatArray]:
    """{column + suffix: (n_t,)} for every Exposure column in `columns`."""
    d = model_draws(pk_model, n_draws, params)
    e = exposure(events, t_h, pk=d.pk, binding=d.binding, pk_model=d.model, extra=d.extra)
    out: dict[str, FloatArray] = {}
    for col in columns:
        q = np.percentile(getattr(e, col), PERCENTILES, axis=0)
        out.update({col + s: q[i] for i, s in enumerate(SUFFIXES)})
    return out


def summary_ranges(
    events: EventsLike,
    end_h: float,
    params: ParameterSet | None = None,
    pk_model: str | None = None,
    n_draws: int = DEFAULT_DRAWS,
) -> dict[str, tuple[float, float, float]]:
    """{metric: (p5, p50, p95)} of the final-24-h metrics over the posterior draws."""
    d = model_draws(pk_model, n_draws, params)
    arrays = summary_arrays(d, events, end_h)
    out = {}
    for k, v in arrays.items():
        v = np.asarray(v, dtype=float)
        if np.all(np.isnan(v)):
            out[k] = (float("nan"),) * 3
            continue
        p = np.nanpercentile(v, PERCENTILES)
        out[k] = (float(p[0]), float(p[1]), float(p[2]))
    return out
