"""The dose options of the commands that simulate one regimen (`ldn simulate`, `ldn population`,
`ldn export sbml`), declared once as an option group (`ldn.cli._options`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from ldn.regimen import Regimen

_DOSE_HELP = "Dose, mg naltrexone HCl (default 4.5)."
_TITRATE_HELP = "Titration steps dose_mg:days, e.g. '1.5:7,3:7,4.5'."


@dataclass(frozen=True, kw_only=True)
class RegimenOptions:
    """`--dose-mg`, `--at` and `--titrate`: a daily regimen (defaults: 4.5 mg at 22:00)."""

    dose_mg: Annotated[float | None, typer.Option("--dose-mg", help=_DOSE_HELP)] = None
    at: Annotated[str | None, typer.Option("--at", help="Clock time of the daily dose, HH:MM.")] = (
        None
    )
    titrate: Annotated[str | None, typer.Option("--titrate", help=_TITRATE_HELP)] = None

    def regimen(self, **more: Any) -> Regimen:
        """The regimen (`ldn.regimen.regimen_from_cli`, which refuses contradictions); `more`
        adds `ldn simulate`'s other regimen options (interval, events file, missed doses...)."""
        from ldn.regimen import regimen_from_cli

        return regimen_from_cli(dose_mg=self.dose_mg, at=self.at, titrate=self.titrate, **more)
