"""First contact: API login, the patient page with its plots, the cohort dashboard."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from ldn.registry.db import Registry
from registry_fixtures import PASSWORD, World

from .conftest import bearer, page_login, seed_course


@pytest.fixture
def db_url(sqlite_url: str) -> str:
    return sqlite_url


def test_api_token_login_and_me(client: TestClient, world: World) -> None:
    r = client.post("/api/v1/auth/token", json={"username": "clin_a", "password": PASSWORD})
    assert r.status_code == 200, r.text
    token = r.json()["access_token"]
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["username"] == "clin_a"


def test_patient_page_shows_timeline_and_n_of_1(
    client: TestClient, app: FastAPI, registry: Registry, world: World
) -> None:
    seed_course(registry, world.patient_a)
    page_login(client, "clin_a")
    page = client.get(f"/patients/{world.patient_a}")
    assert page.status_code == 200, page.text
    assert "Regimen timeline" in page.text
    assert "P(improvement ≥ MID)" in page.text
    for path in ("timeline.png", "n-of-1.png?scale=das28"):
        img = client.get(f"/patients/{world.patient_a}/{path}")
        assert img.status_code == 200
        assert img.headers["content-type"] == "image/png"
        assert img.content.startswith(b"\x89PNG")


def test_cohort_dashboard_and_summary(
    client: TestClient, app: FastAPI, registry: Registry, world: World
) -> None:
    seed_course(registry, world.patient_a)
    page_login(client, "clin_a")
    page = client.get("/cohort")
    assert page.status_code == 200
    assert '<div class="stat">1</div><div class="muted">patient × scale series' in page.text
    assert "data:image/png;base64," in page.text
    api = client.get("/api/v1/cohort/summary", headers=bearer(app, world.admin.id)).json()
    assert api["n_patients"] == 2
    assert {row["scale"] for row in api["side_by_side"]} == {"das28"}


def test_empty_cohort_is_a_message_not_an_error(
    client: TestClient, app: FastAPI, world: World
) -> None:
    r = client.get("/api/v1/cohort/summary", headers=bearer(app, world.clin_b.id))
    assert r.status_code == 200
    assert r.json()["message"] and r.json()["responders"] == []
    page_login(client, "clin_b")
    assert client.get("/cohort").status_code == 200


def test_n_of_1_api_fhir_and_api_index(
    client: TestClient, app: FastAPI, registry: Registry, world: World
) -> None:
    seed_course(registry, world.patient_a)
    auth = bearer(app, world.clin_a.id)
    result = client.get(f"/api/v1/patients/{world.patient_a}/n-of-1", headers=auth).json()
    assert result["scale"] == "das28" and result["evaluable"] is True
    assert result["n_off"] == 4 and result["n_on"] == 5
    assert 0.0 <= result["p_improvement_ge_mid"] <= 1.0
    assert result["delta_ci95_low"] < result["delta_mean"] < result["delta_ci95_high"]
    fhir = client.get(f"/api/v1/patients/{world.patient_a}/fhir", headers=auth)
    assert fhir.headers["content-type"].startswith("application/fhir+json")
    kinds = {e["resource"]["resourceType"] for e in fhir.json()["entry"]}
    assert {"Patient", "MedicationRequest", "Observation"} <= kinds
    page_login(client, "clin_a")
    index = client.get("/api")
    assert "POST" in index.text and "/api/v1/patients/{patient_id}/assessments" in index.text
