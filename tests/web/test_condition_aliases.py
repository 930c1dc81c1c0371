"""The API and the web pages take any spelling of a condition and store its registry name."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from ldn.conditions import CONDITION_NAMES
from registry_fixtures import World

from .conftest import bearer, page_login


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


def test_patient_list_page_says_when_the_condition_is_unknown(
    client: TestClient, world: World
) -> None:
    """An unknown filter is a message (422) and no list, never every patient; aliases work."""
    page_login(client, "clin_a")
    bad = client.get("/patients", params={"condition": "bogus"})
    assert bad.status_code == 422
    text = bad.text.replace("&#39;", "'")
    assert "condition 'bogus' is not one of" in text and 'role="alert"' in text
    assert "No patients match." in text and "/patients/" + str(world.patient_a) not in text
    for spelling in ("lupus", "SLE", "sle"):
        ok = client.get("/patients", params={"condition": spelling})
        assert ok.status_code == 200, ok.text
        assert '<option value="sle" selected>' in ok.text and "is not one of" not in ok.text
    assert client.get("/patients", params={"condition": ""}).status_code == 200
