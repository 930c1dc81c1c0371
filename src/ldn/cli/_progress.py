"""The Rich progress bar shared by long-running commands.

Shown on stderr when it is a terminal and silent when output is piped, so csv/json on stdout
stay clean. Commands pass the bar's `advance` (counting up) or `update` (absolute progress)
method as the callback their computation takes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ProgressTask:
    """One task on a live Rich progress bar."""

    bar: Any
    task: Any

    def advance(self, k: int) -> None:
        """Count `k` more units done."""
        self.bar.advance(self.task, k)

    def update(self, done: int, total: int) -> None:
        """Set progress to `done` of `total` units."""
        self.bar.update(self.task, completed=done, total=total)


@contextmanager
def progress_bar(label: str, total: int | None = None) -> Iterator[ProgressTask | None]:
    """A transient progress bar on a terminal's stderr; None when stderr is not a terminal."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    console = Console(stderr=True)
    if not console.is_terminal:
        yield None
        return
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        yield ProgressTask(bar, bar.add_task(label, total=total))
