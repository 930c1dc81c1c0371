"""Forms and the API answer bad input with 4xx and a message that names the value and rule."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from registry_fixtures import World

from .conftest import bearer, page_login


@pytest.fixture
def db_url(sqlite_url: str) -> str:
    """Validation happens before the database: SQLite only."""
    return sqlite_url


@pytest.fixture
def clin_a(client: TestClient, world: World) -> tuple[TestClient, str]:
    return client, page_login(client, "clin_a")


def test_assessment_out_of_range_rerenders_with_field_message(
    clin_a: tuple[TestClient, str], world: World
) -> None:
    client, csrf = clin_a
    r = client.post(
        f"/patients/{world.patient_a}/assessments",
        data={"scale": "das28", "value": "12.5", "assessed_on": "2025-01-10", "csrf_token": csrf},
    )
    assert r.status_code == 422
    assert "outside the scale&#39;s range" in r.text or "outside the scale's range" in r.text
    assert 'value="12.5"' in r.text  # the user's input is kept for correction


def test_prescription_dates_and_titration_messages(
    clin_a: tuple[TestClient, str], world: World
) -> None:
    client, csrf = clin_a
    url = f"/patients/{world.patient_a}/prescriptions"
    base = {"dose_mg": "4.5", "clock_time": "22:00", "formulation": "capsule", "csrf_token": csrf}
    r = client.post(url, data={**base, "start_date": "2025-03-01", "stop_date": "2025-02-01"})
    assert r.status_code == 422
    assert "is before start_date" in r.text
    r = client.post(url, data={**base, "start_date": "2025-03-01", "titration": "1.5 for 14"})
    assert r.status_code == 422
    assert "write titration as dose_mg:days steps" in r.text
    r = client.post(url, data={**base, "start_date": "2025-03-01", "clock_time": "25:00"})
    assert r.status_code == 422
    assert "HH:MM" in r.text
    r = client.post(
        url,
        data={**base, "start_date": "2025-03-01", "titration": "1.5:14, 3:14"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = client.get(f"/patients/{world.patient_a}").text
    assert "Prescription saved." in page
    assert "<td>1.5:14,3:14</td>" in page  # the one written form (ldn.regimen.titration_text)


def test_old_titration_spelling_is_saved_with_a_note(
    clin_a: tuple[TestClient, str], world: World
) -> None:
    """'1.5x7;3x7' (the old CSV spelling) is read, and the page says how to write it now."""
    client, csrf = clin_a
    data = {"dose_mg": "4.5", "clock_time": "22:00", "formulation": "capsule",
            "start_date": "2025-03-01", "titration": "1.5x7;3x7", "csrf_token": csrf}  # fmt: skip
    r = client.post(f"/patients/{world.patient_a}/prescriptions", data=data, follow_redirects=False)
    assert r.status_code == 303
    page = client.get(f"/patients/{world.patient_a}").text.replace("&#39;", "'")
    assert "uses the old titration spelling; write '1.5:7,3:7'" in page
    assert "<td>1.5:7,3:7</td>" in page and " mg × " not in page


def test_new_patient_form_messages(clin_a: tuple[TestClient, str]) -> None:
    client, csrf = clin_a
    r = client.post(
        "/patients/new",
        data={"code": "Jane Doe", "birth_year": "1850", "sex": "female", "csrf_token": csrf},
    )
    assert r.status_code == 422
    assert "do not use names" in r.text
    assert "birth year 1850 must lie between 1900" in r.text
    r = client.post(
        "/patients/new",
        data={"code": "P-0001", "birth_year": "1980", "sex": "female", "csrf_token": csrf},
    )
    assert r.status_code == 422
    assert "already exists" in r.text  # codes are unique per clinic
    r = client.post(
        "/patients/new",
        data={
            "code": "P-0100",
            "birth_year": "1980",
            "sex": "female",
            "conditions": ["ra", "ms"],
            "csrf_token": csrf,
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert "Patient P-0100 added." in client.get(r.headers["location"]).text


def test_side_effect_form(clin_a: tuple[TestClient, str], world: World) -> None:
    client, csrf = clin_a
    url = f"/patients/{world.patient_a}/adverse-events"
    data = {"event_type": "vivid_dreams", "severity": "mild", "csrf_token": csrf}
    r = client.post(url, data={**data, "onset_date": "2025-03-05", "end_date": "2025-03-01"})
    assert r.status_code == 422 and "is before onset_date" in r.text
    r = client.post(url, data={**data, "onset_date": "2025-03-05", "severity": "awful"})
    assert r.status_code == 422 and "&#39;mild&#39;" in r.text
    ok = client.post(url, data={**data, "onset_date": "2025-03-05"}, follow_redirects=False)
    assert ok.status_code == 303


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"scale": "das28", "value": 11, "assessed_on": "2025-01-01"}, "outside the scale"),
        ({"scale": "nope", "value": 1, "assessed_on": "2025-01-01"}, "nope"),
        ({"scale": "das28", "value": 3, "assessed_on": "1800-01-01"}, "outside 1900-01-01"),
        ({"scale": "das28", "value": "x", "assessed_on": "2025-01-01"}, "value"),
        ({"scale": "das28", "value": 3}, "assessed_on: Field required"),
        ({"scale": "das28", "value": 3, "assessed_on": "2025-01-01", "x": 1}, "x: Extra inputs"),
    ],
)
def test_api_assessment_validation(
    app: FastAPI, client: TestClient, world: World, body: dict[str, object], needle: str
) -> None:
    r = client.post(
        f"/api/v1/patients/{world.patient_a}/assessments",
        headers=bearer(app, world.clin_a.id),
        json=body,
    )
    assert r.status_code == 422
    assert needle in r.json()["detail"]


def test_api_dose_limits(app: FastAPI, client: TestClient, world: World) -> None:
    url = f"/api/v1/patients/{world.patient_a}/prescriptions"
    for dose in (0, -1, 10_000):
        r = client.post(
            url,
            headers=bearer(app, world.clin_a.id),
            json={"dose_mg": dose, "start_date": "2025-01-01"},
        )
        assert r.status_code == 422
        assert "dose_mg" in r.json()["detail"]


def test_api_not_found_ids_and_malformed_json(
    app: FastAPI, client: TestClient, world: World
) -> None:
    auth = bearer(app, world.admin.id)
    r = client.get("/api/v1/patients/999999", headers=auth)
    assert r.status_code == 404 and r.json()["detail"] == "patient 999999 not found"
    r = client.get(f"/api/v1/patients/{2**40}", headers=auth)
    assert r.status_code == 422 and "less than or equal to 2147483647" in r.json()["detail"]
    r = client.get("/api/v1/patients/abc", headers=auth)
    assert r.status_code == 422
    r = client.post(
        "/api/v1/patients", headers={**auth, "Content-Type": "application/json"}, content=b"{"
    )
    assert r.status_code == 422 and "JSON" in r.json()["detail"]


def test_stale_version_is_a_conflict(app: FastAPI, client: TestClient, world: World) -> None:
    auth = bearer(app, world.clin_a.id)
    url = f"/api/v1/patients/{world.patient_a}"
    version = client.get(url, headers=auth).json()["version"]
    first = client.patch(url, headers=auth, json={"birth_year": 1971, "version": version})
    assert first.status_code == 200
    second = client.patch(url, headers=auth, json={"birth_year": 1972, "version": version})
    assert second.status_code == 409
    assert "changed by someone else" in second.json()["detail"]


def test_import_rejects_whole_file_with_row_and_column(
    app: FastAPI, client: TestClient, world: World
) -> None:
    csv_text = (
        "record_type,patient_code,birth_year,sex,conditions,scale,value,assessed_on\n"
        "patient,P-0200,1970,female,ra,,,\n"
        "assessment,P-0200,,,,das28,15,2025-01-01\n"
        "patient,P-0201,1700,female,ra,,,\n"
    )
    auth = bearer(app, world.clin_a.id)
    r = client.post("/api/v1/import", headers=auth, files={"file": ("a.csv", csv_text)})
    assert r.status_code == 422
    body = r.json()
    assert body["detail"].startswith("import rejected, nothing was written")
    assert {(p["row"], p["column"]) for p in body["problems"]} >= {(3, "value"), (4, "birth_year")}
    listed = client.get("/api/v1/patients?q=P-02", headers=auth).json()
    assert listed["count"] == 0
    good = csv_text.replace(",15,", ",5.1,").replace("1700", "1971")
    r = client.post("/api/v1/import", headers=auth, files={"file": ("a.csv", good)})
    assert r.status_code == 200
    assert r.json()["created"] == {"patient": 2, "assessment": 1}


def test_import_page_lists_problems(clin_a: tuple[TestClient, str]) -> None:
    client, csrf = clin_a
    r = client.post(
        "/data/import",
        data={"csrf_token": csrf},
        files={"file": ("bad.csv", b"record_type,patient_code\nalien,P-1\n", "text/csv")},
    )
    assert r.status_code == 422
    assert "nothing was written" in r.text
    r = client.post(
        "/data/import",
        data={"csrf_token": csrf},
        files={"file": ("bin.csv", b"\xff\xfe\x00", "text/csv")},
    )
    assert r.status_code == 422 and "is not UTF-8 text" in r.text


OLD_SPELLING_CSV = (
    "record_type,patient_code,birth_year,sex,dose_mg,titration,start_date\n"
    "patient,P-0300,1970,female,,,\n"
    "prescription,P-0300,,,4.5,1.5x7;3x7;,2025-01-01\n"
    'prescription,P-0300,,,4.5,"1.5:7,3:7,",2025-03-01\n'
    "prescription,P-0300,,,3,0.5x3,2025-05-01\n"
)
NOTE_3 = (
    "titration '1.5x7;3x7;' uses the old titration spelling; write '1.5:7,3:7' "
    "(dose_mg:days steps, comma-separated)"
)


@pytest.mark.filterwarnings("error::FutureWarning")  # the note reaches the user, not stderr
def test_api_import_lists_a_note_per_row_in_an_old_spelling(
    app: FastAPI, client: TestClient, world: World
) -> None:
    auth = bearer(app, world.clin_a.id)
    r = client.post("/api/v1/import", headers=auth, files={"file": ("a.csv", OLD_SPELLING_CSV)})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["created"] == {"patient": 1, "prescription": 3} and body["total"] == 4
    assert [(n["row"], n["column"]) for n in body["notes"]] == [(3, "titration"), (5, "titration")]
    assert body["notes"][0]["message"] == NOTE_3
    assert "write '0.5:3'" in body["notes"][1]["message"]
    clean = OLD_SPELLING_CSV.replace("P-0300", "P-0301").replace("1.5x7;3x7;", '"1.5:7,3:7"')
    clean = clean.replace("0.5x3", "0.5:3")
    r = client.post("/api/v1/import", headers=auth, files={"file": ("b.csv", clean)})
    assert r.status_code == 200 and r.json()["notes"] == []


@pytest.mark.filterwarnings("error::FutureWarning")
def test_import_page_shows_a_note_per_row_in_an_old_spelling(
    clin_a: tuple[TestClient, str], world: World
) -> None:
    client, csrf = clin_a
    r = client.post(
        "/data/import",
        data={"csrf_token": csrf},
        files={"file": ("old.csv", OLD_SPELLING_CSV.encode(), "text/csv")},
    )
    assert r.status_code == 200, r.text
    page = r.text.replace("&#39;", "'")
    assert "Imported 4 records" in page
    assert "Imported, but 2 rows used an old spelling" in page
    notes = page.split('data-testid="import-notes"')[1].split("</table>")[0]
    assert f'<td class="num">3</td><td>titration</td><td>{NOTE_3}</td>' in notes
    assert '<td class="num">5</td>' in notes and "write '0.5:3'" in notes
    assert '<td class="num">4</td>' not in notes  # "1.5:7,3:7," is the new spelling


def test_import_schemas_keep_their_api_names(client: TestClient) -> None:
    """Clients generated from /openapi.json use these names: keep them (a review caught a
    change that renamed them after the registry's records)."""
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    for name in ("ImportProblem", "ImportNote"):
        assert set(schemas[name]["properties"]) == {"row", "column", "message"}
    assert schemas["ImportRejected"]["properties"]["problems"]["items"]["$ref"].endswith(
        "/ImportProblem"
    )
