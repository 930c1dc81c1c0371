"""Concurrent writes lose nothing: 8 threads × 25 assessments each, on SQLite (WAL, busy
timeout) and PostgreSQL; concurrent edits of one row: exactly one wins, the others get a
ConflictError (no lost update)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from ldn.registry import services as svc
from ldn.registry.db import Registry
from ldn.registry.errors import ConflictError
from ldn.registry.models import Assessment, AuditLog, Patient

THREADS = 8
PER_THREAD = 25


def test_parallel_inserts_are_all_kept(registry: Registry, world) -> None:
    barrier = threading.Barrier(THREADS)

    def worker(k: int) -> int:
        actor = world.clin_a if k % 2 == 0 else world.admin
        barrier.wait()
        with registry.session() as s:
            for i in range(PER_THREAD):
                svc.add_assessment(
                    session=s,
                    actor=actor,
                    patient_id=world.patient_a,
                    data={
                        "scale": "pain_nrs",
                        "value": (k + i) % 11,
                        "assessed_on": (date(2024, 1, 1) + timedelta(days=i)).isoformat(),
                        "notes": f"thread {k} item {i}",
                    },
                )
        return PER_THREAD

    with ThreadPoolExecutor(THREADS) as pool:
        done = sum(pool.map(worker, range(THREADS)))
    with registry.session() as s:
        n_rows = s.scalar(select(func.count()).select_from(Assessment))
        n_audit = s.scalar(
            select(func.count()).select_from(AuditLog).where(AuditLog.entity == "assessment")
        )
        notes = set(s.scalars(select(Assessment.notes)))
    assert done == n_rows == n_audit == THREADS * PER_THREAD
    assert len(notes) == THREADS * PER_THREAD


def test_parallel_edits_of_one_row_one_wins(registry: Registry, world) -> None:
    barrier = threading.Barrier(THREADS)

    def worker(k: int) -> str:
        with registry.session() as s:
            barrier.wait()
            try:
                svc.update_patient(
                    session=s,
                    actor=world.admin,
                    patient_id=world.patient_a,
                    data={"birth_year": 1950 + k, "version": 1},
                )
            except ConflictError:
                return "conflict"
            return "ok"

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(worker, range(THREADS)))
    assert results.count("ok") == 1
    assert results.count("conflict") == THREADS - 1
    with registry.session() as s:
        p = s.get(Patient, world.patient_a)
        assert p is not None and p.version == 2
        updates = s.scalars(
            select(AuditLog).where(AuditLog.entity == "patient", AuditLog.action == "update")
        ).all()
    assert len(updates) == 1
    assert updates[0].after["birth_year"] == p.birth_year


def test_stale_object_in_a_session_is_a_conflict(registry: Registry, world) -> None:
    """A long-lived session holding a row that another session changed cannot overwrite it
    (SQLAlchemy's version_id_col: UPDATE … WHERE version = :old matches no row)."""
    with registry.session() as first, registry.session() as second:
        held = second.get(Patient, world.patient_a)  # kept alive in `second`
        assert held is not None and held.version == 1
        svc.update_patient(
            session=first, actor=world.admin, patient_id=world.patient_a, data={"sex": "other"}
        )
        with pytest.raises(ConflictError, match="changed by someone else"):
            svc.update_patient(
                session=second,
                actor=world.admin,
                patient_id=world.patient_a,
                data={"sex": "unknown"},
            )
    with registry.session() as s:
        assert s.get(Patient, world.patient_a).sex == "other"  # type: ignore[union-attr]
