"""The shared emcee ensemble runner: settings validation, walker floor, reproducibility."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from ldn.calibration.ensemble import EnsembleSettings, run_ensemble
from ldn.errors import InputError
from ldn.mechanisms.settings import FitSettings
from ldn.types import FloatArray


def _gaussian(theta: FloatArray) -> float:
    return -0.5 * float(np.sum(theta**2))


def _start(ndim: int, seed: int = 0) -> Callable[[int], FloatArray]:
    rng = np.random.default_rng(seed)
    return lambda walkers: rng.standard_normal((walkers, ndim))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"walkers": 0}, "walkers must be a positive whole number, got 0"),
        ({"steps": -3}, "steps must be a positive whole number, got -3"),
        ({"burn": -1}, "burn must be a whole number >= 0, got -1"),
        ({"seed": -1}, "seed must be a whole number >= 0, got -1"),
        ({"steps": 2.5}, "steps must be a positive whole number, got 2.5"),
        ({"walkers": True}, "walkers must be a positive whole number, got True"),
        # guards: NumPy's legacy seeding stops at 2**32 - 1; emcee holds every iteration
        ({"seed": 2**32}, "seed must be at most 4294967295, got 4294967296"),
        ({"steps": 10**26}, "steps must be at most 10000000"),
    ],
)
def test_settings_are_validated(change: dict[str, object], message: str) -> None:
    values: dict[str, object] = {"walkers": 8, "burn": 0, "steps": 5, "seed": 1, **change}
    with pytest.raises(InputError, match=message):
        EnsembleSettings(**values)  # type: ignore[arg-type]


def test_fit_settings_extend_the_validation_and_keep_their_defaults() -> None:
    default = FitSettings()
    assert (default.walkers, default.burn, default.steps, default.thin) == (32, 2000, 8000, 20)
    assert (default.predict_draws, default.seed) == (1000, 20241231)
    for bad in ({"thin": 0}, {"predict_draws": 0}, {"walkers": -1}):
        with pytest.raises(InputError, match="must be a positive whole number"):
            FitSettings(**bad)  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"thin \(20\) must not exceed steps \(1\)"):
        FitSettings(steps=1)  # no kept step: the predictive checks had nothing to weigh


def test_walker_floor_is_two_ndim_plus_two() -> None:
    settings = EnsembleSettings(walkers=4, burn=2, steps=3, seed=0)
    assert settings.walkers_for(1) == 4
    assert settings.walkers_for(5) == 12
    asked: list[int] = []
    start = _start(5)

    def initial(walkers: int) -> FloatArray:
        asked.append(walkers)
        return start(walkers)

    ticks: list[int] = []
    chain, blobs = run_ensemble(_gaussian, 5, initial, settings, progress=ticks.append)
    assert asked == [12]
    assert chain.shape == (3, 12, 5)  # burn-in discarded: (kept steps, walkers, ndim)
    assert blobs is None
    assert ticks == [1, 2, 3, 4, 5]  # burn + steps


def test_same_seed_same_chain_and_thinned_blobs() -> None:
    settings = EnsembleSettings(walkers=8, burn=5, steps=20, seed=3)

    def with_blob(theta: FloatArray) -> tuple[float, float]:
        return _gaussian(theta), float(theta[0])

    first, blobs = run_ensemble(with_blob, 2, _start(2), settings, thin=4)
    again, _ = run_ensemble(with_blob, 2, _start(2), settings, thin=4)
    other, _ = run_ensemble(with_blob, 2, _start(2), EnsembleSettings(8, 5, 20, seed=4), thin=4)
    assert first.shape == (5, 8, 2)
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)
    assert np.array_equal(blobs, first[:, :, 0])


def test_run_mcmc_and_sample_give_the_same_chain() -> None:
    """The PK posterior used emcee's `run_mcmc`; iterating `sample` (here) is the same chain."""
    import emcee

    settings = EnsembleSettings(walkers=6, burn=3, steps=10, seed=9)
    chain, _ = run_ensemble(_gaussian, 2, _start(2), settings)
    sampler = emcee.EnsembleSampler(6, 2, _gaussian)
    sampler.random_state = np.random.RandomState(9).get_state()
    sampler.run_mcmc(_start(2)(6), 13)
    assert np.array_equal(chain, sampler.get_chain(discard=3))
