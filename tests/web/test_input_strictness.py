"""Lower findings of issue 15 (8): control characters and booleans-as-numbers are refused,
another clinic's ids answer 404 like missing ones, and patient data carry no-store; on
SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from ldn.errors import InputError
from ldn.registry.schemas import AssessmentCreate, UserUpdate, parse
from registry_fixtures import World

from .conftest import BASE_URL, bearer, page_login, seed_course


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        (
            {"scale": "das28", "value": 4, "assessed_on": "2025-01-01", "notes": "x\x1b[2Jy"},
            "U+001B",
        ),
        (
            {"scale": "das28", "value": 4, "assessed_on": "2025-01-01", "notes": "bell\x07"},
            "U+0007",
        ),
        ({"scale": "das28", "value": 4, "assessed_on": "2025-01-01", "notes": "c1\x9b"}, "U+009B"),
        ({"scale": "das28", "value": True, "assessed_on": "2025-01-01"}, "true/false"),
    ],
)
def test_api_refuses_control_characters_and_booleans(
    app: FastAPI, world: World, body: dict[str, Any], needle: str
) -> None:
    with TestClient(app, base_url=BASE_URL) as client:
        r = client.post(
            f"/api/v1/patients/{world.patient_a}/assessments",
            headers=bearer(app, world.clin_a.id),
            json=body,
        )
    assert r.status_code == 422, r.text
    assert needle in r.json()["detail"]


def test_forms_refuse_control_characters(app: FastAPI, world: World) -> None:
    with TestClient(app, base_url=BASE_URL) as client:
        csrf = page_login(client, "clin_a")
        r = client.post(
            f"/patients/{world.patient_a}/assessments",
            data={
                "scale": "das28",
                "value": "4",
                "assessed_on": "2025-01-01",
                "notes": "\x1b]0;owned\x07",
                "csrf_token": csrf,
            },
        )
    assert r.status_code == 422
    assert "control character" in r.text


def test_schemas_are_strict_about_booleans() -> None:
    for bad in (1, 0, "true", "yes"):
        with pytest.raises(InputError, match="active: give true or false"):
            parse(UserUpdate, {"active": bad})
    assert parse(UserUpdate, {"active": False}).active is False
    with pytest.raises(InputError, match="value: true/false is not a valid value"):
        parse(AssessmentCreate, {"scale": "das28", "value": False, "assessed_on": "2025-01-01"})
    ok = parse(AssessmentCreate, {"scale": "das28", "value": 3, "assessed_on": "2025-01-01"})
    assert ok.notes is None and ok.value == 3.0


def test_other_clinics_ids_look_missing(app: FastAPI, world: World, registry: Any) -> None:
    seed_course(registry, world.patient_a)
    other = bearer(app, world.clin_b.id)
    with TestClient(app, base_url=BASE_URL) as client:
        mine = client.get(
            f"/api/v1/patients/{world.patient_a}/assessments", headers=bearer(app, world.clin_a.id)
        ).json()["data"][0]["id"]
        missing = 2**31 - 2
        for exists, absent in [
            (f"/api/v1/patients/{world.patient_a}", f"/api/v1/patients/{missing}"),
            (f"/api/v1/assessments/{mine}", f"/api/v1/assessments/{missing}"),
        ]:
            a = client.patch(exists, headers=other, json={})
            b = client.patch(absent, headers=other, json={})
            assert a.status_code == b.status_code == 404
            assert a.json()["detail"].replace(str(world.patient_a), "N").replace(
                str(mine), "N"
            ) == b.json()["detail"].replace(str(missing), "N")


def test_patient_data_are_not_stored_by_caches(app: FastAPI, world: World) -> None:
    with TestClient(app, base_url=BASE_URL) as client:
        page_login(client, "clin_a")
        for url in (
            f"/patients/{world.patient_a}",
            "/patients",
            f"/api/v1/patients/{world.patient_a}",
            f"/patients/{world.patient_a}/fhir.json",
            "/data/export.csv",
            "/cohort",
        ):
            r = client.get(url)
            assert r.status_code == 200, url
            assert r.headers["cache-control"] == "no-store", url
        assert "no-store" not in client.get("/static/app.css").headers.get("cache-control", "")
