"""Running many patients: a picklable `Scenario`, patient chunks, and local or Dask execution.

A `Scenario` says what every patient receives (schedule, drug windows, observation times,
condition, parameters, variability, seed, PK variant and whether PK parameter uncertainty is
drawn per patient). `run_chunk(index, scenario)` samples the patients with
global numbers `index` and simulates them; because every random number is keyed on
(seed, patient index), any chunking — one call, local chunks, or Dask tasks on a cluster — gives
identical per-patient results, in the order of the indices.

`run(scenario, index, scheduler=None)` splits the indices into chunks and runs them in this
process (the numba kernels use every core through threads) or, with a scheduler, as Dask tasks:
`scheduler="local"` starts a `LocalCluster` for the call, an address ("tcp://host:8786") uses an
existing cluster. A progress callback receives the number of patients finished after each chunk.
A local run whose kernels are not compiled yet compiles them on a side thread while the first
chunk is set up (`_compile_ahead`).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import numpy as np

from ldn.errors import InputError
from ldn.parameters import ParameterSet
from ldn.population.engine import (
    DEFAULT_DT_H,
    PatientOutputs,
    PKChoice,
    Schedule,
    adherence_mask,
    simulate_patients,
)
from ldn.population.kernels import fused_kernel_compiled
from ldn.population.patient_pk import DEFAULT_PK
from ldn.population.rng import Stream, patient_uniforms
from ldn.population.sampling import Population, VariabilitySpec, sample_patients
from ldn.types import BoolArray, FloatArray, IntArray

# Patients per chunk. The fused engine kernel keeps no per-time-step arrays, so a chunk costs
# about 1.5 KB per patient (PK recursion, parameters, recorded visits) plus its dose mask; the
# chunk bounds memory and sets the progress/Dask granularity.
CHUNK_PATIENTS: Final = 8192


@dataclass(frozen=True)
class DrugWindows:
    """When the drug (rather than placebo) is given; doses outside the windows are not taken.

    `periods_h`: fixed windows [start, end) for everyone (None = always on drug). With
    `n_of_1_cycles > 0`, each patient has cycles of two periods of `period_h` separated by
    `washout_h`, the drug coming first or second in each cycle at random (patient's own stream).
    """

    periods_h: tuple[tuple[float, float], ...] | None = None
    n_of_1_cycles: int = 0
    period_h: float = 0.0
    washout_h: float = 0.0

    def drug_first(self, pop: Population) -> BoolArray:
        """(n, cycles): True where the drug period comes first in an N-of-1 cycle."""
        u = patient_uniforms(pop.seed, Stream.SEQUENCE, pop.index, max(self.n_of_1_cycles, 1))
        return u[:, : self.n_of_1_cycles] < 0.5

    def period_starts_h(self) -> FloatArray:
        """Start times of the 2·cycles N-of-1 periods."""
        step = self.period_h + self.washout_h
        return np.arange(2 * self.n_of_1_cycles, dtype=np.float64) * step

    def mask(self, pop: Population, schedule: Schedule) -> BoolArray:
        """(n, n_doses): True where a scheduled dose falls in one of the patient's drug windows."""
        t = schedule.t_h[None, :]
        if self.n_of_1_cycles > 0:
            first = self.drug_first(pop)
            starts = self.period_starts_h()
            on = np.zeros((pop.n, schedule.n), dtype=bool)
            for c in range(self.n_of_1_cycles):
                s_drug = np.where(first[:, c], starts[2 * c], starts[2 * c + 1])[:, None]
                on |= (t >= s_drug) & (t < s_drug + self.period_h)
            return on
        if self.periods_h is None:
            return np.ones((pop.n, schedule.n), dtype=bool)
        on = np.zeros((1, schedule.n), dtype=bool)
        for start, end in self.periods_h:
            on |= (t >= start) & (t < end)
        return np.broadcast_to(on, (pop.n, schedule.n))


@dataclass(frozen=True)
class Scenario:
    """Everything a chunk of patients needs, as plain picklable data."""

    params: ParameterSet
    spec: VariabilitySpec
    condition: str
    schedule: Schedule
    t_obs_h: FloatArray
    seed: int
    windows: DrugWindows = DrugWindows()
    female_fraction: float = 0.5
    dt_h: float = DEFAULT_DT_H
    pk: PKChoice = DEFAULT_PK

    def population(self, index: IntArray) -> Population:
        """The virtual patients with global numbers `index`."""
        return sample_patients(
            index, seed=self.seed, spec=self.spec, female_fraction=self.female_fraction
        )


def run_chunk(index: IntArray, scenario: Scenario) -> PatientOutputs:
    """Sample and simulate the patients `index` of `scenario` (one Dask task)."""
    pop = scenario.population(np.asarray(index, dtype=np.int64))
    taken = adherence_mask(pop, scenario.schedule) & scenario.windows.mask(pop, scenario.schedule)
    return simulate_patients(
        pop,
        scenario.schedule,
        taken,
        scenario.t_obs_h,
        params=scenario.params,
        condition=scenario.condition,
        dt_h=scenario.dt_h,
        pk_choice=scenario.pk,
    )


def default_chunk_size(scenario: Scenario) -> int:
    """Patients per chunk: CHUNK_PATIENTS, fewer when the dose mask alone would pass 64 MiB."""
    return int(np.clip(64 * 2**20 // max(scenario.schedule.n, 1), 64, CHUNK_PATIENTS))


def concatenate(parts: list[PatientOutputs]) -> PatientOutputs:
    """Join per-chunk outputs in order."""
    if len(parts) == 1:
        return parts[0]
    first = parts[0]
    return PatientOutputs(
        t_obs_h=first.t_obs_h,
        **{
            name: np.concatenate([getattr(p, name) for p in parts])
            for name in (
                "activity_rel",
                "mor_mean",
                "mor_peak",
                "mor_trough",
                "naltrexone_cmax_ng_per_ml",
                "naltrexol_cmax_ng_per_ml",
                "doses_taken",
            )
        },
    )


def run(
    scenario: Scenario,
    index: IntArray,
    *,
    scheduler: str | None = None,
    chunk_size: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> PatientOutputs:
    """Simulate the patients `index` in chunks, locally or on Dask; outputs in index order."""
    index = np.asarray(index, dtype=np.int64)
    if index.size == 0:
        raise InputError("no patients to simulate; give at least one")
    size = chunk_size or default_chunk_size(scenario)
    chunks = [index[k : k + size] for k in range(0, index.size, size)]
    if scheduler is None:
        ahead = _compile_ahead(scenario, index)
        try:
            parts = []
            for chunk in chunks:
                parts.append(run_chunk(chunk, scenario))
                if progress is not None:
                    progress(chunk.size)
        finally:
            if ahead is not None:
                ahead.join()
        return concatenate(parts)
    return concatenate(_run_dask(scenario, chunks, scheduler, progress))


COMPILE_AHEAD_ABOVE: Final = 64  # patients; a smaller run compiles as it goes


def _compile_ahead(scenario: Scenario, index: IntArray) -> threading.Thread | None:
    """When the fused kernel is not yet compiled in this process and the run is large, start a
    thread that simulates the first two patients of `index` (outputs discarded): that compiles
    the kernels for exactly this run's argument types, or loads them from the cache, and sets up
    Numba's compiler on first use.

    Compiling holds Numba's compiler lock, so the chunks wait for it as they would for their own
    compile; meanwhile the calling thread samples the first chunk and sets up its PK (about 0.4 s
    for 8192 patients: NumPy's eigendecompositions, which release the GIL, as LLVM's optimiser
    does) instead of doing it before the compile. Results do not change: the same kernels,
    compiled once (tests/population/test_compile_ahead.py)."""
    if fused_kernel_compiled() or index.size <= COMPILE_AHEAD_ABOVE:
        return None

    def work() -> None:
        # best effort: an error here is raised again by the chunks, which repeat the work
        with contextlib.suppress(Exception):
            run_chunk(index[:2], scenario)  # one pair: the kernel runs on this thread

    thread = threading.Thread(target=work, name="ldn-compile-ahead", daemon=True)
    thread.start()
    return thread


def _run_dask(
    scenario: Scenario,
    chunks: list[IntArray],
    scheduler: str,
    progress: Callable[[int], None] | None,
) -> list[PatientOutputs]:
    """Each chunk one Dask task; `scheduler` = "local" (LocalCluster) or an address."""
    from dask.distributed import Client, LocalCluster, as_completed

    cluster = None
    try:
        if scheduler == "local":
            cluster = LocalCluster(
                n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
            )
            client = Client(cluster)
        else:
            try:
                client = Client(scheduler, timeout="3s")
            except (OSError, TimeoutError) as exc:
                raise InputError(
                    f"cannot reach the Dask scheduler at {scheduler!r} ({exc}); start one with "
                    "`dask scheduler` or omit --scheduler to run locally"
                ) from exc
        with client:
            scattered = client.scatter(scenario, broadcast=True)
            futures = [client.submit(run_chunk, c, scattered, pure=False) for c in chunks]
            order = {f.key: k for k, f in enumerate(futures)}
            results: list[PatientOutputs | None] = [None] * len(futures)
            for fut in as_completed(futures):
                results[order[fut.key]] = fut.result()
                if progress is not None:
                    progress(chunks[order[fut.key]].size)
        return [r for r in results if r is not None]
    finally:
        if cluster is not None:
            cluster.close()
