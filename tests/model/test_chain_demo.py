"""The chain's `make demo` section: figures and the model-averaged table with intervals."""

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
    assert section.figures == ("chain_crohns.png", "hypotheses_crohns.png",
                               "calibration_checks.png")  # fmt: skip
    for name in section.figures:
        _drawn_figure(tmp_path / name)
    for col in ("cdai", "das28", "sledai2k", "pasi", "sf36_mcs", "pain_nrs", "fiqr"):
        assert f"| {col} |" in section.markdown
    assert "50 mg daily" in section.markdown and " to " in section.markdown  # intervals only
    assert "not estimable" in section.markdown  # SLE, RA, psoriasis have no randomised trial
