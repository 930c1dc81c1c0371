"""The token → user cache: reused within its age, dropped at once when the account changes
through the registry services or the user logs out, and never older than `max_age_s`."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update

from ldn.registry import services
from ldn.registry.db import Registry
from ldn.registry.models import User
from ldn.registry.permissions import SYSTEM
from ldn.web.user_cache import CachedUser, UserCache
from registry_fixtures import World

from .conftest import BASE_URL, bearer, page_login


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _user(uid: int = 1, *, active: bool = True) -> CachedUser:
    return CachedUser(
        id=uid, username=f"u{uid}", role="clinician", clinic_id=1, active=active, version=1
    )


def test_entries_expire_and_inactive_users_are_not_kept() -> None:
    clock = _Clock()
    cache = UserCache(5.0, clock=clock)
    cache.put(_user(1))
    cache.put(_user(2, active=False))
    assert cache.get(1) == _user(1)
    assert cache.get(2) is None
    clock.now = 4.9
    assert cache.get(1) is not None
    clock.now = 5.0
    assert cache.get(1) is None and len(cache) == 0
    off = UserCache(0.0, clock=clock)
    off.put(_user(1))
    assert off.get(1) is None
    cache.put(_user(3))
    cache.forget(3)
    assert cache.get(3) is None


def test_deactivation_and_role_change_apply_to_the_next_request(
    app: FastAPI, world: World, registry: Registry
) -> None:
    auth = bearer(app, world.clin_a.id)  # type: ignore[arg-type]
    body = {"code": "P-77", "birth_year": 1980, "sex": "female"}
    with TestClient(app, base_url=BASE_URL) as client:
        assert client.get("/api/v1/auth/me", headers=auth).json()["role"] == "clinician"
        assert app.state.user_cache.get(world.clin_a.id) is not None  # now cached
        with registry.session() as s:
            services.update_user(
                session=s, actor=SYSTEM, user_id=world.clin_a.id, data={"role": "researcher"}
            )
        assert client.get("/api/v1/auth/me", headers=auth).json()["role"] == "researcher"
        assert client.post("/api/v1/patients", headers=auth, json=body).status_code == 403
        with registry.session() as s:
            services.update_user(
                session=s, actor=SYSTEM, user_id=world.clin_a.id, data={"active": False}
            )
        assert client.get("/api/v1/auth/me", headers=auth).status_code == 401
        assert client.get("/api/v1/patients", headers=auth).status_code == 401


def test_changes_outside_the_orm_are_seen_within_max_age(
    app: FastAPI, world: World, registry: Registry
) -> None:
    clock = _Clock()
    app.state.user_cache = UserCache(5.0, clock=clock)
    auth = bearer(app, world.researcher.id)  # type: ignore[arg-type]
    with TestClient(app, base_url=BASE_URL) as client:
        assert client.get("/api/v1/auth/me", headers=auth).status_code == 200
        with registry.engine.begin() as conn:  # plain SQL: no ORM event tells the cache
            conn.execute(update(User).where(User.id == world.researcher.id).values(active=False))
        clock.now = 4.0
        assert client.get("/api/v1/auth/me", headers=auth).status_code == 200  # documented lag
        clock.now = 5.0
        assert client.get("/api/v1/auth/me", headers=auth).status_code == 401


def test_logout_forgets_the_user(app: FastAPI, world: World) -> None:
    with TestClient(app, base_url=BASE_URL) as client:
        csrf = page_login(client, "clin_a")
        assert app.state.user_cache.get(world.clin_a.id) is not None
        r = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
        assert r.status_code == 303
        assert app.state.user_cache.get(world.clin_a.id) is None
        assert client.get("/api/v1/auth/me").status_code == 401
