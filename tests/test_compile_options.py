"""The Numba kernel cache cannot serve stale machine code, and slow compiles are announced."""

from __future__ import annotations

import ast
import functools
import shutil
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from ldn import compile_options as co

SRC = Path(co.__file__).resolve().parent


def _uses_jit(tree: ast.Module) -> bool:
    """Whether a module compiles with `_jit`: `@_jit`, `@_jit(...)`, `_jit(f)`, `co._jit(f)`."""
    return any(
        (isinstance(node, ast.Name) and node.id == "_jit")
        or (isinstance(node, ast.Attribute) and node.attr == "_jit")
        for node in ast.walk(tree)
    )


@functools.cache
def _kernel_modules(src: Path) -> frozenset[Path]:
    return frozenset({p for p in src.rglob("*.py") if _uses_jit(ast.parse(p.read_text()))})


def _module_file(name: str, src: Path) -> Path | None:
    """The file of module `name` of the package at `src` (`ldn.x.y`), None outside it."""
    head, *parts = name.split(".")
    if head != "ldn":
        return None
    base = src.joinpath(*parts)
    for f in (base / "__init__.py", base.parent / f"{base.name}.py"):
        if f.is_file():
            return f
    return None


def _imported_at_load(body: list[ast.stmt], src: Path) -> Iterator[Path]:
    """Files of the `ldn` modules that the statements `body` import when the module loads
    (top level, in `if`/`try` blocks, not under `if TYPE_CHECKING:`): where its globals, which
    Numba compiles into a kernel, come from. `from pkg import name` is the submodule
    `pkg.name` when there is one, else `pkg` itself."""
    for node in body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            yield from _imported_at_load(node.orelse, src)
        elif isinstance(node, ast.If | ast.Try):
            handlers = [h.body for h in node.handlers] if isinstance(node, ast.Try) else []
            for block in (node.body, node.orelse, *handlers):
                yield from _imported_at_load(block, src)
        elif isinstance(node, ast.Import):
            yield from filter(None, (_module_file(a.name, src) for a in node.names))
        elif isinstance(node, ast.ImportFrom) and node.module:
            assert node.level == 0, "relative import: resolve it here"
            for a in node.names:
                f = _module_file(f"{node.module}.{a.name}", src) or _module_file(node.module, src)
                if f is not None:
                    yield f


def _import_closure(roots: Iterable[Path], src: Path) -> set[Path]:
    """`roots` and every `ldn` module they import at load time, recursively."""
    seen: set[Path] = set()
    todo = list(roots)
    while todo:
        f = todo.pop()
        if f not in seen:
            seen.add(f)
            todo.extend(_imported_at_load(ast.parse(f.read_text()).body, src))
    return seen


def test_every_kernel_module_is_in_the_cache_key() -> None:
    """Any module that compiles with `_jit` is hashed into the cache folder's name."""
    keyed = set(co.kernel_sources())
    users = _kernel_modules(SRC)
    assert SRC / "population" / "kernels.py" in users, "no kernels found: the scan is broken"
    assert users <= keyed, f"kernels outside the cache key: {sorted(map(str, users - keyed))}"


def test_the_kernel_scan_sees_both_forms_of_jit(tmp_path: Path) -> None:
    forms = {
        "decorator": "@_jit\ndef f(x):\n    return x\n",
        "options": "@_jit(inline=True)\ndef f(x):\n    return x\n",
        "call": "from ldn.model.receptors import occupancy_fraction\n"
        "_occ = _jit(occupancy_fraction)\n",
        "attribute": "from ldn import compile_options as co\nf = co._jit(abs)\n",
    }
    for name, body in forms.items():
        (tmp_path / f"{name}.py").write_text(f"from ldn.compile_options import _jit\n{body}")
    (tmp_path / "plain.py").write_text("def f(x):\n    return x\n")
    assert {p.stem for p in _kernel_modules(tmp_path)} == set(forms)


def test_every_module_a_kernel_imports_is_in_the_cache_key() -> None:
    """The helpers and constants Numba compiles into a kernel come from the modules its module
    imports, and theirs: all of them must key the cache, else an edit to one is served stale."""
    closure = _import_closure(_kernel_modules(SRC), SRC)
    assert SRC / "model" / "rebound.py" in closure  # chain's helpers, compiled into the kernels
    missing = closure - set(co.kernel_sources())
    assert not missing, (
        f"kernels read {sorted(str(f.relative_to(SRC)) for f in missing)}, which do not key "
        "the cache: add them to ldn.compile_options.KERNEL_MODULES"
    )


def _copy_tree(dst: Path, files: Iterable[Path]) -> Path:
    for src in files:
        target = dst / src.relative_to(SRC)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, target)
    return dst


def _copy_kernel_tree(dst: Path) -> Path:
    return _copy_tree(dst, co.kernel_sources())


def test_editing_any_module_a_kernel_imports_gives_a_new_cache_folder(tmp_path: Path) -> None:
    """Every module in the kernels' import closure keys the cache: an edit to any of them gives
    a new folder. Among them helpers that define no kernel, e.g. `ldn.population.layout` (the
    rows and columns the population kernels index by name) and `ldn.parameters`."""
    tree = _copy_kernel_tree(tmp_path / "ldn")
    closure = sorted(_import_closure(_kernel_modules(SRC), SRC))
    helpers = set(closure) - _kernel_modules(SRC)
    assert {SRC / "population" / "layout.py", SRC / "parameters.py"} <= helpers
    keys = {co.source_key(tree)}
    for module in closure:
        copy = tree / module.relative_to(SRC)
        copy.write_text(copy.read_text() + "\n# edited\n")
        key = co.source_key(tree)
        assert key not in keys, f"editing {module.relative_to(SRC)} left the cache key unchanged"
        keys.add(key)


def test_every_data_file_the_kernels_modules_name_keys_the_cache() -> None:
    """A data file read at import by a module of the kernels' closure (conditions.toml by
    `ldn.conditions`, scales.toml by `ldn.scales`) can become a compiled-in constant: it keys
    the cache, so editing it cannot leave stale machine code."""
    import re

    named = {
        SRC / "data" / name
        for module in _import_closure(_kernel_modules(SRC), SRC)
        for name in re.findall(r"[\"']([\w.-]+\.(?:toml|csv|json))[\"']", module.read_text())
    }
    assert named >= {SRC / "data" / "conditions.toml", SRC / "data" / "scales.toml"}
    assert named <= set(co.kernel_sources(SRC))


def test_a_kernel_importing_an_unkeyed_module_is_caught(tmp_path: Path) -> None:
    """Were a kernel to use a helper from a module outside the key (say `ldn.stats`), the
    closure check above would fail instead of the cache serving stale code."""
    tree = _copy_tree(tmp_path / "ldn", SRC.rglob("*.py"))
    kernels = tree / "population" / "kernels.py"
    uses_stats = "import numpy as np\n\nfrom ldn.stats import wilson_interval\n"
    kernels.write_text(kernels.read_text().replace("import numpy as np\n", uses_stats, 1))
    closure = _import_closure(_kernel_modules(tree), tree)
    assert tree / "stats.py" in closure
    assert tree / "stats.py" not in co.kernel_sources(tree)


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
