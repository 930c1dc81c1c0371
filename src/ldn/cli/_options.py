"""Option groups: options that several commands share, declared once as a frozen dataclass.

Each field of a group is `Annotated[T, typer.Option("--name", help=...)]`, with its default (a
field without one is a required option); declare groups with `kw_only=True` so required and
optional fields can keep the order `--help` shows. A command takes a group as one typed
parameter and is decorated with `@with_options`:

    @dataclass(frozen=True, kw_only=True)
    class Window:
        days: Annotated[int, typer.Option("--days", help="Days.")] = 28

    @with_options
    def report(*, window: Window, fmt: str = typer.Option("table", "--format")) -> None:
        ...  # window.days is an int, checked by mypy

Typer sees every field as an option of its own, in the place of the group's parameter (so it is
in `--help` and Click parses and validates it), and the command receives the dataclass built
from their values. A field whose name is also a parameter of the command (or a field of another
of its groups) is an error when the command is defined.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import typing
from collections.abc import Callable
from typing import Any, TypeVar

from typer.models import ParameterInfo

R = TypeVar("R")

_KEYWORD = inspect.Parameter.KEYWORD_ONLY


def with_options(command: Callable[..., R]) -> Callable[..., R]:
    """`command` with each option-group parameter (one annotated with a dataclass) replaced, for
    Typer, by the group's fields; at call time the group is rebuilt from their values."""
    hints = typing.get_type_hints(command, include_extras=True)
    groups: dict[str, tuple[type[Any], tuple[str, ...]]] = {}
    visible: dict[str, inspect.Parameter] = {}
    for name, param in inspect.signature(command).parameters.items():
        annotation = hints.get(name, param.annotation)
        if isinstance(annotation, type) and dataclasses.is_dataclass(annotation):
            fields = _group_parameters(annotation)
            groups[name] = (annotation, tuple(p.name for p in fields))
        else:
            fields = [param.replace(kind=_KEYWORD, annotation=annotation)]
        for field in fields:
            if field.name in visible:
                raise TypeError(
                    f"{command.__qualname__}: option {field.name!r} is declared twice (a "
                    "parameter of the command and a field of an option group, or two groups)"
                )
            visible[field.name] = field

    @functools.wraps(command)
    def call(**values: Any) -> R:
        for name, (group, names) in groups.items():
            values[name] = group(**{field: values.pop(field) for field in names})
        return command(**values)

    call.__signature__ = inspect.Signature(list(visible.values()))  # type: ignore[attr-defined]
    call.__annotations__ = {name: p.annotation for name, p in visible.items()}
    return call


def _group_parameters(group: type[Any]) -> list[inspect.Parameter]:
    """The group's fields as keyword parameters with their `Annotated[T, typer.Option(...)]`."""
    hints = typing.get_type_hints(group, include_extras=True)
    params = []
    for field in dataclasses.fields(group):
        annotation = hints[field.name]
        metadata = getattr(annotation, "__metadata__", ())
        if not any(isinstance(m, ParameterInfo) for m in metadata):
            raise TypeError(
                f"{group.__qualname__}.{field.name}: an option-group field is "
                "Annotated[T, typer.Option(...)]"
            )
        if field.default_factory is not dataclasses.MISSING:
            raise TypeError(f"{group.__qualname__}.{field.name}: give a default, not a factory")
        default = inspect.Parameter.empty
        if field.default is not dataclasses.MISSING:
            default = field.default
        params.append(
            inspect.Parameter(field.name, _KEYWORD, default=default, annotation=annotation)
        )
    return params
