"""The one way `ldn` runs emcee's affine-invariant ensemble sampler.

Used by the PK posterior (`pk_fit.sample_posterior`, `ldn calibrate-pk`) and the mechanism
families (`mechanisms.fit.run_sampler`, `ldn calibrate`). The shared conventions:

- at least 2·ndim + 2 walkers (a smaller request is raised to that floor);
- the sampler's own random state is seeded from `seed` (reproducible runs; starting positions
  come from the caller's generator);
- `burn` steps are run and discarded, then `steps` steps are kept (optionally thinned).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ldn.errors import InputError
from ldn.types import FloatArray


@dataclass(frozen=True)
class EnsembleSettings:
    """Walkers (raised to 2·ndim + 2), burn-in steps discarded, steps kept, sampler seed."""

    walkers: int
    burn: int
    steps: int
    seed: int

    # Smallest allowed value of each whole-number field (subclasses add their own fields).
    MINIMUM: ClassVar[dict[str, int]] = {"walkers": 1, "burn": 0, "steps": 1, "seed": 0}

    # Largest value of each field: emcee keeps every iteration in memory, and NumPy's legacy
    # seeding takes seeds below 2**32 (guards against a typo, not statistical choices).
    MAXIMUM: ClassVar[dict[str, int]] = {
        "walkers": 100_000, "burn": 10_000_000, "steps": 10_000_000, "seed": 2**32 - 1,
    }  # fmt: skip

    def __post_init__(self) -> None:
        for name, low in self.MINIMUM.items():
            value = getattr(self, name)
            whole = isinstance(value, int | np.integer) and not isinstance(value, bool)
            if not whole or value < low:
                rule = "a positive whole number" if low == 1 else f"a whole number >= {low}"
                raise InputError(f"sampler setting {name} must be {rule}, got {value!r}")
            if value > self.MAXIMUM.get(name, value):
                raise InputError(
                    f"sampler setting {name} must be at most {self.MAXIMUM[name]}, got {value!r}"
                )

    def walkers_for(self, ndim: int) -> int:
        """Walkers actually run for an `ndim`-dimensional target: max(walkers, 2·ndim + 2)."""
        return max(self.walkers, 2 * ndim + 2)


def run_ensemble(
    log_prob: Callable[..., Any],
    ndim: int,
    initial: Callable[[int], FloatArray],
    settings: EnsembleSettings,
    *,
    thin: int = 1,
    moves: Any = None,
    vectorize: bool = False,
    blobs_dtype: Any = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[FloatArray, Any]:
    """Build, seed and run an emcee EnsembleSampler; return (chain, blobs) after burn-in.

    `initial(n)` gives the starting positions (n, ndim) for the n = `settings.walkers_for(ndim)`
    walkers. `moves`, `vectorize` and `blobs_dtype` go to `emcee.EnsembleSampler` (None: emcee's
    defaults); `progress(k)` is called after step k of burn + steps. The chain is emcee's
    (kept draws, walkers, ndim), every `thin`-th kept step; blobs likewise, None without blobs.
    """
    import emcee

    walkers = settings.walkers_for(ndim)
    start = initial(walkers)
    sampler = emcee.EnsembleSampler(
        walkers, ndim, log_prob, moves=moves, vectorize=vectorize, blobs_dtype=blobs_dtype
    )
    sampler.random_state = np.random.RandomState(settings.seed).get_state()  # reproducible
    for k, _ in enumerate(sampler.sample(start, iterations=settings.burn + settings.steps)):
        if progress is not None:
            progress(k + 1)
    chain = sampler.get_chain(discard=settings.burn, thin=thin)
    return chain, sampler.get_blobs(discard=settings.burn, thin=thin)
