"""The chain's `make demo` section: figures and the model-averaged table with intervals."""

from __future__ import annotations

from pathlib import Path

from figure_checks import drawn_figure
from ldn.demo.chain import run


def test_demo_section(tmp_path: Path) -> None:
    section = run(tmp_path)
    assert section.figures == ("chain_crohns.png", "hypotheses_crohns.png",
                               "calibration_checks.png")  # fmt: skip
    for name in section.figures:
        drawn_figure(tmp_path / name)
    for col in ("cdai", "das28", "sledai2k", "pasi", "sf36_mcs", "pain_nrs", "fiqr"):
        assert f"| {col} |" in section.markdown
    assert "50 mg daily" in section.markdown and " to " in section.markdown  # intervals only
    assert "not estimable" in section.markdown  # SLE, RA, psoriasis have no randomised trial
