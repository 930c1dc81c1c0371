"""No blocking work on the event loop (issue 15, finding 5): a page form whose write waits for
SQLite's write lock (held here by another connection) does not stall other requests; the page
import runs in the threadpool too."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from ldn.registry.db import Registry
from ldn.registry.models import Assessment
from registry_fixtures import World

from .conftest import BASE_URL, page_login


@pytest.fixture
def db_url(sqlite_url: str) -> str:
    """SQLite's database-wide write lock is what a waiting write looks like: SQLite only."""
    return sqlite_url


def _hold_write_lock(registry: Registry) -> sqlite3.Connection:
    conn = sqlite3.connect(str(registry.engine.url.database), timeout=5, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")  # the write lock, until rollback
    return conn


def _post_in_thread(
    client: TestClient, url: str, data: dict[str, str]
) -> tuple[threading.Thread, dict[str, float]]:
    done: dict[str, float] = {}

    def post() -> None:
        r = client.post(url, data=data, follow_redirects=False)
        done["status"] = r.status_code
        done["at"] = time.monotonic()

    thread = threading.Thread(target=post)
    thread.start()
    return thread, done


def test_a_write_waiting_for_the_lock_does_not_stall_other_requests(
    app: FastAPI, world: World, registry: Registry
) -> None:
    with TestClient(app, base_url=BASE_URL) as client:  # one event loop for both requests
        csrf = page_login(client, "clin_a")
        holder = _hold_write_lock(registry)
        try:
            thread, done = _post_in_thread(
                client,
                f"/patients/{world.patient_a}/assessments",
                {"scale": "das28", "value": "4.1", "assessed_on": "2025-01-01", "csrf_token": csrf},
            )
            time.sleep(1.0)  # the form is now waiting for the write lock
            assert not done, "the write should still be waiting for the lock"
            # other requests, reads of the same database included, are answered meanwhile
            assert client.get("/patients").status_code == 200
            assert client.get("/api/v1/auth/me").status_code == 200
            assert client.get(f"/api/v1/patients/{world.patient_a}").status_code == 200
            answered_others = time.monotonic()
            assert not done, "the lock is still held, so the write cannot have finished"
        finally:
            holder.rollback()
            holder.close()
        thread.join(30)
    assert done["status"] == 303  # saved once the lock was free
    assert done["at"] > answered_others
    with registry.session() as s:
        assert s.scalar(select(func.count()).select_from(Assessment)) == 1


def test_a_page_import_waiting_for_the_lock_does_not_stall_others(
    app: FastAPI, world: World, registry: Registry
) -> None:
    header = "record_type,patient_code,birth_year,sex,scale,value,assessed_on\n"
    rows = "".join(
        f"assessment,P-0001,,,das28,{3 + i / 1000:.3f},2024-01-{1 + i % 28:02d}\n"
        for i in range(2000)
    )
    with TestClient(app, base_url=BASE_URL) as client:
        csrf = page_login(client, "clin_a")
        holder = _hold_write_lock(registry)
        done: dict[str, float] = {}

        def upload() -> None:
            r = client.post(
                "/data/import",
                files={"file": ("a.csv", (header + rows).encode(), "text/csv")},
                data={"csrf_token": csrf},
            )
            done["status"] = r.status_code

        thread = threading.Thread(target=upload)
        try:
            thread.start()
            time.sleep(1.0)
            assert client.get("/api/v1/auth/me").status_code == 200
            assert client.get("/patients").status_code == 200
            assert not done
        finally:
            holder.rollback()
            holder.close()
        thread.join(60)
    assert done["status"] == 200
    with registry.session() as s:
        assert s.scalar(select(func.count()).select_from(Assessment)) == 2000
