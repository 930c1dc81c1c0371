"""The chain's `make demo` section writes its figure and headline table."""

from __future__ import annotations

from pathlib import Path

from ldn.demo.chain import run


def test_demo_section(tmp_path: Path) -> None:
    section = run(tmp_path)
    assert section.figures == ("chain_crohns.png",)
    assert (tmp_path / "chain_crohns.png").stat().st_size > 10_000
    for col in ("cdai", "das28", "sledai2k", "pasi", "sf36_mcs", "pain_nrs", "fiqr"):
        assert f"| {col} |" in section.markdown
