"""Races end in 409, never 500 (issue 15, finding 4), on SQLite and PostgreSQL: concurrent
creates of one patient code, concurrent renames to one code, records added while their patient
is deleted. And every registry write goes through the one audited write path."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ldn.registry._common import conflict_message
from ldn.registry.db import Registry
from ldn.registry.models import AuditLog, Patient
from registry_fixtures import World

from .conftest import BASE_URL, bearer

THREADS = 10


def _race(app: FastAPI, calls: list[Callable[[TestClient], int]]) -> list[int]:
    statuses: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(len(calls))

    def run(call: Callable[[TestClient], int]) -> None:
        with TestClient(app, base_url=BASE_URL, raise_server_exceptions=False) as client:
            start.wait()
            status = call(client)
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads)
    return statuses


def test_concurrent_creates_of_one_code(app: FastAPI, world: World, registry: Registry) -> None:
    auth = bearer(app, world.clin_a.id)
    body = {"code": "RACE-1", "birth_year": 1970, "sex": "female"}

    def create(client: TestClient) -> int:
        r = client.post("/api/v1/patients", headers=auth, json=body)
        if r.status_code == 409:
            assert "already exists" in r.json()["detail"]
        return r.status_code

    for _ in range(3):  # several rounds: the race window is narrow
        body["code"] = f"RACE-{_}"
        statuses = _race(app, [create] * THREADS)
        assert sorted(set(statuses)) in ([201], [201, 409]), statuses
        assert statuses.count(201) == 1, statuses
    with registry.session() as s:
        n = s.scalar(select(func.count()).select_from(Patient).where(Patient.code.like("RACE-%")))
        audits = s.scalar(
            select(func.count()).select_from(AuditLog).where(AuditLog.entity == "patient")
        )
    assert n == 3 and audits == 3  # no audit row for a refused write


def test_concurrent_renames_to_one_code(app: FastAPI, world: World) -> None:
    auth = bearer(app, world.admin.id)
    with TestClient(app, base_url=BASE_URL) as client:
        ids = [
            client.post(
                "/api/v1/patients",
                headers=auth,
                json={"code": f"R-{i}", "birth_year": 1980, "sex": "male", "clinic_id": 1},
            ).json()["id"]
            for i in range(2)
        ]

    def rename(pid: int) -> Callable[[TestClient], int]:
        def call(client: TestClient) -> int:
            r = client.patch(f"/api/v1/patients/{pid}", headers=auth, json={"code": "SAME"})
            return r.status_code

        return call

    statuses = _race(app, [rename(ids[0]), rename(ids[1])])
    assert sorted(statuses) == [200, 409], statuses


def test_records_added_while_the_patient_is_deleted(app: FastAPI, world: World) -> None:
    auth = bearer(app, world.clin_a.id)
    with TestClient(app, base_url=BASE_URL) as client:
        pid = client.post(
            "/api/v1/patients",
            headers=auth,
            json={"code": "GONE-1", "birth_year": 1960, "sex": "other"},
        ).json()["id"]

    def add(i: int) -> Callable[[TestClient], int]:
        def call(client: TestClient) -> int:
            r = client.post(
                f"/api/v1/patients/{pid}/assessments",
                headers=auth,
                json={"scale": "das28", "value": 4.0, "assessed_on": f"2025-01-{i + 1:02d}"},
            )
            return r.status_code

        return call

    def delete(client: TestClient) -> int:
        return client.delete(f"/api/v1/patients/{pid}", headers=auth).status_code

    statuses = _race(app, [add(i) for i in range(12)] + [delete])
    assert 500 not in statuses, statuses
    assert set(statuses) <= {201, 204, 404, 409}, statuses
    assert statuses.count(204) == 1


def test_integrity_messages_say_what_clashed() -> None:
    unique = IntegrityError(
        "INSERT", {}, Exception("UNIQUE constraint failed: patients.clinic_id, patients.code")
    )
    pg_unique = IntegrityError(
        "INSERT",
        {},
        Exception('duplicate key value violates unique constraint "uq_patients_clinic_code"'),
    )
    fk = IntegrityError("INSERT", {}, Exception("FOREIGN KEY constraint failed"))
    assert conflict_message(unique).startswith("a patient with this code in this clinic already")
    assert conflict_message(pg_unique) == conflict_message(unique)
    assert "no longer exists" in conflict_message(fk)


def test_every_registry_write_goes_through_the_audited_write_path() -> None:
    registry_src = Path(__file__).parents[2] / "src" / "ldn" / "registry"
    for path in registry_src.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        if path.name == "_common.py":
            assert "def audited_write" in text
            continue
        assert "audit.record(" not in text, f"{path.name} writes audit rows itself"
        if path.name != "web_sessions.py":  # login sessions are not registry data
            assert "session.commit()" not in text, f"{path.name} commits outside the helper"
            assert "session.flush()" not in text, f"{path.name} flushes outside the helper"
