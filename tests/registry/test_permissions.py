"""Every cell of the role/permission matrix, exercised through the services on both back ends.

Actors: admin; clin_a (clinician of clinic A, the clinic under test); clin_b (clinician of
another clinic); researcher. Each operation targets clinic A / its patient. Expected outcomes
are derived from `permissions.MATRIX` ("own clinic" → allowed for clin_a, refused for clin_b).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from ldn.registry import csv_export, fhir, import_export
from ldn.registry import services as svc
from ldn.registry.errors import InputError, NotFound, PermissionDenied
from ldn.registry.permissions import MATRIX, OPERATIONS, SYSTEM, can, require

ACTORS = ("admin", "clin_a", "clin_b", "researcher")
ROLE = {"admin": "admin", "clin_a": "clinician", "clin_b": "clinician", "researcher": "researcher"}

CSV = "record_type,patient_code,birth_year,sex,conditions\npatient,N-1,1990,female,ms\n"


def _new_assessment(s: Session, pid: int) -> int:
    data = {"scale": "das28", "value": 4.0, "assessed_on": "2024-02-01"}
    return svc.add_assessment(session=s, actor=SYSTEM, patient_id=pid, data=data).id


def _new_adverse_event(s: Session, pid: int) -> int:
    data = {"event_type": "nausea", "severity": "mild", "onset_date": "2024-01-02"}
    return svc.add_adverse_event(session=s, actor=SYSTEM, patient_id=pid, data=data).id


def _new_prescription(s: Session, pid: int) -> int:
    data = {"dose_mg": 3.0, "start_date": "2024-01-01"}
    return svc.add_prescription(session=s, actor=SYSTEM, patient_id=pid, data=data).id


def _new_patient(s: Session, w) -> int:
    n = svc.list_patients(session=s, actor=SYSTEM).count
    data = {"code": f"DEL-{n}", "birth_year": 1990, "sex": "male", "clinic_id": w.clinic_a}
    return svc.create_patient(session=s, actor=SYSTEM, data=data).id


def _operations(w) -> dict[tuple[str, str], list[Callable[[Session, Any], Any]]]:
    pa = w.patient_a
    return {
        ("clinic", "read"): [lambda s, a: svc.get_clinic(session=s, actor=a, clinic_id=w.clinic_a)],
        ("clinic", "write"): [
            lambda s, a: svc.create_clinic(session=s, actor=a, data={"name": f"New {a.username}"})
        ],
        ("user", "read"): [lambda s, a: svc.list_users(session=s, actor=a)],
        ("user", "write"): [
            lambda s, a: svc.create_user(
                session=s,
                actor=a,
                data={"username": f"u-{a.username}", "password": "long-enough", "role": "admin"},
            )
        ],
        ("patient", "read"): [
            lambda s, a: svc.get_patient(session=s, actor=a, patient_id=pa),
            lambda s, a: svc.list_assessments(session=s, actor=a, patient_id=pa),
            lambda s, a: svc.list_prescriptions(session=s, actor=a, patient_id=pa),
            lambda s, a: svc.list_adverse_events(session=s, actor=a, patient_id=pa),
            lambda s, a: fhir.export_fhir(session=s, actor=a, patient_ids=[pa]),
        ],
        ("patient", "write"): [
            lambda s, a: svc.create_patient(
                session=s,
                actor=a,
                data={
                    "code": f"C-{a.username}",
                    "birth_year": 1980,
                    "sex": "male",
                    "clinic_id": w.clinic_a,
                },
            ),
            lambda s, a: svc.update_patient(
                session=s, actor=a, patient_id=pa, data={"sex": "other"}
            ),
            lambda s, a: svc.add_assessment(
                session=s,
                actor=a,
                patient_id=pa,
                data={"scale": "das28", "value": 4.0, "assessed_on": "2024-02-01"},
            ),
            lambda s, a: svc.add_prescription(
                session=s, actor=a, patient_id=pa, data={"dose_mg": 4.5, "start_date": "2024-01-01"}
            ),
            lambda s, a: svc.add_adverse_event(
                session=s,
                actor=a,
                patient_id=pa,
                data={"event_type": "insomnia", "severity": "mild", "onset_date": "2024-01-02"},
            ),
            lambda s, a: svc.update_assessment(
                session=s, actor=a, assessment_id=_new_assessment(s, pa), data={"value": 3.0}
            ),
            lambda s, a: svc.delete_adverse_event(
                session=s, actor=a, adverse_event_id=_new_adverse_event(s, pa)
            ),
            lambda s, a: svc.update_prescription(
                session=s,
                actor=a,
                prescription_id=_new_prescription(s, pa),
                data={"stop_date": "2024-03-01"},
            ),
            lambda s, a: svc.delete_patient(session=s, actor=a, patient_id=_new_patient(s, w)),
        ],
        ("audit", "read"): [lambda s, a: svc.list_audit(session=s, actor=a, clinic_id=w.clinic_a)],
        ("import", "write"): [
            lambda s, a: import_export.import_csv(
                session=s, actor=a, text=CSV.replace("N-1", f"N-{a.username}"), clinic_id=w.clinic_a
            )
        ],
        ("export", "read"): [
            lambda s, a: csv_export.export_csv(session=s, actor=a, clinic_id=w.clinic_a)
        ],
    }


def _expected(who: str, resource: str, action: str) -> bool:
    scope = MATRIX[(ROLE[who], resource, action)]
    if scope == "none":
        return False
    if scope == "own clinic":
        return who == "clin_a"
    return True


@pytest.mark.parametrize("who", ACTORS)
@pytest.mark.parametrize(("resource", "action"), OPERATIONS)
def test_matrix_cell(module_registry, module_world, who: str, resource: str, action: str) -> None:
    """One database per module and back end: each cell's writes use distinct names."""
    world = module_world
    actor = world.actors[who]
    allowed = _expected(who, resource, action)
    with module_registry.session() as session:
        for op in _operations(world)[(resource, action)]:
            if allowed:
                op(session, actor)
            else:
                with pytest.raises((PermissionDenied, NotFound)) as refused:
                    op(session, actor)
                if isinstance(refused.value, NotFound):
                    # another clinic's patients and records answer like missing ones (404)
                    assert who == "clin_b" and resource == "patient"
                    assert "not found" in str(refused.value)
                else:
                    assert f"user '{actor.username}'" in str(refused.value)


def test_matrix_covers_every_role_and_operation() -> None:
    assert {(r, res, act) for (r, res, act) in MATRIX} == {
        (r, res, act) for r in ("admin", "clinician", "researcher") for res, act in OPERATIONS
    }


def test_unknown_role_and_unknown_operation_are_refused(world) -> None:
    from ldn.registry.permissions import Actor

    ghost = Actor(id=99, username="ghost", role="superuser")
    assert not can(ghost, "read", "patient")
    with pytest.raises(PermissionDenied, match="role 'superuser'"):
        require(ghost, "read", "patient")
    assert not can(world.admin, "write", "audit")  # nobody writes the audit log directly


def test_clinician_cannot_move_patient_into_own_clinic_by_update(session: Session, world) -> None:
    with pytest.raises(InputError, match="clinic_id: Extra inputs are not permitted"):
        svc.update_patient(
            session=session,
            actor=world.clin_a,
            patient_id=world.patient_b,
            data={"clinic_id": world.clinic_a},
        )


def test_docs_table_matches_the_matrix() -> None:
    from pathlib import Path

    text = (Path(__file__).parents[2] / "docs" / "registry.md").read_text(encoding="utf-8")
    section = text.split("## Roles and permissions", 1)[1].split("\n\n", 3)[2]
    cells = {}
    for line in section.splitlines()[2:]:
        name, *scopes = (c.strip() for c in line.strip("|").split("|"))
        resource, action = (x.strip() for x in name.split("/"))
        for role, scope in zip(("admin", "clinician", "researcher"), scopes, strict=True):
            cells[(role, resource, action)] = scope
    assert cells == MATRIX
