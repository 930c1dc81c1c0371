"""A large local run compiles the fused kernel on a side thread while the first chunk is set up
(`ldn.population.runner._compile_ahead`): for the argument types the chunks use, with results
unchanged."""

from __future__ import annotations

import threading
from typing import Any

import numba
import numpy as np
import pytest

from ldn.parameters import default_parameters
from ldn.population import kernels, runner
from ldn.population.engine import Schedule
from ldn.population.runner import Scenario, run
from ldn.population.sampling import VariabilitySpec
from ldn.regimen.schedule import daily

PARAMS = default_parameters()
N = runner.COMPILE_AHEAD_ABOVE + 36  # above the threshold, an even and an odd chunk


def _scenario() -> Scenario:
    return Scenario(
        params=PARAMS,
        spec=VariabilitySpec.from_parameters(PARAMS),
        condition="ms",
        schedule=Schedule.from_regimen(daily(4.5, "22:00"), 14 * 24.0),
        t_obs_h=np.array([0.0, 168.0, 336.0]),
        seed=3,
        dt_h=1.0,
    )


def _record_kernel_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, tuple[Any, ...]]]:
    """(thread name, Numba types of the arguments) of every call of the fused kernel."""
    calls: list[tuple[str, tuple[Any, ...]]] = []
    fused = kernels._simulate_pairs

    def spy(lo: int, hi: int, *args: Any) -> None:
        types = tuple(numba.typeof(a) for a in (lo, hi, *args))
        calls.append((threading.current_thread().name, types))
        fused(lo, hi, *args)

    monkeypatch.setattr(kernels, "_simulate_pairs", spy)
    return calls


def test_the_side_thread_compiles_the_signature_the_chunks_use(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = _record_kernel_calls(monkeypatch)
    monkeypatch.setattr(runner, "fused_kernel_compiled", lambda: False)
    run(_scenario(), np.arange(N), chunk_size=N // 2 + 1)
    names = [name for name, _ in calls]
    assert names.count("ldn-compile-ahead") == 1
    assert len(calls) > 1
    assert len({types for _, types in calls}) == 1  # one specialisation: nothing compiled twice


def test_compiling_ahead_does_not_change_results(monkeypatch: pytest.MonkeyPatch) -> None:
    index = np.arange(N)
    monkeypatch.setattr(runner, "fused_kernel_compiled", lambda: True)  # no side thread
    plain = run(_scenario(), index, chunk_size=40)
    monkeypatch.setattr(runner, "fused_kernel_compiled", lambda: False)
    ahead = run(_scenario(), index, chunk_size=40)
    assert kernels.fused_kernel_compiled()
    for name in ("activity_rel", "mor_mean", "mor_peak", "naltrexone_cmax_ng_per_ml"):
        np.testing.assert_array_equal(getattr(ahead, name), getattr(plain, name))


def test_small_or_compiled_runs_start_no_side_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _record_kernel_calls(monkeypatch)
    monkeypatch.setattr(runner, "fused_kernel_compiled", lambda: False)
    run(_scenario(), np.arange(runner.COMPILE_AHEAD_ABOVE))
    monkeypatch.setattr(runner, "fused_kernel_compiled", lambda: True)
    run(_scenario(), np.arange(N))
    assert calls
    assert all(name != "ldn-compile-ahead" for name, _ in calls)
