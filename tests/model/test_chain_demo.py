"""The chain's `make demo` section: figures and the model-averaged table with intervals."""

from __future__ import annotations

from pathlib import Path

import pytest

from figure_checks import drawn_figure
from ldn.demo.chain import run
from ldn.demo.section import DemoSection


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> tuple[DemoSection, Path]:
    """The section, run once for this module's tests, and its output folder."""
    tmp_path = tmp_path_factory.mktemp("chain_demo")
    return run(tmp_path), tmp_path


def test_demo_section(out: tuple[DemoSection, Path]) -> None:
    section, tmp_path = out
    assert section.figures == ("chain_crohns.png", "hypotheses_crohns.png",
                               "calibration_checks.png")  # fmt: skip
    for name in section.figures:
        drawn_figure(tmp_path / name)
    for col in ("cdai", "das28", "sledai2k", "pasi", "sf36_mcs", "pain_nrs", "fiqr"):
        assert f"| {col} |" in section.markdown
    assert "50 mg daily" in section.markdown and " to " in section.markdown  # intervals only
    assert "not estimable" in section.markdown  # SLE, RA, psoriasis have no randomised trial


def _weight_rows(markdown: str) -> dict[str, list[str]]:
    """Condition title → cells of the demo's condition × family weight table."""
    lines = markdown.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Family weights per"))
    rows = {}
    for line in lines[start + 4 :]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        rows[cells[0]] = cells[1:]
    return rows


def test_demo_weights_per_condition(out: tuple[DemoSection, Path]) -> None:
    """Per-condition weights as the posterior stores them; no numbers without a trial."""
    import re

    from ldn.mechanisms.report import load_posterior
    from ldn.model.chain import CONDITIONS
    from ldn.model.disease import get_condition

    weights = load_posterior().summary["weights"]
    families = list(weights["all"])
    rows = _weight_rows(out[0].markdown)
    assert set(rows) == {get_condition(c).title for c in CONDITIONS}
    fitted = [c for c in CONDITIONS if c in weights]
    assert set(fitted) == {"crohns", "ms", "fibromyalgia"}  # the conditions with an RCT
    for name in CONDITIONS:
        cells = rows[get_condition(name).title]
        assert len(cells) == len(families)
        if name not in weights:
            assert cells[0] == "not estimable (no randomised trial)"
            assert not any(re.search(r"\d", c) for c in cells)
            continue
        shown = []
        for cell, fam in zip(cells, families, strict=True):
            w = weights[name][fam]
            assert cell == f"{w['weight']:.2f} ({w['weight_low']:.2f}–{w['weight_high']:.2f})"
            assert w["weight_low"] <= w["weight"] <= w["weight_high"]
            shown.append(float(cell.split()[0]))
        assert abs(sum(w["weight"] for w in weights[name].values()) - 1.0) < 1e-9
        assert abs(sum(shown) - 1.0) <= 0.005 * len(families)  # rounding to 2 decimals
