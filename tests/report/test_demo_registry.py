"""The registry demo section: its counts, logins and responder table are those of the SQLite
database it created, and its N-of-1 figure is a drawn 9 × 3.8 in plot at 110 dpi."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from demo_checks import SavedFigure, check_png, recording_savefig, table_with
from ldn.demo.registry import N_PATIENTS, run
from ldn.demo.section import DemoSection
from ldn.registry.demo_data import DEMO_USERS

pytestmark = pytest.mark.slow  # one demo fill: ~20 s (password hashing, evidence pooling)

TABLES = {
    "patient": "patients",
    "prescription": "prescriptions",
    "assessment": "assessments",
    "adverse_event": "adverse_events",
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[DemoSection, Path, list[SavedFigure]]:
    out = tmp_path_factory.mktemp("registry")
    with recording_savefig() as saved:
        section = run(out)
    return section, out, saved


def _query(db: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as con:
        return con.execute(sql).fetchall()


def test_reported_counts_and_logins_are_the_database_rows(
    demo: tuple[DemoSection, Path, list[SavedFigure]],
) -> None:
    section, out, _ = demo
    db = out / "registry.sqlite"
    counts = dict(
        (kind, int(n))
        for n, kind in re.findall(r"(\d+) (patient|prescription|assessment|adverse_event)\b",
                                  section.markdown.split(":")[0])
    )  # fmt: skip
    assert set(counts) == set(TABLES)
    for kind, table in TABLES.items():
        assert counts[kind] == _query(db, f"select count(*) from {table}")[0][0], kind
    assert counts["patient"] == N_PATIENTS
    users = dict(_query(db, "select username, role from users"))
    for username, password, role, _ in DEMO_USERS:
        assert users[username] == role
        assert f"`{username}` / `{password}`" in section.markdown
    assert f"LDN_DATABASE_URL=sqlite:///{db.resolve()} ldn serve" in section.markdown


def test_responder_table_agrees_with_the_patients_in_the_database(
    demo: tuple[DemoSection, Path, list[SavedFigure]],
) -> None:
    section, out, _ = demo
    db = out / "registry.sqlite"
    rows = table_with(section.markdown, "condition")
    patients = dict(
        _query(db, "select condition, count(distinct patient_id) from patient_conditions "
                   "group by condition")
    )  # fmt: skip
    assessed = set(
        _query(db, "select distinct c.condition, a.scale from assessments a "
                   "join patient_conditions c on c.patient_id = a.patient_id")
    )  # fmt: skip
    assert {(r["condition"], r["scale"]) for r in rows} <= assessed
    assert {r["condition"] for r in rows} == set(patients)
    for r in rows:
        n, k = int(r["n_evaluable"]), int(r["n_responders"])
        assert 0 < n <= patients[r["condition"]] and 0 <= k <= n
        assert r["responder_rate"] == f"{round(100 * k / n)} %"
    assert sum(int(r["n_responders"]) for r in rows) > 0  # the model's LDN effect shows somewhere


def test_cohort_report_and_n_of_1_figure_are_written(
    demo: tuple[DemoSection, Path, list[SavedFigure]],
) -> None:
    section, out, saved = demo
    html = (out / "registry_cohort.html").read_text(encoding="utf-8")
    assert "<html" in html.lower()
    for r in table_with(section.markdown, "condition"):
        assert r["condition"] in html and r["scale"] in html
    assert section.figures == ("registry_n_of_1.png",)
    fig = saved[-1]  # the patient D-0001 course plot (after the report's), to a buffer at 110 dpi
    assert fig.size_in == (9.0, 3.8) and fig.n_axes >= 1
    check_png(out / "registry_n_of_1.png", fig, dpi=110)
