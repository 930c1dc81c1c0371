"""The `ldn` command: a thin Typer app that registers each area's subcommands.

Every module listed in `_COMMANDS` / `_GROUPS` owns its commands and keeps heavy imports inside
the command functions, so `ldn --help` stays fast. `LdnError`s are printed as one clear message
(exit code 2), never as a traceback.
"""

from __future__ import annotations

import importlib
import sys
import warnings

import typer
from rich.console import Console

from ldn.errors import LdnError

app = typer.Typer(
    name="ldn",
    help="Low-dose naltrexone: pharmacology engine, virtual trials, evidence and clinic registry.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """Low-dose naltrexone: pharmacology engine, virtual trials, evidence and clinic registry."""


# (module, function, command name): single commands
_COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("ldn.cli.demo", "demo", "demo"),
    ("ldn.cli.simulate", "simulate", "simulate"),
    ("ldn.cli.serve", "serve", "serve"),
    ("ldn.cli.population", "population", "population"),
    ("ldn.cli.population", "trial", "trial"),
    ("ldn.cli.population", "power", "power"),
    ("ldn.cli.sensitivity", "sensitivity", "sensitivity"),
    ("ldn.cli.calibrate_pk", "calibrate_pk", "calibrate-pk"),
    ("ldn.cli.hypotheses", "calibrate", "calibrate"),
    ("ldn.cli.hypotheses", "hypotheses", "hypotheses"),
)
# (module, Typer attribute, group name): command groups
_GROUPS: tuple[tuple[str, str, str], ...] = (
    ("ldn.cli.evidence", "app", "evidence"),
    ("ldn.cli.export", "app", "export"),
    ("ldn.cli.registry", "registry_app", "registry"),
    ("ldn.cli.plan", "app", "plan"),
)


def _register() -> None:
    for module_name, attr, name in _COMMANDS:
        module = importlib.import_module(module_name)
        app.command(name)(getattr(module, attr))
    for module_name, attr, name in _GROUPS:
        module = importlib.import_module(module_name)
        app.add_typer(getattr(module, attr), name=name)


_register()


def _compile_message() -> None:
    """One line on the process's real stderr (never into a command's captured or piped output)."""
    stream = sys.__stderr__ or sys.stderr
    print("ldn: compiling the numerical kernels (first run only; cached after) …", file=stream)
    stream.flush()


def _one_line_warning(message: Warning | str, *args: object, **kwargs: object) -> None:
    """Deprecation notes (e.g. an old titration spelling) as one line, not a Python warning."""
    print(f"ldn: note: {message}", file=sys.stderr)


def main() -> None:
    """Console-script entry point.

    Typer/Click handle usage errors themselves (standalone mode); an `LdnError` raised by a
    command is printed as one message with exit code 2.
    """
    from ldn.compile_options import on_slow_compile

    on_slow_compile(_compile_message)
    warnings.showwarning = _one_line_warning
    try:
        app()
    except LdnError as exc:
        Console(stderr=True).print(f"[bold red]error:[/] {exc}", highlight=False)
        sys.exit(2)


if __name__ == "__main__":
    main()
