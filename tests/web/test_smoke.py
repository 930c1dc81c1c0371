"""First contact: login page, API login, patient page renders with the N-of-1 result."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from ldn.registry.db import Registry
from registry_fixtures import PASSWORD, World

from .conftest import page_login, seed_course


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
