"""Sessions, CSRF, login throttling, cookie flags, security headers and 4xx messages."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from ldn.registry.db import Registry
from ldn.web.app import SESSION_COOKIE, create_app
from registry_fixtures import PASSWORD, World

from .conftest import bearer, csrf_from, page_login, settings

pytestmark = pytest.mark.usefixtures("world")


@pytest.fixture
def db_url(sqlite_url: str) -> str:
    """These checks are about HTTP, not the database: SQLite only."""
    return sqlite_url


def _set_cookie(response: object) -> str:
    values = response.headers.get_list("set-cookie")  # type: ignore[attr-defined]
    cookie = [v for v in values if v.startswith(f"{SESSION_COOKIE}=")]
    assert cookie, f"no {SESSION_COOKIE} cookie set"
    return cookie[-1]


def test_session_cookie_is_httponly_secure_lax(client: TestClient) -> None:
    token = csrf_from(client.get("/login").text)
    r = client.post(
        "/login",
        data={"username": "clin_a", "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303
    flags = [part.strip().lower() for part in _set_cookie(r).split(";")]
    assert "httponly" in flags and "secure" in flags and "samesite=lax" in flags
    assert "path=/" in flags


def test_secure_flag_can_be_switched_off_for_plain_http(registry: Registry) -> None:
    app = create_app(settings(cookie_secure=False), registry=registry)
    with TestClient(app, base_url="http://testserver") as c:
        flags = [p.strip().lower() for p in _set_cookie(c.get("/login")).split(";")]
    assert "secure" not in flags and "httponly" in flags


def test_login_rotates_csrf_and_logout_ends_session(client: TestClient) -> None:
    before = csrf_from(client.get("/login").text)
    after = page_login(client, "clin_a")
    assert after != before
    assert client.get("/patients", follow_redirects=False).status_code == 200
    r = client.post("/logout", data={"csrf_token": after}, follow_redirects=False)
    assert r.status_code == 303
    assert client.get("/patients", follow_redirects=False).status_code == 303


def test_tampered_session_cookie_is_ignored(client: TestClient) -> None:
    page_login(client, "clin_a")
    value = client.cookies[SESSION_COOKIE]
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, value[:-3] + "abc")
    r = client.get("/patients", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_login_form_without_csrf_is_refused(client: TestClient) -> None:
    client.get("/login")
    r = client.post("/login", data={"username": "clin_a", "password": PASSWORD})
    assert r.status_code == 403
    assert "CSRF check failed" in r.text


def test_page_form_with_wrong_csrf_is_refused(client: TestClient, world: World) -> None:
    page_login(client, "clin_a")
    r = client.post(
        f"/patients/{world.patient_a}/assessments",
        data={"scale": "das28", "value": "4", "assessed_on": "2025-01-01", "csrf_token": "x"},
    )
    assert r.status_code == 403
    assert "reload the page" in r.text


def test_api_with_session_cookie_needs_csrf_header(client: TestClient, world: World) -> None:
    token = page_login(client, "clin_a")
    url = f"/api/v1/patients/{world.patient_a}/assessments"
    body = {"scale": "das28", "value": 4.0, "assessed_on": "2025-01-01"}
    refused = client.post(url, json=body)
    assert refused.status_code == 403
    assert "X-CSRF-Token" in refused.json()["detail"]
    assert client.post(url, json=body, headers={"X-CSRF-Token": token}).status_code == 201
    assert client.get(url).status_code == 200  # reads need no token


def test_bearer_token_needs_no_csrf(app: FastAPI, client: TestClient, world: World) -> None:
    r = client.post(
        f"/api/v1/patients/{world.patient_a}/assessments",
        headers=bearer(app, world.clin_a.id),
        json={"scale": "das28", "value": 4.0, "assessed_on": "2025-01-01"},
    )
    assert r.status_code == 201


@pytest.mark.parametrize("header", ["Bearer nonsense", "Bearer ", "Basic abc", "Bearer a.b.c"])
def test_bad_tokens_get_401(client: TestClient, header: str) -> None:
    r = client.get("/api/v1/patients", headers={"Authorization": header})
    assert r.status_code == 401
    assert "POST /api/v1/auth/token" in r.json()["detail"]
    assert r.headers["www-authenticate"] == "Bearer"


def test_throttle_after_five_failures_even_for_right_password(client: TestClient) -> None:
    for _ in range(5):
        r = client.post("/api/v1/auth/token", json={"username": "clin_a", "password": "wrong-pw"})
        assert r.status_code == 401
        assert r.json()["detail"].startswith("unknown username or wrong password")
    r = client.post("/api/v1/auth/token", json={"username": "clin_a", "password": PASSWORD})
    assert r.status_code == 429
    assert 0 < int(r.headers["retry-after"]) <= 15 * 60
    assert "too many failed logins for 'clin_a'" in r.json()["detail"]
    other = client.post("/api/v1/auth/token", json={"username": "clin_b", "password": PASSWORD})
    assert other.status_code == 200  # the count is per username and address


def test_throttle_applies_to_the_login_page(client: TestClient) -> None:
    for _ in range(5):
        token = csrf_from(client.get("/login").text)
        r = client.post(
            "/login", data={"username": "clin_a", "password": "nope", "csrf_token": token}
        )
        assert r.status_code == 401
        assert "unknown username or wrong password" in r.text
    token = csrf_from(client.get("/login").text)
    r = client.post(
        "/login", data={"username": "clin_a", "password": PASSWORD, "csrf_token": token}
    )
    assert r.status_code == 429
    assert "retry-after" in r.headers
    assert "too many failed logins" in r.text


def test_success_resets_the_failure_count(client: TestClient) -> None:
    for _ in range(4):
        client.post("/api/v1/auth/token", json={"username": "clin_a", "password": "wrong-pw"})
    ok = client.post("/api/v1/auth/token", json={"username": "clin_a", "password": PASSWORD})
    assert ok.status_code == 200
    for _ in range(4):
        r = client.post("/api/v1/auth/token", json={"username": "clin_a", "password": "wrong-pw"})
        assert r.status_code == 401


def test_open_redirect_after_login_is_refused(client: TestClient) -> None:
    token = csrf_from(client.get("/login?next=//evil.example/x").text)
    r = client.post(
        "/login",
        data={
            "username": "clin_a",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "//evil.example/x",
        },
        follow_redirects=False,
    )
    assert r.headers["location"] == "/patients"


def test_pages_carry_security_headers(client: TestClient) -> None:
    r = client.get("/login")
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'self'" in r.headers["content-security-policy"]


def test_anonymous_page_redirects_to_login_with_next(client: TestClient, world: World) -> None:
    r = client.get(f"/patients/{world.patient_a}", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == f"/login?next=%2Fpatients%2F{world.patient_a}"


def test_passwords_are_stored_as_argon2(registry: Registry) -> None:
    from sqlalchemy import select

    from ldn.registry.models import User

    with registry.session() as s:
        hashes = list(s.scalars(select(User.password_hash)))
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)
    assert all(PASSWORD not in h for h in hashes)
