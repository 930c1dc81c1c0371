"""The chain's `make demo` section writes its figure and headline table."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ldn.demo.chain import run


def _drawn_figure(path: Path) -> np.ndarray:
    """The PNG at `path` as pixels; fails unless it decodes and shows more than a blank canvas."""
    import matplotlib.image as mpimg

    img = mpimg.imread(path)
    assert img.ndim == 3 and img.shape[0] > 200 and img.shape[1] > 300
    ink = (img[..., :3] < 0.9).any(axis=-1).mean()  # fraction of non-white pixels
    assert 0.01 < ink < 0.9
    return img


def test_demo_section(tmp_path: Path) -> None:
    section = run(tmp_path)
    assert section.figures == ("chain_crohns.png",)
    _drawn_figure(tmp_path / "chain_crohns.png")
    for col in ("cdai", "das28", "sledai2k", "pasi", "sf36_mcs", "pain_nrs", "fiqr"):
        assert f"| {col} |" in section.markdown
    # the table reports the headline numbers that `headline` computes
    from ldn.parameters import default_parameters
    from ldn.simulate.scenarios import headline

    h = headline("crohns", default_parameters())
    assert f"| cdai | {h.vs_placebo['cdai']['ldn_bedtime']:+.2f} |" in section.markdown
