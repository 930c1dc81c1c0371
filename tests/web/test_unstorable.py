"""Values that pass validation but that a database driver refuses give 422, never 500."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from registry_fixtures import World

from .conftest import BASE_URL, bearer


def test_nul_byte_and_huge_ids_are_4xx(app: FastAPI, world: World) -> None:
    auth = bearer(app, world.admin.id)
    with TestClient(app, base_url=BASE_URL, raise_server_exceptions=False) as client:
        nul = client.post(
            f"/api/v1/patients/{world.patient_a}/assessments",
            headers=auth,
            json={"scale": "das28", "value": 3, "assessed_on": "2025-01-01", "notes": "a\x00b"},
        )
        huge = client.post(
            f"/api/v1/patients/{world.patient_a}/adverse-events",
            headers=auth,
            json={
                "event_type": "headache",
                "severity": "mild",
                "onset_date": "2025-01-01",
                "prescription_id": 2**70,
            },
        )
        patient = client.post(
            "/api/v1/patients",
            headers=auth,
            json={"code": "P-9", "birth_year": 1970, "sex": "male", "clinic_id": 2**65},
        )
    # SQLite stores a NUL byte in text; PostgreSQL refuses it: that must be a 422, not a 500
    assert nul.status_code in (201, 422), nul.text
    if nul.status_code == 422:
        assert "NUL" in nul.json()["detail"]
    for r in (huge, patient):
        assert 400 <= r.status_code < 500, r.text
        assert r.json()["detail"]
