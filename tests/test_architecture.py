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
    """One definition of each array alias (`ldn.types`): an assignment anywhere else (at any
    depth, `TypeAlias`/`type` statements included) whose value is `np.ndarray`, an `NDArray[...]`,
    `npt.ArrayLike` or built from one of the aliases (`float | FloatArray`) is a second copy that
    can drift; no `NDArray[...]` is written out inline; the aliases are imported from `ldn.types`,
    not through another module that happens to import them."""
    import ast
    import re

    from ldn import types

    aliases = set(types.__all__)
    scalars = {"float", "int", "bool"}  # `float | FloatArray` re-defines ldn.types.FloatLike
    kinds = (ast.Assign, ast.AnnAssign, *((ast.TypeAlias,) if hasattr(ast, "TypeAlias") else ()))
    copies, written_out, detours = set(), set(), set()
    for path in SRC.rglob("*.py"):
        if path == SRC / "types.py":
            continue
        text = path.read_text(encoding="utf-8")
        name = path.relative_to(SRC).as_posix()
        if re.search(r"NDArray\[", text):
            written_out.add(name)
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, kinds) and getattr(node, "value", None) is not None:
                value = ast.unparse(node.value)  # type: ignore[attr-defined]
                parts = {p.strip() for p in value.split("|")}
                union = len(parts) == 2 and bool(parts & aliases) and bool(parts & scalars)
                if "NDArray" in value or value.endswith(("np.ndarray", "ArrayLike")) or union:
                    copies.add(name)
            from_elsewhere = isinstance(node, ast.ImportFrom) and node.module != "ldn.types"
            if from_elsewhere and {a.name for a in node.names} & aliases:  # type: ignore[attr-defined]
                detours.add(f"{name}: from {node.module}")  # type: ignore[attr-defined]
    assert copies == set(), f"import the alias from ldn.types instead: {sorted(copies)}"
    assert written_out == set(), f"use an alias of ldn.types: {sorted(written_out)}"
    assert detours == set(), f"import array aliases from ldn.types: {sorted(detours)}"


def test_the_limits_hold_without_fmt_skip() -> None:
    """`# fmt: skip` keeps a hand-aligned call readable; it must not be what keeps a module under
    450 lines or a function under 80. Each file that uses it is formatted again with the markers
    removed (ruff, the project's formatter) and measured."""
    import ast
    import re
    import subprocess
    import sys

    ruff = Path(sys.executable).with_name("ruff")
    over = set()
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if "fmt: skip" not in text and "fmt: off" not in text:
            continue
        plain = re.sub(r"\s*# fmt: (skip|off|on)\b", "", text)
        done = subprocess.run(
            [str(ruff), "format", "--stdin-filename", str(path), "-"],
            input=plain, capture_output=True, text=True, check=True,
        )  # fmt: skip
        name = path.relative_to(SRC).as_posix()
        if len(done.stdout.splitlines()) > MAX_MODULE_LINES:
            over.add((name, "<module>"))
        for node in ast.walk(ast.parse(done.stdout)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                assert node.end_lineno is not None
                if node.end_lineno - node.lineno + 1 > 80:
                    over.add((name, node.name))
    assert over == set(), f"over the limits once formatted: {sorted(over)}"


_QUERY_METHODS = frozenset(
    {"execute", "scalar", "scalars", "query", "connection", "exec_driver_sql", "get_bind"}
)
_ORM_MODULES = ("ldn.registry.models", "ldn.registry.practice_models")
# the session type handed to ldn.registry, and ORM event hooks (a cache dropping stale users)
_ALLOWED = (("sqlalchemy.orm", ["Session"]), ("sqlalchemy", ["event"]))


def _database_use(path: Path) -> list[str]:
    """Ways a module could query the database itself: SQLAlchemy imports other than the
    `Session` type, event hooks and exception classes; calls of query methods (`x.execute(…)`,
    `getattr(x, "scalar")`); `x.get(Model, …)` with an ORM class of the registry's models."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    orm = {
        a.asname or a.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module in _ORM_MODULES
        for a in node.names
        if a.name[:1].isupper() and not a.name.isupper()  # classes, not constants
    }
    found = []
    for node in ast.walk(tree):
        where = f"{path.name}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Import) and any("sqlalchemy" in a.name for a in node.names):
            found.append(f"{where}: import sqlalchemy")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            names = sorted(a.name for a in node.names)
            if not node.module.endswith(".exc") and (node.module, names) not in _ALLOWED:
                found.append(f"{where}: from {node.module} import {names}")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _QUERY_METHODS
        ):
            found.append(f"{where}: .{node.func.attr}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            text = [a.value for a in node.args if isinstance(a, ast.Constant)]
            if node.func.id == "getattr" and set(text) & _QUERY_METHODS:
                found.append(f"{where}: getattr … {text}")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and node.args
            and isinstance(node.args[0], ast.Name)
            and node.args[0].id in orm
        ):
            found.append(f"{where}: .get({node.args[0].id}, …)")
    return found


def test_the_web_layer_reads_the_registry_through_its_services() -> None:
    """No module of `ldn.web` queries the database itself (the diary page and the cohort cache
    once did): the SQLAlchemy it uses is the `Session` it hands to `ldn.registry`, the exception
    classes it turns into HTTP answers and an event hook of the user cache."""
    paths = sorted((SRC / "web").rglob("*.py"))
    assert [hit for path in paths for hit in _database_use(path)] == []


def test_the_database_use_check_sees_the_usual_ways(tmp_path: Path) -> None:
    """The check above flags queries written in other ways, and lets exception imports pass."""
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from sqlalchemy.exc import IntegrityError\n"
        "from ldn.registry.models import AE_TYPES, Patient as P\n"
        "def f(session, s, request):\n"
        "    session.get(P, 1)\n"
        "    s.execute(P.__table__.select())\n"
        "    request.state.session.scalars(None)\n"
        "    getattr(session, 'execute')(None)\n"
        "    session.connection().exec_driver_sql('select 1')\n"
        "    request.session.get('csrf')\n",
        encoding="utf-8",
    )
    hits = _database_use(probe)
    kinds = sorted(hit.split(": ", 1)[1] for hit in hits)
    assert kinds == [
        ".connection",
        ".exec_driver_sql",
        ".execute",
        ".get(P, …)",
        ".scalars",
        "getattr … ['execute']",
    ]
