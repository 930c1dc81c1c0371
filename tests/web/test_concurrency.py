"""Concurrent writes through the API lose nothing, and concurrent edits of one row conflict."""

from __future__ import annotations

import threading
from datetime import date, timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from ldn.registry.db import Registry
from ldn.registry.models import Assessment, AuditLog
from registry_fixtures import World

from .conftest import BASE_URL, bearer

THREADS = 8
PER_THREAD = 10


def _run(workers: list[threading.Thread]) -> None:
    for t in workers:
        t.start()
    for t in workers:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in workers)


def test_concurrent_assessments_all_saved(app: FastAPI, registry: Registry, world: World) -> None:
    statuses: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def worker(k: int) -> None:
        user = world.clin_a.id if k % 2 else world.admin.id
        with TestClient(app, base_url=BASE_URL) as c:
            start.wait()
            for i in range(PER_THREAD):
                r = c.post(
                    f"/api/v1/patients/{world.patient_a}/assessments",
                    headers=bearer(app, user),
                    json={
                        "scale": "das28",
                        "value": 3 + 0.01 * i,
                        "assessed_on": (date(2024, 1, 1) + timedelta(days=k * 100 + i)).isoformat(),
                    },
                )
                with lock:
                    statuses.append(r.status_code)

    _run([threading.Thread(target=worker, args=(k,)) for k in range(THREADS)])
    assert statuses.count(201) == THREADS * PER_THREAD, sorted(set(statuses))
    with registry.session() as s:
        n_rows = s.scalar(select(func.count()).select_from(Assessment))
        n_audit = s.scalar(
            select(func.count()).select_from(AuditLog).where(AuditLog.entity == "assessment")
        )
    assert n_rows == THREADS * PER_THREAD
    assert n_audit == THREADS * PER_THREAD


def test_concurrent_edits_of_one_row_one_wins(app: FastAPI, world: World) -> None:
    url = f"/api/v1/patients/{world.patient_a}"
    auth = bearer(app, world.clin_a.id)
    with TestClient(app, base_url=BASE_URL) as c:
        version = c.get(url, headers=auth).json()["version"]
    statuses: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def worker(k: int) -> None:
        with TestClient(app, base_url=BASE_URL) as c:
            start.wait()
            r = c.patch(url, headers=auth, json={"birth_year": 1950 + k, "version": version})
            with lock:
                statuses.append(r.status_code)

    _run([threading.Thread(target=worker, args=(k,)) for k in range(THREADS)])
    assert statuses.count(200) == 1, statuses
    assert statuses.count(409) == THREADS - 1, statuses
    with TestClient(app, base_url=BASE_URL) as c:
        assert c.get(url, headers=auth).json()["version"] == version + 1
