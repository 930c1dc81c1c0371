"""Helpers for the demo-section tests: read a section's Markdown tables back, and record every
figure the section saves (size, dpi, panels) so the written PNG can be checked against it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from matplotlib.figure import Figure


def markdown_tables(markdown: str) -> list[list[list[str]]]:
    """Every pipe table in `markdown` as rows of cell texts (header first, rule line dropped)."""
    tables: list[list[list[str]]] = []
    current: list[list[str]] = []
    for line in [*markdown.splitlines(), ""]:
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if not all(set(c) <= set("-:") for c in cells):
                current.append(cells)
        elif current:
            tables.append(current)
            current = []
    return tables


def table_with(markdown: str, first_header: str) -> list[dict[str, str]]:
    """The table whose first column is headed `first_header`, as one dict per row."""
    for head, *rows in markdown_tables(markdown):
        if head[0] == first_header:
            return [dict(zip(head, row, strict=True)) for row in rows]
    raise AssertionError(f"no table headed {first_header!r} in the section text")


@dataclass(frozen=True)
class SavedFigure:
    """What a `Figure.savefig` call was asked to write."""

    target: Any  # a path, or a buffer the section then writes to a file
    dpi: float
    size_in: tuple[float, float]
    n_axes: int
    tight: bool


@contextmanager
def recording_savefig() -> Iterator[list[SavedFigure]]:
    """Record each `Figure.savefig` call (then save as usual) while the block runs."""
    saved: list[SavedFigure] = []
    original = Figure.savefig

    def savefig(fig: Figure, fname: Any, *args: Any, **kwargs: Any) -> Any:
        w, h = fig.get_size_inches()
        dpi = float(kwargs.get("dpi") or fig.dpi)
        tight = kwargs.get("bbox_inches") == "tight"
        saved.append(SavedFigure(fname, dpi, (float(w), float(h)), len(fig.axes), tight))
        return original(fig, fname, *args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Figure, "savefig", savefig)
        yield saved


def saved_as(saved: list[SavedFigure], path: Path) -> SavedFigure:
    """The record of the figure saved to `path`."""
    hits = [s for s in saved if isinstance(s.target, str | Path) and Path(s.target) == path]
    assert len(hits) == 1, f"{path.name} saved {len(hits)} times"
    return hits[0]


def check_png(path: Path, fig: SavedFigure, *, dpi: float) -> None:
    """`path` is a PNG of `fig` at `dpi`: figsize × dpi pixels (at most that plus the labels
    when cropped to the drawing), and not blank (its pixels vary)."""
    import matplotlib.image as mpimg

    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    image = mpimg.imread(path)
    height, width = image.shape[:2]
    want_w, want_h = (round(x * dpi) for x in fig.size_in)
    assert fig.dpi == dpi
    if fig.tight:  # cropped to what is drawn: smaller than the canvas, but most of it
        assert 0.6 * want_w <= width <= 1.1 * want_w and 0.6 * want_h <= height <= 1.1 * want_h
    else:
        assert (width, height) == (want_w, want_h)
    rgb = image[..., :3]
    assert float(np.std(rgb)) > 0.02, f"{path.name} is (nearly) blank"
    assert float((rgb.mean(axis=-1) < 0.5).mean()) > 0.001, f"{path.name} has no dark ink"
