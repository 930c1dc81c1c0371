"""The practice demo section writes its files and a washout table for the four doses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from ldn.demo import practice as demo_practice


def test_demo_practice_section(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo_practice, "N_PATIENTS", 20)
    section = demo_practice.run(tmp_path)
    for name in section.files:
        assert (tmp_path / name).stat().st_size > 0
    rows = json.loads((tmp_path / "washout.json").read_text())
    assert [r["dose_mg"] for r in rows] == [1.5, 3.0, 4.5, 50.0]
    assert len(PdfReader(tmp_path / "handout.pdf").pages) == 1
    assert "| 1.5 |" in section.markdown
