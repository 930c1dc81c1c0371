"""Option groups (`ldn.cli._options.with_options`): declared once, shown in every command's
`--help`, parsed and validated by Click, and rebuilt as one typed dataclass for the command."""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass
from typing import Annotated

import pytest
import typer
from typer.models import OptionInfo
from typer.testing import CliRunner

from cli_runner import run
from ldn.cli._options import with_options
from ldn.cli._regimen_options import RegimenOptions
from ldn.cli.evidence import PoolSource
from ldn.cli.main import app
from ldn.cli.plan import TitrationOptions
from ldn.cli.population import TrialDesignOptions, TrialRunOptions

RUNNER = CliRunner()


def _flags(group: type) -> list[str]:
    """The option names (`--start-mg`) a group declares, read from its fields."""
    hints = typing.get_type_hints(group, include_extras=True)
    flags = []
    for field in dataclasses.fields(group):
        [info] = [m for m in hints[field.name].__metadata__ if isinstance(m, OptionInfo)]
        flags.append(str(info.default))  # in Annotated, Option's first argument is its name
    return flags


def _help_texts(group: type) -> list[str]:
    hints = typing.get_type_hints(group, include_extras=True)
    return [hints[f.name].__metadata__[0].help for f in dataclasses.fields(group)]


@pytest.mark.parametrize(
    ("command", "groups"),
    [
        (["trial"], (TrialDesignOptions, TrialRunOptions)),
        (["power"], (TrialDesignOptions, TrialRunOptions)),
        (["plan", "titration"], (TitrationOptions,)),
        (["plan", "handout"], (TitrationOptions,)),
        (["evidence", "forest"], (PoolSource,)),
        (["evidence", "funnel"], (PoolSource,)),
        (["evidence", "pool"], (PoolSource,)),
        (["simulate"], (RegimenOptions,)),
        (["population"], (RegimenOptions,)),
        (["export", "sbml"], (RegimenOptions,)),
    ],
)
def test_help_lists_every_group_option_with_its_help(
    command: list[str], groups: tuple[type, ...]
) -> None:
    result = RUNNER.invoke(app, [*command, "--help"], env={"COLUMNS": "240"})
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.replace("│", " ").split())
    for group in groups:
        flags = _flags(group)
        assert len(flags) >= 3
        for flag in flags:
            assert f" {flag} " in text, (command, flag)
        for help_text in _help_texts(group):
            assert help_text in text, (command, help_text)


def test_group_options_keep_their_place_and_the_commands_own_options_stay() -> None:
    result = RUNNER.invoke(app, ["power", "--help"], env={"COLUMNS": "240"})
    rows = [line.strip("│ ").split() for line in result.stdout.splitlines()]
    listed = [row[0] for row in rows if row and row[0].startswith("--")]
    design, run_flags = _flags(TrialDesignOptions), _flags(TrialRunOptions)
    own = ["--target", "--n-max", "--trials"]
    assert listed == [*design, *own, *run_flags, "--format", "--out", "--plot", "--help"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["trial", "--weeks", "abc"], "Invalid value for '--weeks'"),
        (["power", "--pool", "1.5"], "Invalid value for '--pool'"),
        (["trial", "--control", "sometimes"], "--control 'sometimes' is not 'placebo'"),
        (["plan", "titration", "--start-mg", "x", "--step-mg", "1", "--target-mg", "4.5"],
         "Invalid value for '--start-mg'"),
        (["plan", "handout", "--step-mg", "1", "--target-mg", "4.5"],
         "Missing option '--start-mg'"),
        (["evidence", "funnel", "--plot", "f.png", "--measure"],
         "'--measure' requires an argument"),
        (["evidence", "forest", "--plot", "f.png", "--condition", "ms", "--input", "x.csv"],
         "give either --condition"),
        (["simulate", "--dose-mg", "abc"], "Invalid value for '--dose-mg'"),
        (["population", "--titrate", "1.5:7,4.5", "--dose-mg", "3"], "--titrate"),
        (["export", "sbml", "--at", "25:00"], "25:00"),
    ],
)  # fmt: skip
def test_a_bad_grouped_option_is_one_message_exit_2(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(args, capsys)
    output = out + err
    assert code == 2
    assert message in " ".join(output.replace("│", " ").split())
    assert "Traceback" not in output


@dataclass(frozen=True, kw_only=True)
class _Window:
    days: Annotated[int, typer.Option("--days", help="Days covered.")]
    start: Annotated[str, typer.Option("--start", help="First day.")] = "today"


@dataclass(frozen=True, kw_only=True)
class _Output:
    fmt: Annotated[str, typer.Option("--format", help="table | json.")] = "table"


def test_the_command_receives_the_group_built_from_the_options() -> None:
    seen: list[object] = []

    @with_options
    def report(*, window: _Window, label: str = typer.Option("x", "--label"), out: _Output) -> None:
        seen.append((window, label, out))

    cli = typer.Typer()
    cli.command()(report)
    cli.command("other")(lambda: None)  # two commands, so `report` is a subcommand
    result = RUNNER.invoke(cli, ["report", "--days", "3", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert seen == [(_Window(days=3), "x", _Output(fmt="json"))]


def test_a_field_clashing_with_a_parameter_fails_when_the_command_is_defined() -> None:
    with pytest.raises(TypeError, match="'days' is declared twice"):

        @with_options
        def report(*, window: _Window, days: int = typer.Option(1, "--days")) -> None:
            pass

    with pytest.raises(TypeError, match="'days' is declared twice"):

        @with_options
        def twice(*, first: _Window, second: _Window) -> None:
            pass


@dataclass(frozen=True)
class Plain:
    days: int = 1


def test_a_field_without_a_typer_option_fails_when_the_command_is_defined() -> None:
    with pytest.raises(TypeError, match=r"Plain\.days"):

        @with_options
        def report(*, window: Plain) -> None:
            pass


def test_format_is_declared_once() -> None:
    """`--format` comes from `ldn.cli._output` (FORMAT_OPTION, FORMAT_NO_CSV_OPTION) in every
    command; only `registry report` (its format is an Enum choice) declares its own, and
    `_options.py` names it in its docstring's example."""
    from pathlib import Path

    import ldn.cli

    files = Path(ldn.cli.__file__).parent.glob("*.py")
    own = {p.name for p in files if '"--format"' in p.read_text(encoding="utf-8")}
    assert own == {"_output.py", "registry_analysis.py", "_options.py"}
