"""The evidence section of `make demo`."""

from __future__ import annotations

from pathlib import Path

from figure_checks import drawn_figure
from ldn.demo.evidence import run, summary_markdown


def test_demo_section_writes_forest_plot_and_tables(tmp_path: Path) -> None:
    section = run(tmp_path)
    drawn_figure(tmp_path / "evidence_forest.png")
    assert (tmp_path / "evidence_adverse_events.csv").exists()
    assert "| Fibromyalgia | 3 |" in section.markdown
    assert "certainty" in section.markdown and "Bested 2023" in section.markdown
    assert section.figures == ("evidence_forest.png",)


def test_summary_markdown_marks_single_trial_conditions() -> None:
    md = summary_markdown()
    assert "– (k = 1)" in md and md.count("\n") >= 4
