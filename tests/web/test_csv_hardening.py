"""CSV hardening (issue 15, findings 3 and 6): malformed quoting and over-long fields are
refused with the line named and nothing written (API and page, SQLite and PostgreSQL);
exports neutralise spreadsheet formulas by default and keep exact values when raw."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from ldn.registry.csv_export import export_csv
from ldn.registry.db import Registry
from ldn.registry.import_export import CsvImportError, import_csv, parse_csv
from ldn.registry.models import Assessment, Patient
from ldn.spreadsheet import FORMULA_TRIGGERS, neutralise_cell
from ldn.web.app import create_app
from registry_fixtures import World

from .conftest import BASE_URL, page_login, settings

HEADER = "record_type,patient_code,birth_year,sex,scale,value,assessed_on,notes\n"
FIVE = (
    "patient,Q-1,1970,female,,,,\n"
    'assessment,Q-1,,,das28,5.0,2024-01-01,"fine"\n'
    'assessment,Q-1,,,das28,4.9,2024-02-01,"an unterminated note\n'
    "assessment,Q-1,,,das28,4.8,2024-03-01,later\n"
    "assessment,Q-1,,,das28,4.7,2024-04-01,last\n"
)
INJECTIONS = [
    '=HYPERLINK("http://evil.example","click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
]  # (a leading tab or CR never reaches the database: text fields are stripped)


def _counts(registry: Registry) -> tuple[int, int]:
    with registry.session() as s:
        return (
            int(s.scalar(select(func.count()).select_from(Patient)) or 0),
            int(s.scalar(select(func.count()).select_from(Assessment)) or 0),
        )


def _client(registry: Registry) -> TestClient:
    return TestClient(create_app(settings(), registry=registry), base_url=BASE_URL)


def test_unterminated_quote_is_refused_naming_its_line() -> None:
    # the probe: before, the quote swallowed the rest and 2 of 5 records were imported
    with pytest.raises(CsvImportError) as err:
        parse_csv(HEADER + FIVE)
    (problem,) = err.value.problems
    assert problem.row == 4  # the header is line 1; the quote opens on line 4
    assert "never closed" in problem.message


def test_stray_quote_and_huge_field_are_explained() -> None:
    with pytest.raises(CsvImportError, match=r"row 3, .*not valid CSV"):
        parse_csv(HEADER + 'patient,Q-1,1970,female,,,,\npatient,Q-2,1970,"x"y,,,,\n')
    with pytest.raises(CsvImportError, match=r"row 2, .*longer than 131072 characters"):
        parse_csv(HEADER + "patient,Q-1,1970,female,,,," + "n" * 140_000 + "\n")


def test_line_numbers_count_physical_lines() -> None:
    text = HEADER + (
        "patient,Q-1,1970,female,,,,\n"
        'assessment,Q-1,,,das28,5.0,2024-01-01,"two\nlines"\n'
        "patient,Q-2,1970,nope,,,,\n"
    )
    with pytest.raises(CsvImportError) as err:
        parse_csv(text)
    assert [p.row for p in err.value.problems] == [5]  # Q-2 starts on line 5


@pytest.mark.parametrize("path", ["/api/v1/import", "/data/import"])
@pytest.mark.parametrize(
    ("body", "needle"),
    [(FIVE, "row 4"), ("patient,Q-1,1970,female,,,," + "n" * 140_000 + "\n", "row 2")],
)
def test_bad_csv_is_422_and_nothing_is_written(
    registry: Registry, world: World, path: str, body: str, needle: str
) -> None:
    before = _counts(registry)
    with _client(registry) as client:
        csrf = page_login(client, "clin_a")
        r = client.post(
            path,
            files={"file": ("bad.csv", (HEADER + body).encode(), "text/csv")},
            data={"csrf_token": csrf},
            headers={"X-CSRF-Token": csrf},
        )
    assert r.status_code == 422, r.text[:300]
    assert needle in r.text
    assert _counts(registry) == before


def test_exports_neutralise_formulas_and_raw_round_trips(registry: Registry, world: World) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["patient", "F-1", "1970", "female", "", "", "", ""])
    for i, text in enumerate(INJECTIONS):
        writer.writerow(["assessment", "F-1", "", "", "das28", i + 1, f"2024-0{i + 1}-01", text])
    rows = buf.getvalue()
    with registry.session() as s:
        import_csv(session=s, actor=world.clin_a, text=HEADER + rows)
        safe = export_csv(session=s, actor=world.clin_a)
        raw = export_csv(session=s, actor=world.clin_a, raw=True)
    notes = [r["notes"] for r in csv.DictReader(io.StringIO(safe)) if r["notes"]]
    assert notes == ["'" + t for t in INJECTIONS]
    raw_notes = [r["notes"] for r in csv.DictReader(io.StringIO(raw)) if r["notes"]]
    assert raw_notes == INJECTIONS
    with registry.session() as s:  # the raw file imports back exactly (into clinic B)
        import_csv(session=s, actor=world.clin_b, text=raw.replace("P-0001", "Z-0001"))
        again = export_csv(session=s, actor=world.clin_b, raw=True)
    got = [r["notes"] for r in csv.DictReader(io.StringIO(again)) if r["notes"]]
    assert got == INJECTIONS
    with _client(registry) as client:  # the same through the API and the page
        page_login(client, "clin_a")
        for url in ("/api/v1/export.csv", "/data/export.csv"):
            default = client.get(url).text
            assert "'=HYPERLINK" in default and "\n=" not in default and ",=" not in default
            assert client.get(url, params={"raw": "true"}).text.count("=HYPERLINK") == 1
            assert "'=HYPERLINK" not in client.get(url, params={"raw": "true"}).text
            assert client.get(url).headers["cache-control"] == "no-store"


@given(st.text(max_size=40))
def test_neutralised_cells_never_start_a_formula(text: str) -> None:
    assert neutralise_cell("\tx") == "'\tx" and neutralise_cell("\rx") == "'\rx"
    out = neutralise_cell(text)
    assert not out.startswith(FORMULA_TRIGGERS)
    assert out == text or out == "'" + text
