"""Writing a Matplotlib figure: one rule for every `plot(path)` of the library and every `--plot`.

`save_figure(fig, path)` writes at 120 dpi (`DPI`, the one resolution of every saved figure, CLI
included) and closes the figure (so a loop of plots does not keep them all in memory); with no
path the figure is returned open (for notebooks). It never creates a folder: the folder of
`path` must exist, else one `InputError` naming the path (and the CLI option, if given); a
failed write is the same `InputError`, never an `OSError` traceback. `figure_png`/`figure_svg`
give the bytes/text of a figure for web pages and HTML reports.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ldn.errors import InputError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

DPI = 120


def save_figure(
    fig: Any, path: str | Path | None, *, tight: bool = False, option: str | None = None
) -> Any:
    """Write `fig` to `path` (format from the suffix) at `DPI` and close it; no path: leave it open.

    `tight`: crop the saved image to what is drawn (`bbox_inches="tight"`). `option`: the CLI
    option that named `path` (e.g. `"--plot"`), quoted in the error. A missing folder or a
    failed write raises `InputError` (the figure is closed all the same).
    Returns `fig`, so a `plot(path=None)` method can end with `return save_figure(fig, path)`.
    """
    if path is None:
        return fig
    import matplotlib.pyplot as plt

    path = Path(path)
    what = f"{option} {path}" if option else str(path)
    try:
        if not path.parent.is_dir():
            raise InputError(
                f"cannot write {what}: the folder {path.parent} does not exist; create it or "
                "write somewhere else."
            )
        fig.savefig(path, dpi=DPI, **({"bbox_inches": "tight"} if tight else {}))
    except OSError as exc:
        raise InputError(f"cannot write {what}: {exc.strerror or exc}") from exc
    finally:
        plt.close(fig)
    return fig


def figure_png(fig: Figure, dpi: int = 110) -> bytes:
    """PNG bytes of a matplotlib figure (for web pages and HTML reports); the figure stays open."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def figure_svg(fig: Figure) -> str:
    """SVG text of a matplotlib figure (inline in HTML); the figure stays open."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    return buf.getvalue()
