"""Services: create/read/update/delete with validation, audit rows and optimistic concurrency,
on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from ldn.errors import InputError
from ldn.registry import services as svc
from ldn.registry.db import Registry
from ldn.registry.errors import ConflictError, NotFound
from ldn.registry.models import AppendOnlyError, AuditLog


def _audit(session: Session) -> list[AuditLog]:
    return list(session.scalars(select(AuditLog).order_by(AuditLog.id)))


def test_patient_lifecycle_is_audited(session: Session, world) -> None:
    created = svc.create_patient(
        session=session,
        actor=world.clin_a,
        data={"code": "P-0100", "birth_year": 1980, "sex": "female", "conditions": ["ms", "ra"]},
    )
    assert created.clinic_id == world.clinic_a
    assert created.conditions == ["ms", "ra"]
    assert created.version == 1
    updated = svc.update_patient(
        session=session,
        actor=world.clin_a,
        patient_id=created.id,
        data={"conditions": ["ms"], "version": 1},
    )
    assert updated.conditions == ["ms"]
    assert updated.version == 2
    svc.delete_patient(session=session, actor=world.clin_a, patient_id=created.id)
    with pytest.raises(NotFound, match=f"patient {created.id} not found"):
        svc.get_patient(session=session, actor=world.admin, patient_id=created.id)
    rows = [(r.action, r.entity, r.entity_id, r.actor_username) for r in _audit(session)]
    assert rows == [
        ("create", "patient", created.id, "clin_a"),
        ("update", "patient", created.id, "clin_a"),
        ("delete", "patient", created.id, "clin_a"),
    ]
    upd = _audit(session)[1]
    assert upd.before["conditions"] == ["ms", "ra"] and upd.after["conditions"] == ["ms"]


def test_records_round_trip(session: Session, world) -> None:
    pid = world.patient_a
    rx = svc.add_prescription(
        session=session,
        actor=world.clin_a,
        patient_id=pid,
        data={
            "dose_mg": 4.5,
            "clock_time": "22:00",
            "titration": [{"dose_mg": 1.5, "days": 7}, {"dose_mg": 3.0, "days": 7}],
            "start_date": "2024-01-01",
        },
    )
    assert rx.titration[1].dose_mg == 3.0
    stopped = svc.update_prescription(
        session=session,
        actor=world.clin_a,
        prescription_id=rx.id,
        data={"stop_date": "2024-06-01", "stop_reason": "vivid dreams"},
    )
    assert stopped.stop_date == date(2024, 6, 1) and stopped.dose_mg == 4.5
    a = svc.add_assessment(
        session=session,
        actor=world.clin_a,
        patient_id=pid,
        data={"scale": "DAS28", "value": 5.1, "assessed_on": "2024-01-01", "notes": "flare"},
    )
    assert a.scale == "das28"
    ae = svc.add_adverse_event(
        session=session,
        actor=world.clin_a,
        patient_id=pid,
        data={
            "event_type": "vivid_dreams",
            "severity": "mild",
            "onset_date": "2024-01-03",
            "prescription_id": rx.id,
        },
    )
    assert ae.prescription_id == rx.id
    assert [x.id for x in svc.list_assessments(session=session, actor=world.admin, patient_id=pid)]
    assert (
        svc.list_adverse_events(session=session, actor=world.admin, patient_id=pid)[0].id == ae.id
    )
    svc.delete_prescription(session=session, actor=world.clin_a, prescription_id=rx.id)
    # the adverse event survives, unlinked (ON DELETE SET NULL)
    left = svc.list_adverse_events(session=session, actor=world.admin, patient_id=pid)
    session.expire_all()
    left = svc.list_adverse_events(session=session, actor=world.admin, patient_id=pid)
    assert left[0].prescription_id is None
    entities = [r.entity for r in _audit(session)]
    assert entities.count("prescription") == 3 and "assessment" in entities


def test_researcher_sees_no_free_text(session: Session, world) -> None:
    svc.add_assessment(
        session=session,
        actor=world.clin_a,
        patient_id=world.patient_a,
        data={"scale": "pain_nrs", "value": 6, "assessed_on": "2024-01-01", "notes": "sensitive"},
    )
    seen = svc.list_assessments(session=session, actor=world.researcher, patient_id=world.patient_a)
    assert seen[0].notes is None and seen[0].value == 6
    own = svc.list_assessments(session=session, actor=world.clin_a, patient_id=world.patient_a)
    assert own[0].notes == "sensitive"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"scale": "das28", "value": 11, "assessed_on": "2024-01-01"}, "outside the scale's range"),
        ({"scale": "bogus", "value": 1, "assessed_on": "2024-01-01"}, "unknown scale 'bogus'"),
        ({"scale": "cdai", "value": 100, "assessed_on": "1800-01-01"}, "outside 1900-01-01"),
        ({"scale": "cdai", "value": 100}, "assessed_on: Field required"),
    ],
)
def test_invalid_assessments_are_refused_with_the_rule(
    session: Session, world, data: dict, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        svc.add_assessment(
            session=session, actor=world.admin, patient_id=world.patient_a, data=data
        )
    assert _audit(session) == []


def test_update_is_validated_against_the_whole_row(session: Session, world) -> None:
    rx = svc.add_prescription(
        session=session,
        actor=world.admin,
        patient_id=world.patient_a,
        data={"dose_mg": 4.5, "start_date": "2024-03-01"},
    )
    with pytest.raises(InputError, match="stop_date 2024-01-01 is before start_date 2024-03-01"):
        svc.update_prescription(
            session=session,
            actor=world.admin,
            prescription_id=rx.id,
            data={"stop_date": "2024-01-01"},
        )


def test_stale_version_is_a_conflict(session: Session, world) -> None:
    with pytest.raises(ConflictError, match="now version 1, you edited version 7"):
        svc.update_patient(
            session=session,
            actor=world.admin,
            patient_id=world.patient_a,
            data={"birth_year": 1971, "version": 7},
        )


def test_duplicate_code_in_same_clinic_is_a_conflict(session: Session, world) -> None:
    with pytest.raises(ConflictError, match="'P-0001' already exists in clinic"):
        svc.create_patient(
            session=session,
            actor=world.clin_a,
            data={"code": "P-0001", "birth_year": 1990, "sex": "male"},
        )


def test_ae_linked_to_another_patients_prescription_is_refused(session: Session, world) -> None:
    rx = svc.add_prescription(
        session=session,
        actor=world.admin,
        patient_id=world.patient_b,
        data={"dose_mg": 4.5, "start_date": "2024-03-01"},
    )
    with pytest.raises(InputError, match="is not a prescription of patient"):
        svc.add_adverse_event(
            session=session,
            actor=world.admin,
            patient_id=world.patient_a,
            data={
                "event_type": "headache",
                "severity": "mild",
                "onset_date": "2024-03-02",
                "prescription_id": rx.id,
            },
        )


def test_list_patients_pages_and_filters(session: Session, world) -> None:
    for i in range(5):
        svc.create_patient(
            session=session,
            actor=world.clin_a,
            data={"code": f"X-{i}", "birth_year": 1960 + i, "sex": "other", "conditions": ["sle"]},
        )
    page = svc.list_patients(session=session, actor=world.admin, skip=1, limit=2, search="x-")
    assert page.count == 5 and [p.code for p in page.data] == ["X-1", "X-2"]
    assert svc.list_patients(session=session, actor=world.admin, condition="sle").count == 5
    assert svc.list_patients(session=session, actor=world.clin_b).count == 1
    with pytest.raises(InputError, match="limit 1-1000"):
        svc.list_patients(session=session, actor=world.admin, limit=0)


def test_patient_by_code(session: Session, world) -> None:
    got = svc.get_patient_by_code(session=session, actor=world.clin_b, code="P-0001")
    assert got.id == world.patient_b
    with pytest.raises(InputError, match="several clinics"):
        svc.get_patient_by_code(session=session, actor=world.admin, code="P-0001")
    with pytest.raises(NotFound, match="no patient with code 'Z'"):
        svc.get_patient_by_code(session=session, actor=world.admin, code="Z")


def test_users_are_hashed_and_authenticate(session: Session, world) -> None:
    user = svc.create_user(
        session=session,
        actor=world.admin,
        data={
            "username": "dr.new",
            "password": "a-long-password",
            "role": "clinician",
            "clinic_id": world.clinic_a,
        },
    )
    assert user.role == "clinician"
    assert svc.authenticate(session=session, username="dr.new", password="a-long-password")
    assert svc.authenticate(session=session, username="dr.new", password="wrong") is None
    assert svc.authenticate(session=session, username="nobody", password="wrong") is None
    svc.update_user(session=session, actor=world.admin, user_id=user.id, data={"active": False})
    assert svc.authenticate(session=session, username="dr.new", password="a-long-password") is None
    with pytest.raises(InputError, match="a clinician must belong to a clinic"):
        svc.create_user(
            session=session,
            actor=world.admin,
            data={"username": "nurse", "password": "12345678", "role": "clinician"},
        )
    snap = [r.after for r in _audit(session) if r.entity == "user"]
    assert all("password_hash" not in (s or {}) for s in snap)


def test_audit_log_is_append_only_in_orm_and_database(registry: Registry, world) -> None:
    with registry.session() as s:
        svc.create_clinic(session=s, actor=world.admin, data={"name": "Clinic C"})
        row = _audit(s)[0]
        row.action = "delete"
        with pytest.raises(AppendOnlyError, match="append-only"):
            s.flush()
        s.rollback()
        s.delete(_audit(s)[0])
        with pytest.raises(AppendOnlyError, match="append-only"):
            s.flush()
    for sql in ("UPDATE audit_log SET action = 'update'", "DELETE FROM audit_log"):
        with registry.engine.connect() as conn, pytest.raises(DBAPIError, match="append-only"):
            conn.execute(text(sql))
    with registry.session() as s:
        assert len(_audit(s)) == 1


def test_audit_listing_for_clinicians_is_their_clinic(session: Session, world) -> None:
    for actor, pid in ((world.clin_a, world.patient_a), (world.clin_b, world.patient_b)):
        svc.add_assessment(
            session=session,
            actor=actor,
            patient_id=pid,
            data={"scale": "pain_nrs", "value": 3, "assessed_on": "2024-01-01"},
        )
    assert svc.list_audit(session=session, actor=world.admin).count == 2
    mine = svc.list_audit(session=session, actor=world.clin_a)
    assert mine.count == 1 and mine.data[0].clinic_id == world.clinic_a


def test_deleting_a_patient_keeps_their_records_in_the_audit_row(session: Session, world) -> None:
    svc.add_assessment(
        session=session,
        actor=world.admin,
        patient_id=world.patient_b,
        data={"scale": "cdai", "value": 250, "assessed_on": "2024-01-01"},
    )
    svc.delete_patient(session=session, actor=world.admin, patient_id=world.patient_b)
    row = _audit(session)[-1]
    assert (row.action, row.entity, row.entity_id) == ("delete", "patient", world.patient_b)
    assert [a["value"] for a in row.before["assessments"]] == [250.0]
    assert svc.list_patients(session=session, actor=world.admin).count == 1
