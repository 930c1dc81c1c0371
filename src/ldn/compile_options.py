"""The single place where compilation options for `ldn`'s Numba kernels are decided.

Every compiled function in `ldn` goes through `_jit`, so the options are the same everywhere:

- `nopython` mode (`numba.njit`): kernels are explicit loops over plain arrays and floats, with no
  Python objects inside, so there is no silent fall-back to slow object mode.
- `cache=True`: the machine code is written next to the module (`__pycache__`), so the first-call
  compile time (several seconds for the chain kernel) is paid once per installation, not per run.
- `error_model="numpy"`: division by zero gives inf/nan as in NumPy instead of raising, which
  lets Numba vectorise the inner loops; the public wrappers validate their inputs instead.
- `fastmath=False`: results must agree with the SciPy reference to 1e-6 relative and be
  reproducible bit for bit, so floating-point reassociation is not allowed.
- Gotcha: Numba's cache is keyed on the source file of the cached function only. After editing
  a helper in another module (e.g. `ldn.model.chain.rhs`), delete the `*.nbi`/`*.nbc` files in
  `src/ldn/**/__pycache__/` or the kernel in `ldn.solve.compiled` keeps the old machine code.
  Installed releases are unaffected (a fresh install has no cache).
- `parallel=True` only for the outer per-patient loop (`numba.prange`); the scalar helpers stay
  serial so they can be inlined into it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import numba

F = TypeVar("F", bound=Callable[..., Any])


def _jit(func: F | None = None, *, parallel: bool = False, inline: bool = False) -> Any:
    """Compile `func` with `ldn`'s fixed Numba options (see the module docstring).

    Use bare (`@_jit`) for scalar helpers and `@_jit(parallel=True)` for a kernel whose outer loop
    is a `numba.prange` over patients. `inline=True` inlines a helper that takes arrays into its
    callers at Numba-IR level (`inline="always"`): a call that passes arrays otherwise costs
    reference-count updates, which are atomic and contend across threads on shared arrays.
    """

    def wrap(f: F) -> F:
        return numba.njit(  # type: ignore[no-any-return]
            cache=True,
            error_model="numpy",
            fastmath=False,
            parallel=parallel,
            inline="always" if inline else "never",
        )(f)

    if func is not None:
        return wrap(func)
    return wrap
