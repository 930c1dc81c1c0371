"""The single place where compilation options for `ldn`'s Numba kernels are decided.

Every compiled function in `ldn` goes through `_jit`, so the options are the same everywhere:

- `nopython` mode (`numba.njit`): kernels are explicit loops over plain arrays and floats, with no
  Python objects inside, so there is no silent fall-back to slow object mode.
- `cache=True`, in a folder keyed by the kernels' source (`kernel_cache_dir`): the machine code
  is written to `<cache base>/ldn-<hash>`, where the hash covers every source file
  that kernels are defined in or read helpers and constants from (`kernel_sources`: the
  packages `KERNEL_PACKAGES` and the modules `KERNEL_MODULES`, plus the data files those read at
  import, `KERNEL_DATA`). Numba's own cache is keyed on the
  file of the cached function only, so after an edit to a helper in another module (e.g.
  `ldn.model.chain.rhs`) it would serve the kernel in `ldn.solve.compiled` with the old machine
  code; here any edit to those files gives a new folder, so stale code cannot be loaded.
  tests/test_compile_options.py keeps the list complete: every module that calls `_jit` (as
  `@_jit` or `_jit(f)`) and every `ldn` module those import at module level, recursively, must
  be among `kernel_sources`. (A fixed list rather than that import closure computed at run time:
  parsing the modules would cost every process that loads a kernel ten times what hashing the
  files does, 0.12 s against 0.014 s on the shared 2-core host at load 9.)
  The base is `NUMBA_CACHE_DIR` when set, else the user cache folder (platformdirs).
- `error_model="numpy"`: division by zero gives inf/nan as in NumPy instead of raising, which
  lets Numba vectorise the inner loops; the public wrappers validate their inputs instead.
- `fastmath=False`: results must agree with the SciPy reference to 1e-6 relative and be
  reproducible bit for bit, so floating-point reassociation is not allowed.
- `parallel=True` only for an outer per-patient loop (`numba.prange`); the scalar helpers stay
  serial so they can be inlined into it.
- `nogil=True` for a serial kernel over a range of patients that Python threads run side by side
  (`run_in_threads`), the population engine's: it releases the GIL, and after type inference its
  IR is copy-propagated and cleaned of dead code (`numba.core.ir_utils.simplify`, what Numba's
  parfor pass does to a `prange` body), so the array arguments of helpers inlined with
  `inline=True` are not reference-counted at every call (which made such a kernel 1.5× slower).
  Compiling one serial function instead of a `prange` loop around the same inlined body takes a
  fraction of the time: Numba's parfor passes and the gufunc built from the body are what made
  the first `ldn population` on a fresh install take about a minute (benchmarks/cold_start.py).

`on_slow_compile(callback)` asks for `callback()` to be called once when a compilation has been
running for more than `NOTICE_AFTER_S` seconds (the CLI prints a one-line message with it).
Importing this module does not import Numba (so `ldn --help` stays fast); the first `_jit` does,
and sets the cache folder and the compile listener then.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final, TypeVar, cast, overload

F = TypeVar("F", bound=Callable[..., Any])

PACKAGE_DIR: Final = Path(__file__).resolve().parent
# Kernels live in these packages and read helpers and constants only from them and from these
# modules: their import closure (tests/test_compile_options.py checks it).
KERNEL_PACKAGES: Final = ("model", "solve", "population")
KERNEL_MODULES: Final = (
    "compile_options.py", "conditions.py", "errors.py", "parameters.py", "provenance.py",
    "scales.py", "types.py", "units.py",
)  # fmt: skip
# Data files modules of that closure read at import (conditions.py, scales.py): their values
# become module constants a kernel could compile in, so they key the cache too.
KERNEL_DATA: Final = ("data/conditions.toml", "data/scales.toml")
NOTICE_AFTER_S: Final = 2.0


def kernel_sources(package_dir: Path = PACKAGE_DIR) -> list[Path]:
    """The source and data files whose content keys the kernel cache, sorted."""
    files = [package_dir / m for m in (*KERNEL_MODULES, *KERNEL_DATA)]
    for pkg in KERNEL_PACKAGES:
        files.extend((package_dir / pkg).rglob("*.py"))
    return sorted(f for f in files if f.is_file())


def source_key(package_dir: Path = PACKAGE_DIR) -> str:
    """A short hash of the kernel sources (paths relative to the package, and contents)."""
    h = hashlib.sha256()
    for f in kernel_sources(package_dir):
        h.update(f.relative_to(package_dir).as_posix().encode())
        h.update(b"\0")
        h.update(f.read_bytes())
        h.update(b"\0")
    return h.hexdigest()[:16]


def kernel_cache_dir(package_dir: Path = PACKAGE_DIR) -> Path:
    """Where the compiled kernels are cached: `<base>/ldn-<source key>`."""
    base = os.environ.get("NUMBA_CACHE_DIR")
    if not base:
        from platformdirs import user_cache_dir

        base = str(Path(user_cache_dir("ldn")) / "numba")
    return Path(base) / f"ldn-{source_key(package_dir)}"


class _SlowCompileNotice:
    """Numba "numba:compile" listener: runs the callback once if a top-level compile is slow."""

    def __init__(self) -> None:
        self.callback: Callable[[], None] | None = None
        self.after_s = NOTICE_AFTER_S
        self._depth = 0
        self._timer: threading.Timer | None = None
        self._fired = False

    def _fire(self) -> None:
        if not self._fired and self.callback is not None:
            self._fired = True
            self.callback()

    def on_start(self, event: Any) -> None:
        self._depth += 1
        if self._depth == 1 and not self._fired and self.callback is not None:
            self._timer = threading.Timer(self.after_s, self._fire)
            self._timer.daemon = True
            self._timer.start()

    def on_end(self, event: Any) -> None:
        self._depth -= 1
        if self._depth == 0 and self._timer is not None:
            self._timer.cancel()
            self._timer = None


_NOTICE: Final = _SlowCompileNotice()
_configured: list[Path] = []  # the cache folder, once Numba is configured


def on_slow_compile(callback: Callable[[], None], after_s: float = NOTICE_AFTER_S) -> None:
    """Call `callback()` once when a Numba compilation of `ldn` runs longer than `after_s` s."""
    _NOTICE.callback = callback
    _NOTICE.after_s = after_s


def configure_numba() -> Path:
    """Set Numba's cache folder to `kernel_cache_dir()` and listen for slow compiles (once).

    Numba reads the folder when a cached function is decorated, so `_jit` calls this first.
    """
    if not _configured:
        from numba.core import config as numba_config
        from numba.core import event as numba_event

        cache_dir = kernel_cache_dir()
        setattr(numba_config, "CACHE_DIR", str(cache_dir))  # noqa: B010 (not in numba's hints)

        class _Listener(numba_event.Listener):
            def on_start(self, event: Any) -> None:
                _NOTICE.on_start(event)

            def on_end(self, event: Any) -> None:
                _NOTICE.on_end(event)

        numba_event.register("numba:compile", _Listener())
        _configured.append(cache_dir)
    return _configured[0]


_pipelines: list[type] = []  # the copy-propagating compiler of `nogil` kernels, built once


def _simplifying_pipeline() -> type:
    """A Numba compiler whose nopython pipeline runs `ir_utils.simplify` after the rewrites."""
    if not _pipelines:
        from numba.core import ir_utils
        from numba.core.compiler import CompilerBase, DefaultPassBuilder
        from numba.core.compiler_machinery import FunctionPass, register_pass
        from numba.core.typed_passes import NopythonRewrites

        @register_pass(mutates_CFG=True, analysis_only=False)
        class _CopyPropagate(FunctionPass):
            _name = "ldn_copy_propagate"

            def __init__(self) -> None:
                FunctionPass.__init__(self)

            def run_pass(self, state: Any) -> bool:
                meta = state.metadata.setdefault("ldn_simplify", {})
                ir_utils.simplify(state.func_ir, state.typemap, state.calltypes, meta)
                return True

        class _Compiler(CompilerBase):
            def define_pipelines(self) -> list[Any]:
                pm = DefaultPassBuilder.define_nopython_pipeline(self.state)
                pm.add_pass_after(_CopyPropagate, NopythonRewrites)
                pm.finalize()
                return [pm]

        _pipelines.append(_Compiler)
    return _pipelines[0]


_pools: dict[int, Any] = {}  # ThreadPoolExecutor per thread count, started on first use
os.register_at_fork(after_in_child=_pools.clear)  # a forked child has none of their threads


def run_in_threads(kernel: Callable[..., None], n: int, *args: Any) -> None:
    """`kernel(lo, hi, *args)` over [0, n) in blocks on `numba.get_num_threads()` threads.

    For a `nogil` kernel whose items write disjoint outputs: the result does not depend on the
    blocks or the thread count. About 8 blocks per thread balance uneven items; the worker
    threads persist between calls (a calibration calls the chain kernel thousands of times).
    """
    import numba

    threads = numba.get_num_threads()
    size = max(1, -(-n // (8 * threads)))
    if threads == 1 or n <= size:
        kernel(0, n, *args)
        return
    if threads not in _pools:
        from concurrent.futures import ThreadPoolExecutor

        _pools[threads] = ThreadPoolExecutor(threads, "ldn-kernel")
    pool = _pools[threads]
    blocks = [pool.submit(kernel, lo, min(lo + size, n), *args) for lo in range(0, n, size)]
    for block in blocks:
        block.result()


@overload
def _jit(func: F, *, parallel: bool = ..., inline: bool = ..., nogil: bool = ...) -> F: ...


@overload
def _jit(
    func: None = None, *, parallel: bool = ..., inline: bool = ..., nogil: bool = ...
) -> Callable[[F], F]: ...


def _jit(
    func: F | None = None, *, parallel: bool = False, inline: bool = False, nogil: bool = False
) -> F | Callable[[F], F]:
    """Compile `func` with `ldn`'s fixed Numba options (see the module docstring).

    Use bare (`@_jit`) for scalar helpers and `@_jit(parallel=True)` for a kernel whose outer loop
    is a `numba.prange` over patients. `inline=True` inlines a helper that takes arrays into its
    callers at Numba-IR level (`inline="always"`): a call that passes arrays otherwise costs
    reference-count updates, which are atomic and contend across threads on shared arrays.
    `nogil=True`: a serial kernel for `run_in_threads` (see the module docstring).
    """
    configure_numba()
    import numba

    extra: dict[str, Any] = (
        {"nogil": True, "pipeline_class": _simplifying_pipeline()} if nogil else {}
    )

    def wrap(f: F) -> F:
        return cast(
            F,
            numba.njit(
                cache=True,
                error_model="numpy",
                fastmath=False,
                parallel=parallel,
                inline="always" if inline else "never",
                **extra,
            )(f),
        )

    if func is not None:
        return wrap(func)
    return wrap
