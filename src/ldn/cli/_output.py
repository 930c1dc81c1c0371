"""Output options shared by the commands that print a table or write csv/json/figures.

One output-path rule for every command: a FILE option (`--out x.csv`, `--plot f.png`) must name a
file in a folder that exists — checked by `check_output`/`check_folder`/`check_plot` before any
work is done, so a typo in a path does not cost a whole simulation and no stray folder is made;
a FOLDER option (`ldn demo --out DIR`, `ldn registry report --csv DIR`) is created with its
parents (`make_folder`) by the command before any work, so a path that cannot be a folder (an
existing file) is one message too. `write_text` and `ldn.figures.save_figure` (pass
`option="--plot"`; every figure is written at its 120 dpi) turn a failed write into one
`InputError` message instead of a traceback, so every command says the same thing.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import typer

from ldn.errors import InputError

FORMATS = ("table", "csv", "json")
# `--format` of every command that prints a table: with csv, or (no table shape) without it
FORMAT_OPTION: Any = typer.Option("table", "--format", help="table | csv | json.")
FORMAT_NO_CSV_OPTION: Any = typer.Option("table", "--format", help="table | json.")
PLOT_SUFFIXES = (".png", ".svg", ".pdf")


def json_value(value: Any) -> Any:
    """`value` as plain JSON: NumPy scalars become Python numbers, NaN/±inf become None (null);
    dicts and lists are converted item by item. (`json.dumps` would write NaN, which is not JSON.)
    """
    if isinstance(value, dict):
        return {k: json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def check_folder(path: Path | None, option: str) -> None:
    """Raise `InputError` when the FILE option `path` is an existing folder, or the folder it
    would be written into does not exist."""
    if path is not None and path.is_dir():
        raise InputError(f"{option} {path} is a folder; name a file inside it.")
    if path is not None and not path.parent.is_dir():
        raise InputError(
            f"{option} {path}: the folder {path.parent} does not exist; create it or write "
            "somewhere else."
        )


def make_folder(folder: Path, option: str) -> None:
    """Create the FOLDER option `folder` (and parents); an OS error becomes an `InputError`."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            f"{option}: cannot create the folder {folder}: {exc.strerror or exc}"
        ) from exc


def check_plot_suffix(path: Path | None, option: str = "--plot") -> None:
    """Raise `InputError` unless `path` is None or ends in .png, .svg or .pdf."""
    if path is not None and path.suffix.lower() not in PLOT_SUFFIXES:
        raise InputError(
            f"{option} {path} must end in {', '.join(PLOT_SUFFIXES)} (for example figure.png)."
        )


def check_plot(path: Path | None, option: str = "--plot") -> None:
    """Raise `InputError` unless `path` is None or a .png/.svg/.pdf file in an existing folder."""
    check_plot_suffix(path, option)
    check_folder(path, option)


def check_output(fmt: str, out: Path | None, plot: Path | None = None) -> None:
    """Validate `--format` (table|csv|json), `--out` (csv/json only) and `--plot`."""
    if fmt not in FORMATS:
        raise InputError(f"--format {fmt!r} is not one of {', '.join(FORMATS)}.")
    if out is not None and fmt == "table":
        raise InputError("--out writes csv or json; add --format csv or --format json.")
    check_folder(out, "--out")
    check_plot(plot)


def write_text(path: Path, text: str, option: str = "--out") -> None:
    """Write UTF-8 text to `path`; an OS error becomes an `InputError` naming the option."""
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write {option} {path}: {exc.strerror or exc}") from exc
