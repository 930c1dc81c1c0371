"""`ldn demo`: the showcase behind `make demo`."""

from __future__ import annotations

from pathlib import Path

import typer


def demo(
    out: Path = typer.Option(Path("demo-output"), "--out", help="Folder for plots and summary."),
) -> None:
    """Run the main job on embedded defaults and write plots and a summary to OUT."""
    from rich.console import Console
    from rich.markdown import Markdown

    from ldn.cli._output import make_folder
    from ldn.demo.summary import run_demo

    make_folder(out, "--out")  # a FOLDER option: created (or refused) before any section runs
    console = Console()
    for section in run_demo(out):
        console.rule(section.title)
        console.print(Markdown(section.markdown))
    console.print(f"\nWrote {out / 'summary.html'} and {out / 'summary.md'}")
