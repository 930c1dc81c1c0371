"""The registry demo section: a SQLite registry with synthetic patients and a cohort report."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ldn.demo.registry import N_PATIENTS, run


def test_registry_demo_writes_database_report_and_plot(tmp_path: Path) -> None:
    section = run(tmp_path)
    with sqlite3.connect(tmp_path / "registry.sqlite") as con:
        (n,) = con.execute("select count(*) from patients").fetchone()
    assert n == N_PATIENTS
    html = (tmp_path / "registry_cohort.html").read_text(encoding="utf-8")
    assert "<html" in html.lower()
    assert (tmp_path / "registry_n_of_1.png").read_bytes()[:4] == b"\x89PNG"
    assert "| condition | scale |" in section.markdown
    assert "ldn serve" in section.markdown
