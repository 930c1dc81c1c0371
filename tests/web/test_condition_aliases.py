"""The API and the web pages take any spelling of a condition and store its registry name."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from ldn.conditions import CONDITION_NAMES
from registry_fixtures import World

from .conftest import bearer


@pytest.fixture
def db_url(sqlite_url: str) -> str:
    """Validation and storage of names only: SQLite is enough."""
    return sqlite_url


def test_api_patient_create_stores_the_canonical_names(
    app: FastAPI, client: TestClient, world: World
) -> None:
    auth = bearer(app, world.clin_a.id)
    body = {"code": "P-77", "birth_year": 1970, "sex": "female"}
    r = client.post(
        "/api/v1/patients",
        headers=auth,
        json={**body, "conditions": ["lupus", "Crohn's disease", "FM", "other", "sle"]},
    )
    assert r.status_code == 201, r.text
    assert r.json()["conditions"] == ["crohns", "fibromyalgia", "other", "sle"]
    found = client.get("/api/v1/patients", headers=auth, params={"condition": "Lupus"})
    assert found.status_code == 200, found.text
    assert "P-77" in {p["code"] for p in found.json()["data"]}
    bad = client.post("/api/v1/patients", headers=auth, json={**body, "conditions": ["gout"]})
    assert bad.status_code == 422 and "'gout' is not one of" in bad.text


def test_openapi_lists_the_registry_names_as_the_enum(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    items = schemas["PatientCreate"]["properties"]["conditions"]["items"]
    assert items["enum"] == [*CONDITION_NAMES, "other"]
    assert items["type"] == "string"
