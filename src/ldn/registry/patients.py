"""Registry services for patients: create, read, list, update and delete (see `services`).

Re-exported by `ldn.registry.services`, the registry's stable API; import from there.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from ldn.registry import audit
from ldn.registry._common import audited_create, audited_update, audited_write
from ldn.registry._common import changes as _changes
from ldn.registry._common import check_version as _check_version
from ldn.registry._common import count as _count
from ldn.registry._common import page_args as _page_args
from ldn.registry.conditions import registry_condition
from ldn.registry.errors import ConflictError, InputError, NotFound
from ldn.registry.models import (
    Clinic,
    Patient,
    PatientCondition,
)
from ldn.registry.permissions import ActorLike, can, require, visible_clinic
from ldn.registry.schemas import (
    Page,
    PatientCreate,
    PatientPublic,
    PatientUpdate,
    parse,
)


# ---------------------------------------------------------------- patients
def _load_patient(session: Session, actor: ActorLike, patient_id: int, action: str) -> Patient:
    """The patient, checked for `action`. A patient the actor may not even read (another
    clinic's) answers exactly like a missing one, so ids of other clinics' patients and their
    records cannot be probed (404, not 403); a readable patient the role may not change
    answers PermissionDenied (403)."""
    patient = session.get(Patient, patient_id)
    if patient is None or not can(actor, "read", "patient", clinic_id=patient.clinic_id):
        raise NotFound(f"patient {patient_id} not found")
    require(actor, action, "patient", clinic_id=patient.clinic_id)  # type: ignore[arg-type]
    return patient


def create_patient(
    *, session: Session, actor: ActorLike, data: PatientCreate | Mapping[str, Any]
) -> PatientPublic:
    """Register a pseudonymous patient in a clinic (clinicians: their own clinic)."""
    spec = parse(PatientCreate, data)
    clinic_id = spec.clinic_id
    if clinic_id is None:
        if actor.clinic_id is None:
            raise InputError("clinic_id is required: say which clinic the patient belongs to")
        clinic_id = actor.clinic_id
    require(actor, "write", "patient", clinic_id=clinic_id)
    if session.get(Clinic, clinic_id) is None:
        raise NotFound(f"clinic {clinic_id} not found")
    taken = select(Patient.id).where(Patient.clinic_id == clinic_id, Patient.code == spec.code)
    if session.scalar(taken) is not None:
        raise ConflictError(
            f"patient code {spec.code!r} already exists in clinic {clinic_id}; codes are unique "
            "per clinic"
        )
    patient = Patient(clinic_id=clinic_id, code=spec.code, birth_year=spec.birth_year, sex=spec.sex)
    patient.condition_rows = [PatientCondition(condition=c) for c in spec.conditions]
    audited_create(session, actor, patient, entity="patient", clinic_id=clinic_id)
    return PatientPublic.model_validate(patient)


def get_patient(*, session: Session, actor: ActorLike, patient_id: int) -> PatientPublic:
    """One patient."""
    return PatientPublic.model_validate(_load_patient(session, actor, patient_id, "read"))


def get_patient_by_code(
    *, session: Session, actor: ActorLike, code: str, clinic_id: int | None = None
) -> PatientPublic:
    """The patient with `code` (in `clinic_id`, or the actor's clinic for clinicians)."""
    require(actor, "read", "patient", clinic_id=clinic_id)
    clinic_id = clinic_id if clinic_id is not None else visible_clinic(actor)
    stmt = select(Patient).where(Patient.code == code.strip())
    if clinic_id is not None:
        stmt = stmt.where(Patient.clinic_id == clinic_id)
    found = list(session.scalars(stmt))
    if not found:
        where = f" in clinic {clinic_id}" if clinic_id else ""
        raise NotFound(f"no patient with code {code!r}{where}")
    if len(found) > 1:
        raise InputError(f"patient code {code!r} exists in several clinics; give the clinic too")
    return PatientPublic.model_validate(found[0])


def list_patients(
    *,
    session: Session,
    actor: ActorLike,
    skip: int = 0,
    limit: int = 100,
    search: str | None = None,
    condition: str | None = None,
    clinic_id: int | None = None,
) -> Page[PatientPublic]:
    """Patients the actor may see, ordered by clinic and code, filtered and paginated.

    Reads plain columns (no ORM objects): one query for the page, one for its conditions and
    one for the total count, whatever the page size.
    """
    require(actor, "read", "patient", clinic_id=clinic_id)
    skip, limit = _page_args(skip, limit)
    stmt = select(
        Patient.id,
        Patient.clinic_id,
        Patient.code,
        Patient.birth_year,
        Patient.sex,
        Patient.created_at,
        Patient.version,
    )
    own = visible_clinic(actor)
    if own is not None:
        stmt = stmt.where(Patient.clinic_id == own)
    if clinic_id is not None:
        stmt = stmt.where(Patient.clinic_id == clinic_id)
    if search:
        stmt = stmt.where(Patient.code.ilike(f"%{search.strip()}%"))
    if condition:
        try:  # any spelling ("lupus"), as stored ("sle")
            condition = registry_condition(condition)
        except ValueError as exc:
            raise InputError(str(exc)) from None
        stmt = stmt.where(
            Patient.id.in_(
                select(PatientCondition.patient_id).where(PatientCondition.condition == condition)
            )
        )
    total = _count(session, stmt)  # type: ignore[arg-type]  # SQLAlchemy: Select[*Ts] vs Select[Any]
    rows = session.execute(
        stmt.order_by(Patient.clinic_id, Patient.code).offset(skip).limit(limit)
    ).all()
    conditions: dict[int, list[str]] = {row.id: [] for row in rows}
    if conditions:
        found = select(PatientCondition.patient_id, PatientCondition.condition).where(
            PatientCondition.patient_id.in_(list(conditions))
        )
        for patient_id, name in session.execute(found):
            conditions[patient_id].append(name)
    data = [
        PatientPublic(
            id=row.id,
            clinic_id=row.clinic_id,
            code=row.code,
            birth_year=row.birth_year,
            sex=row.sex,
            conditions=sorted(conditions[row.id]),
            created_at=row.created_at,
            version=row.version,
        )
        for row in rows
    ]
    return Page[PatientPublic](data=data, count=total)


def update_patient(
    *, session: Session, actor: ActorLike, patient_id: int, data: PatientUpdate | Mapping[str, Any]
) -> PatientPublic:
    """Change a patient's code, birth year, sex or conditions."""
    changes = _changes(data, PatientUpdate)
    patient = _load_patient(session, actor, patient_id, "write")
    _check_version(patient, "patient", changes.pop("version", None))
    if "code" in changes and changes["code"] != patient.code:
        taken = select(Patient.id).where(
            Patient.clinic_id == patient.clinic_id, Patient.code == changes["code"]
        )
        if session.scalar(taken) is not None:
            raise ConflictError(f"patient code {changes['code']!r} already exists in this clinic")
    conditions = changes.pop("conditions", None)
    with audited_update(session, actor, patient, entity="patient", clinic_id=patient.clinic_id):
        for key, value in changes.items():
            if value is None:
                raise InputError(f"{key} cannot be emptied")
            setattr(patient, key, value)
        if conditions is not None:
            patient.condition_rows = [
                PatientCondition(condition=c) for c in sorted(set(conditions))
            ]
            # conditions live in a child table; mark the row so its version still increments
            flag_modified(patient, "sex")
    return PatientPublic.model_validate(patient)


def delete_patient(*, session: Session, actor: ActorLike, patient_id: int) -> None:
    """Delete a patient and all their records (one audit row holding all of them as they were)."""
    patient = _load_patient(session, actor, patient_id, "write")
    before = audit.snapshot(patient)
    # the records go with the patient (ON DELETE CASCADE); keep them in the audit row
    before["prescriptions"] = [audit.snapshot(r) for r in patient.prescriptions]
    before["assessments"] = [audit.snapshot(r) for r in patient.assessments]
    before["adverse_events"] = [audit.snapshot(r) for r in patient.adverse_events]
    clinic_id = patient.clinic_id
    session.delete(patient)
    audited_write(
        session,
        actor,
        action="delete",
        entity="patient",
        row=patient,
        clinic_id=clinic_id,
        before=before,
        entity_id=patient_id,
    )
