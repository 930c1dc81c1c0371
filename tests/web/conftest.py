"""Fixtures for the web tests: the app on the registry fixtures' database, clients per role.

Reuses tests/registry_fixtures.py (fresh migrated SQLite per test; PostgreSQL when reachable):
`world` gives clinics A and B, users admin / clin_a / clin_b / researcher with password
`PASSWORD`, and one patient per clinic.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from ldn.registry import services
from ldn.registry.db import Registry
from ldn.registry.permissions import SYSTEM
from ldn.web.app import create_app
from ldn.web.config import WebSettings
from registry_fixtures import *  # noqa: F403
from registry_fixtures import PASSWORD, World

SECRET = "test-secret-key-that-is-long-enough-0123456789"
BASE_URL = "https://testserver"  # the session cookie is Secure, so the client speaks https
_CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def settings(**overrides: object) -> WebSettings:
    """Settings of a test app (fixed secret, no environment lookups that matter)."""
    values: dict[str, object] = {"secret_key": SECRET, "environment": "development"}
    values.update(overrides)
    return WebSettings(**values)  # type: ignore[arg-type]


@pytest.fixture
def app(registry: Registry) -> FastAPI:
    """The web app on the test's registry database."""
    return create_app(settings(), registry=registry)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """An anonymous client."""
    with TestClient(app, base_url=BASE_URL) as c:
        yield c


def csrf_from(html: str) -> str:
    """The CSRF token in a rendered page's forms."""
    match = _CSRF_RE.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def page_login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Log in through the form; returns the session's CSRF token."""
    token = csrf_from(client.get("/login").text)
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return csrf_from(client.get("/patients").text)


def bearer(app: FastAPI, user_id: int) -> dict[str, str]:
    """Authorization header of a token for `user_id` (issued directly, no password check)."""
    return {"Authorization": f"Bearer {app.state.tokens.issue(user_id)}"}


def seed_course(
    registry: Registry, patient_id: int, *, n_before: int = 4, n_after: int = 5
) -> None:
    """A 4.5 mg prescription and DAS28 assessments before and after it (enough for N-of-1)."""
    start = date(2025, 3, 1)
    with registry.session() as s:
        services.add_prescription(
            session=s,
            actor=SYSTEM,
            patient_id=patient_id,
            data={"dose_mg": 4.5, "clock_time": "22:00", "start_date": start},
        )
        for i in range(n_before):
            services.add_assessment(
                session=s,
                actor=SYSTEM,
                patient_id=patient_id,
                data={
                    "scale": "das28",
                    "value": 5.6 - 0.05 * i,
                    "assessed_on": start - timedelta(days=28 * (n_before - i)),
                },
            )
        for i in range(n_after):
            services.add_assessment(
                session=s,
                actor=SYSTEM,
                patient_id=patient_id,
                data={
                    "scale": "das28",
                    "value": 4.3 - 0.1 * i,
                    "assessed_on": start + timedelta(days=28 * (i + 1)),
                },
            )


__all__ = ["PASSWORD", "World"]
