"""Login hardening (issue 15, findings 1, 7 and 8a): oversized login forms and JSON bodies are
refused before anything is read or counted, the throttle's memory stays bounded whatever
usernames arrive, password checks are gated, and every account state costs one hash check."""

from __future__ import annotations

import threading
import tracemalloc
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from ldn.registry import accounts, services
from ldn.registry.db import Registry
from ldn.registry.permissions import SYSTEM
from ldn.web.app import create_app
from ldn.web.auth import MAX_CREDENTIAL_CHARS
from ldn.web.limits import MAX_BODY_BYTES
from ldn.web.security import MAX_TRACKED_KEYS, LoginThrottle
from registry_fixtures import PASSWORD, World

from .conftest import BASE_URL, csrf_from, settings

pytestmark = pytest.mark.usefixtures("world")


@pytest.fixture
def db_url(sqlite_url: str) -> str:
    """HTTP and memory behaviour: SQLite only."""
    return sqlite_url


def _form_login(client: TestClient, username: str, password: str = "wrong-password") -> Any:
    token = csrf_from(client.get("/login").text)
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )


def test_megabyte_usernames_are_refused_before_reading(app: FastAPI, client: TestClient) -> None:
    # the probe: unique ~1 MiB usernames through the login form with a valid CSRF token
    for i in range(20):
        r = _form_login(client, f"{i}-" + "x" * (1024 * 1024))
        assert r.status_code == 413, r.text[:200]
    assert app.state.throttle.tracked_keys() == 0


def test_long_usernames_under_the_body_limit_are_422_and_not_counted(
    app: FastAPI, client: TestClient
) -> None:
    for name in ("u" * (MAX_CREDENTIAL_CHARS + 1), "v" * 30_000):
        r = _form_login(client, name)
        assert r.status_code == 422, r.text[:300]
        assert "1 to 256 characters" in r.text or "longer than" in r.text
    api = client.post("/api/v1/auth/token", json={"username": "w" * 300, "password": "x" * 10})
    assert api.status_code == 422  # the same limit on the API
    assert app.state.throttle.tracked_keys() == 0


def test_anonymous_large_json_body_is_413_before_auth(client: TestClient) -> None:
    big = b'{"code": "' + b"x" * (50 * 1024 * 1024) + b'"}'
    r = client.post("/api/v1/patients", content=big, headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    assert "larger than 64 KiB" in r.json()["detail"]

    def chunks() -> Any:  # no Content-Length: counted while streaming
        for _ in range(4):
            yield b" " * MAX_BODY_BYTES

    r = client.post(
        "/api/v1/patients", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 413


def test_throttle_memory_is_bounded_whatever_the_usernames() -> None:
    throttle = LoginThrottle(max_failures=5, window_s=900)
    tracemalloc.start()
    base, _ = tracemalloc.get_traced_memory()
    for i in range(2 * MAX_TRACKED_KEYS):
        name = f"{i}-" + "y" * MAX_CREDENTIAL_CHARS
        throttle.record_failure(LoginThrottle.key(name, f"10.0.{i % 250}.{i % 7}"))
    used, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert throttle.tracked_keys() == MAX_TRACKED_KEYS
    assert used - base < 16 * 1024 * 1024  # ~1 kB per key at most
    # a key never holds more than the limit, however often it fails
    key = LoginThrottle.key("alice", "1.2.3.4")
    for _ in range(1000):
        throttle.record_failure(key)
    assert len(throttle._failures[key]) == 5


def test_one_address_is_throttled_across_usernames(client: TestClient) -> None:
    for i in range(50):
        r = client.post("/api/v1/auth/token", json={"username": f"nobody{i}", "password": "x"})
        assert r.status_code == 401
    r = client.post("/api/v1/auth/token", json={"username": "admin", "password": PASSWORD})
    assert r.status_code == 429
    assert "retry-after" in r.headers


def test_password_checks_are_gated(registry: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    app = create_app(settings(login_concurrency=2, login_queue=1), registry=registry)
    release = threading.Event()
    real = services.authenticate

    def slow_authenticate(**kwargs: Any) -> Any:
        release.wait(20)
        return real(**kwargs)

    monkeypatch.setattr(services, "authenticate", slow_authenticate)
    statuses: list[int] = []
    lock = threading.Lock()
    with TestClient(app, base_url=BASE_URL) as client:

        def attempt(i: int) -> None:
            r = client.post(
                "/api/v1/auth/token", json={"username": f"user{i}", "password": "wrong-pw"}
            )
            with lock:
                statuses.append(r.status_code)

        threads = [threading.Thread(target=attempt, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for _ in range(200):  # the five beyond 2 running + 1 waiting are turned away at once
            with lock:
                if len(statuses) >= 5:
                    break
            threading.Event().wait(0.05)
        with lock:
            early = list(statuses)
        release.set()
        for t in threads:
            t.join(30)
    assert early == [503] * 5
    assert sorted(statuses) == [401, 401, 401, 503, 503, 503, 503, 503]
    assert app.state.hash_gate.peak == 2


def test_every_account_state_costs_one_hash_check(
    app: FastAPI,
    client: TestClient,
    registry: Registry,
    world: World,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with registry.session() as s:
        services.update_user(
            session=s, actor=SYSTEM, user_id=world.clin_b.id, data={"active": False}
        )
    checked: list[str] = []
    real = accounts.verify_password

    def spy(password_hash: str, plain: str) -> bool:
        checked.append(password_hash.rsplit("$", 2)[0])  # algorithm and parameters
        return real(password_hash, plain)

    monkeypatch.setattr(accounts, "verify_password", spy)
    cases = {
        "unknown": ("no-such-user", PASSWORD, 401),
        "switched off, right password": ("clin_b", PASSWORD, 401),
        "wrong password": ("clin_a", "wrong-password", 401),
        "right password": ("researcher", PASSWORD, 200),
    }
    for username, password, status in cases.values():
        before = len(checked)
        r = client.post("/api/v1/auth/token", json={"username": username, "password": password})
        assert r.status_code == status
        assert len(checked) == before + 1
    assert len(set(checked)) == 1  # the same argon2 parameters every time
