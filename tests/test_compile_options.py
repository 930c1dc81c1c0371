"""The Numba kernel cache cannot serve stale machine code, and slow compiles are announced."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest

from ldn import compile_options as co

SRC = Path(co.__file__).resolve().parent


def test_every_kernel_module_is_in_the_cache_key() -> None:
    """Any module that compiles with `_jit` is hashed into the cache folder's name."""
    keyed = set(co.kernel_sources())
    users = {p for p in SRC.rglob("*.py") if re.search(r"^\s*@_jit\b", p.read_text(), re.M)}
    assert users, "no kernels found: the scan is broken"
    assert users <= keyed, f"kernels outside the cache key: {sorted(map(str, users - keyed))}"


def _copy_kernel_tree(dst: Path) -> Path:
    for src in co.kernel_sources():
        target = dst / src.relative_to(SRC)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, target)
    return dst


def test_editing_a_helper_in_another_module_gives_a_new_cache_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`ldn.model.chain.rhs` is compiled into `ldn.solve.compiled`'s kernel: Numba's own cache
    would keep the old code after an edit to chain.py; the source-keyed folder cannot."""
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "cache"))
    tree = _copy_kernel_tree(tmp_path / "ldn")
    before = co.kernel_cache_dir(tree)
    assert co.kernel_cache_dir(tree) == before  # stable for unchanged sources
    chain = tree / "model" / "chain.py"
    chain.write_text(chain.read_text().replace("def rhs(", "def rhs(  ", 1))
    after = co.kernel_cache_dir(tree)
    assert after != before
    assert after.parent == before.parent == tmp_path / "cache"


def test_the_compiled_kernels_cache_into_the_keyed_folder() -> None:
    from ldn.solve import compiled

    folder = co.configure_numba()
    assert folder == co.kernel_cache_dir()
    cache_path = Path(compiled._kernel._cache._cache_path)
    assert folder in cache_path.parents


def test_a_slow_compile_is_announced_once_and_a_fast_one_not() -> None:
    calls: list[float] = []
    notice = co._SlowCompileNotice()
    notice.callback = lambda: calls.append(time.monotonic())
    notice.after_s = 10.0
    notice.on_start(None)
    notice.on_end(None)  # finished well within 10 s: silent
    assert calls == []
    notice.after_s = 0.05
    notice.on_start(None)
    notice.on_start(None)  # nested compile of a callee: no second timer
    time.sleep(0.5)
    notice.on_end(None)
    notice.on_end(None)
    notice.on_start(None)
    time.sleep(0.2)
    notice.on_end(None)
    assert len(calls) == 1


def test_run_in_threads_covers_every_item_once_whatever_the_thread_count() -> None:
    """The population kernel's pairs are split among threads: each exactly once, any count."""
    import numba
    import numpy as np

    full = numba.get_num_threads()
    try:
        for threads in sorted({1, full}):
            numba.set_num_threads(threads)
            for n in (0, 1, 7, 100):
                hits = np.zeros(n, dtype=np.int64)

                def kernel(lo: int, hi: int, out: np.ndarray) -> None:
                    out[lo:hi] += 1

                co.run_in_threads(kernel, n, hits)
                assert np.all(hits == 1), (threads, n, hits)
    finally:
        numba.set_num_threads(full)
