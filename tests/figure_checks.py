"""Shared check that a written figure is a real drawing (used by the demo tests)."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def drawn_figure(path: Path) -> np.ndarray:
    """The PNG at `path` as pixels; fails unless it decodes and shows more than a blank canvas."""
    import matplotlib.image as mpimg

    img = mpimg.imread(path)
    assert img.ndim == 3 and img.shape[0] > 200 and img.shape[1] > 300
    ink = (img[..., :3] < 0.9).any(axis=-1).mean()  # fraction of non-white pixels
    assert 0.01 < ink < 0.9
    return img
