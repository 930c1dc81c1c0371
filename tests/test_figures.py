"""`ldn.figures`: the one figure writer of the library and the CLI."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ldn.errors import InputError


def _figure():  # type: ignore[no-untyped-def]
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    return fig


def test_a_missing_folder_is_one_input_error_and_no_folder_is_made(tmp_path: Path) -> None:
    import matplotlib.pyplot as plt

    from ldn.figures import save_figure

    path = tmp_path / "missing" / "x.png"
    fig = _figure()
    with pytest.raises(InputError, match=f"cannot write {path}: the folder .* does not exist"):
        save_figure(fig, path)
    assert not path.parent.exists()
    assert not plt.fignum_exists(fig.number)  # closed all the same
    with pytest.raises(InputError, match=f"cannot write --plot {path}"):
        save_figure(_figure(), path, option="--plot")


def test_simulation_and_population_plots_follow_the_same_rule(tmp_path: Path) -> None:
    """Neither makes the folder (`PopulationResult.plot` used to); both say the same thing."""
    from ldn import simulate
    from ldn.population import simulate_population
    from ldn.regimen import daily

    path = tmp_path / "missing" / "x.png"
    results = [
        simulate(daily(4.5, "22:00"), days=3),
        simulate_population(daily(4.5, "22:00"), n=4, days=7, condition="ms", dt_h=1.0),
    ]
    for result in results:
        with pytest.raises(InputError, match=f"cannot write {path}: the folder"):
            result.plot(path)
        assert not path.parent.exists()


def test_figure_png_is_defined_once() -> None:
    """One `figure_png` (and one `save_figure`) in the package: `ldn.figures`."""
    src = Path(__file__).resolve().parents[1] / "src" / "ldn"
    for name in ("figure_png", "save_figure"):
        where = [p for p in src.rglob("*.py") if f"\ndef {name}(" in p.read_text(encoding="utf-8")]
        assert [p.relative_to(src).as_posix() for p in where] == ["figures.py"], name


def test_only_ldn_figures_calls_savefig() -> None:
    """Every figure file or byte string goes through `ldn.figures` (one dpi, one error rule):
    no other module of the package calls `.savefig(` itself (docs, demo and CLI included)."""
    src = Path(__file__).resolve().parents[1] / "src" / "ldn"
    callers = sorted(
        p.relative_to(src).as_posix()
        for p in src.rglob("*.py")
        if ".savefig(" in p.read_text(encoding="utf-8")
    )
    assert callers == ["figures.py"]


def test_figure_png_gives_png_bytes() -> None:
    from ldn.figures import figure_png

    assert figure_png(_figure())[:8] == b"\x89PNG\r\n\x1a\n"
    assert np.frombuffer(figure_png(_figure(), dpi=50), dtype=np.uint8).size > 100
