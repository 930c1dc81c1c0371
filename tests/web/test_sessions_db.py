"""Server-side sessions (issue 15, finding 2): a cookie or token copied before logout, a
password change or switching the account off is refused afterwards; sessions survive a
restart of the app; an expired session is refused. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from ldn.registry import services
from ldn.registry.db import Registry
from ldn.registry.models import WebSession, utcnow
from ldn.registry.permissions import SYSTEM
from ldn.web.app import SESSION_COOKIE, create_app
from registry_fixtures import World

from .conftest import BASE_URL, bearer, page_login, settings


def _copy_of_cookie(client: TestClient) -> str:
    return str(client.cookies[SESSION_COOKIE])


def _replay(app: FastAPI, cookie: str) -> tuple[int, int]:
    """(GET /patients, GET /api/v1/auth/me) with a copied session cookie."""
    with TestClient(app, base_url=BASE_URL) as other:
        other.cookies.set(SESSION_COOKIE, cookie)
        page = other.get("/patients", follow_redirects=False).status_code
        api = other.get("/api/v1/auth/me").status_code
    return page, api


def _sessions(registry: Registry, user_id: int) -> int:
    with registry.session() as s:
        stmt = select(func.count()).select_from(WebSession).where(WebSession.user_id == user_id)
        return int(s.scalar(stmt) or 0)


def test_logout_ends_copied_cookies_and_tokens(app: FastAPI, world: World) -> None:
    token = bearer(app, world.clin_a.id)
    with TestClient(app, base_url=BASE_URL) as client:
        csrf = page_login(client, "clin_a")
        copied = _copy_of_cookie(client)
        assert _replay(app, copied) == (200, 200)
        assert client.get("/api/v1/auth/me", headers=token).status_code == 200
        r = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
        assert r.status_code == 303
        assert client.get("/api/v1/auth/me", headers=token).status_code == 401
    assert _replay(app, copied) == (303, 401)


def test_api_logout_ends_every_session(app: FastAPI, world: World, registry: Registry) -> None:
    with TestClient(app, base_url=BASE_URL) as client:
        page_login(client, "clin_a")
        copied = _copy_of_cookie(client)
        token = bearer(app, world.clin_a.id)
        assert client.post("/api/v1/auth/logout", headers=token).status_code == 204
        assert client.get("/api/v1/auth/me", headers=token).status_code == 401
    assert _replay(app, copied) == (303, 401)
    assert _sessions(registry, world.clin_a.id) == 0


def test_password_change_ends_cookies_and_tokens(
    app: FastAPI, world: World, registry: Registry
) -> None:
    token = bearer(app, world.clin_a.id)
    with TestClient(app, base_url=BASE_URL) as client:
        page_login(client, "clin_a")
        copied = _copy_of_cookie(client)
        assert client.get("/api/v1/auth/me", headers=token).status_code == 200
    with registry.session() as s:
        services.update_user(
            session=s, actor=SYSTEM, user_id=world.clin_a.id, data={"password": "a-new-pass-1"}
        )
    assert _replay(app, copied) == (303, 401)
    with TestClient(app, base_url=BASE_URL) as client:
        assert client.get("/api/v1/auth/me", headers=token).status_code == 401
    assert _sessions(registry, world.clin_a.id) == 0
    # other users keep theirs
    with TestClient(app, base_url=BASE_URL) as client:
        assert (
            client.get("/api/v1/auth/me", headers=bearer(app, world.clin_b.id)).status_code == 200
        )


def test_switching_an_account_off_ends_its_sessions(
    app: FastAPI, world: World, registry: Registry
) -> None:
    token = bearer(app, world.researcher.id)
    with registry.session() as s:
        services.update_user(
            session=s, actor=SYSTEM, user_id=world.researcher.id, data={"active": False}
        )
    assert _sessions(registry, world.researcher.id) == 0
    with registry.session() as s:  # switched on again: the old token stays dead
        services.update_user(
            session=s, actor=SYSTEM, user_id=world.researcher.id, data={"active": True}
        )
    with TestClient(app, base_url=BASE_URL) as client:
        assert client.get("/api/v1/auth/me", headers=token).status_code == 401


def test_sessions_survive_a_restart_and_are_shared(registry: Registry, world: World) -> None:
    first = create_app(settings(), registry=registry)
    with TestClient(first, base_url=BASE_URL) as client:
        page_login(client, "clin_a")
        copied = _copy_of_cookie(client)
    token = bearer(first, world.admin.id)
    second = create_app(settings(), registry=registry)  # a restart, or another worker
    assert _replay(second, copied) == (200, 200)
    with TestClient(second, base_url=BASE_URL) as client:
        assert client.get("/api/v1/auth/me", headers=token).json()["username"] == "admin"


def test_expired_sessions_are_refused_and_purged(
    app: FastAPI, world: World, registry: Registry
) -> None:
    token = bearer(app, world.clin_b.id)
    with registry.session() as s:
        s.execute(update(WebSession).values(expires_at=utcnow() - timedelta(seconds=1)))
        s.commit()
    with TestClient(app, base_url=BASE_URL) as client:
        assert client.get("/api/v1/auth/me", headers=token).status_code == 401
    bearer(app, world.admin.id)  # a new login deletes expired rows
    assert _sessions(registry, world.clin_b.id) == 0


def test_token_login_reports_the_stated_lifetime(app: FastAPI, world: World) -> None:
    with TestClient(app, base_url=BASE_URL) as client:
        r = client.post(
            "/api/v1/auth/token", json={"username": "admin", "password": "correct-horse-battery"}
        )
    assert r.status_code == 200
    assert r.json()["expires_in_s"] == 8 * 3600
