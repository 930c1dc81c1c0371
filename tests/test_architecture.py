"""The architecture rules of docs/architecture.md, checked on the source tree."""

from __future__ import annotations

from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "ldn"
MAX_MODULE_LINES = 450


def test_every_module_is_at_most_450_lines() -> None:
    too_long = {
        str(p.relative_to(SRC)): n
        for p in SRC.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert too_long == {}, f"split these modules (limit {MAX_MODULE_LINES} lines): {too_long}"


def test_import_contracts_hold(monkeypatch: pytest.MonkeyPatch) -> None:
    """The import-linter contracts of pyproject.toml (layers, no cycles, pure model core)."""
    from importlinter.cli import lint_imports

    monkeypatch.chdir(SRC.parents[1])
    assert lint_imports(config_filename="pyproject.toml", no_cache=True) == 0


# Functions over 80 lines that are allowed: none left (issue 10).
LONG_FUNCTIONS_ALLOWED: set[tuple[str, str]] = set()


def test_functions_are_at_most_80_lines() -> None:
    import ast

    long = set()
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                assert node.end_lineno is not None
                if node.end_lineno - node.lineno + 1 > 80:
                    long.add((path.relative_to(SRC).as_posix(), node.name))
    assert long <= LONG_FUNCTIONS_ALLOWED, f"split these functions: {long - LONG_FUNCTIONS_ALLOWED}"


def test_array_type_aliases_are_defined_only_in_ldn_types() -> None:
    """One definition of each array alias (`ldn.types`): a module-level `X = np.ndarray` or
    `X = npt.NDArray[...]` anywhere else is a second copy that can drift."""
    import ast

    copies = set()
    for path in SRC.rglob("*.py"):
        if path == SRC / "types.py":
            continue
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
            text = ast.unparse(value) if value is not None else ""
            if text == "np.ndarray" or text.startswith(("npt.NDArray", "np.typing.NDArray")):
                copies.add(path.relative_to(SRC).as_posix())
    assert copies == set(), f"import the alias from ldn.types instead: {sorted(copies)}"
