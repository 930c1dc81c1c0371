"""The evidence section of `make demo`."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ldn.demo.evidence import run, summary_markdown


def _drawn_figure(path: Path) -> np.ndarray:
    """The PNG at `path` as pixels; fails unless it decodes and shows more than a blank canvas."""
    import matplotlib.image as mpimg

    img = mpimg.imread(path)
    assert img.ndim == 3 and img.shape[0] > 200 and img.shape[1] > 300
    ink = (img[..., :3] < 0.9).any(axis=-1).mean()  # fraction of non-white pixels
    assert 0.01 < ink < 0.9
    return img


def test_demo_section_writes_forest_plot_and_tables(tmp_path: Path) -> None:
    section = run(tmp_path)
    _drawn_figure(tmp_path / "evidence_forest.png")
    assert (tmp_path / "evidence_adverse_events.csv").exists()
    assert "| Fibromyalgia | 3 |" in section.markdown
    assert "certainty" in section.markdown and "Bested 2023" in section.markdown
    assert section.figures == ("evidence_forest.png",)


def test_summary_markdown_marks_single_trial_conditions() -> None:
    md = summary_markdown()
    assert "– (k = 1)" in md and md.count("\n") >= 4
