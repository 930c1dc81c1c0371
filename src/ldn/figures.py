"""Writing a Matplotlib figure to a file: one rule for every `plot(path)` of the library.

`save_figure(fig, path)` writes at 120 dpi and closes the figure (so a loop of plots does not
keep them all in memory); `make_folder=True` first creates a missing folder; with no path the
figure is returned open (for notebooks).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

DPI = 120


def save_figure(
    fig: Any, path: str | Path | None, *, make_folder: bool = False, tight: bool = False
) -> Any:
    """Write `fig` to `path` (format from the suffix) and close it; no path: leave it open.
    `tight`: crop the saved image to what is drawn (`bbox_inches="tight"`).

    Returns `fig`, so a `plot(path=None)` method can end with `return save_figure(fig, path)`.
    """
    if path is None:
        return fig
    import matplotlib.pyplot as plt

    if make_folder:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=DPI, **({"bbox_inches": "tight"} if tight else {}))
    plt.close(fig)
    return fig
