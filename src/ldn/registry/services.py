"""Registry services: every read and write goes through these keyword-only functions.

Each function takes `*, session, actor` (a `models.User` or `permissions.Actor`), checks the
role matrix (`ldn.registry.permissions`), validates input with the pydantic schemas, writes the
change and its audit-log row in one transaction, commits, and returns a `*Public` schema
(free text removed for researchers). Errors: `InputError` (bad value), `PermissionDenied`,
`NotFound`, `ConflictError` (stale `version` / concurrent edit / duplicate code), all from
`ldn.registry.errors`.

Stable API (used by the web app, the CLI, import/export and demo data):

clinics   create_clinic, get_clinic, list_clinics
users     create_user, get_user, list_users, update_user, authenticate
patients  create_patient, get_patient, get_patient_by_code, list_patients, update_patient,
          delete_patient
records   add_prescription, update_prescription, delete_prescription, list_prescriptions
          add_assessment, update_assessment, delete_assessment, list_assessments
          add_adverse_event, update_adverse_event, delete_adverse_event, list_adverse_events
audit     list_audit

Update functions take a `*Update` schema (or a mapping); only the fields that were set are
changed, and if `version` is given it must equal the row's current version.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from ldn.registry import audit
from ldn.registry._common import MAX_PAGE, audited_create, audited_write, commit
from ldn.registry._common import changes as _changes
from ldn.registry._common import check_version as _check_version
from ldn.registry._common import count as _count
from ldn.registry._common import page_args as _page_args
from ldn.registry._common import public as _public
from ldn.registry.accounts import (
    authenticate,
    create_clinic,
    create_user,
    get_clinic,
    get_clinic_by_name,
    get_user,
    list_clinics,
    list_users,
    update_user,
)
from ldn.registry.errors import ConflictError, InputError, NotFound, PermissionDenied
from ldn.registry.models import (
    AdverseEvent,
    Assessment,
    AuditLog,
    Base,
    Patient,
    Prescription,
)
from ldn.registry.patients import (
    _load_patient,
    create_patient,
    delete_patient,
    get_patient,
    get_patient_by_code,
    list_patients,
    update_patient,
)
from ldn.registry.permissions import ActorLike, require
from ldn.registry.schemas import (
    AdverseEventCreate,
    AdverseEventPublic,
    AdverseEventUpdate,
    AssessmentCreate,
    AssessmentPublic,
    AssessmentUpdate,
    AuditPublic,
    Page,
    PrescriptionCreate,
    PrescriptionPublic,
    PrescriptionUpdate,
    parse,
)

__all__ = [
    "MAX_PAGE",
    "ConflictError",
    "InputError",
    "NotFound",
    "PermissionDenied",
    "add_adverse_event",
    "add_assessment",
    "add_prescription",
    "authenticate",
    "commit",
    "create_clinic",
    "create_patient",
    "create_user",
    "delete_adverse_event",
    "delete_assessment",
    "delete_patient",
    "delete_prescription",
    "get_clinic",
    "get_clinic_by_name",
    "get_patient",
    "get_patient_by_code",
    "get_user",
    "list_adverse_events",
    "list_assessments",
    "list_audit",
    "list_clinics",
    "list_patients",
    "list_prescriptions",
    "list_users",
    "update_adverse_event",
    "update_assessment",
    "update_patient",
    "update_prescription",
    "update_user",
]

P = TypeVar("P", bound=BaseModel)
R = TypeVar("R", bound=Base)


# ---------------------------------------------------------------- patient records (generic)
_ENTITY_NAME: dict[type[Base], str] = {
    Prescription: "prescription",
    Assessment: "assessment",
    AdverseEvent: "adverse_event",
}


def _add_record(
    session: Session, actor: ActorLike, patient_id: int, row: Base, public: type[P]
) -> P:
    patient = _load_patient(session, actor, patient_id, "write")
    row.patient_id = patient.id  # type: ignore[attr-defined]
    audited_create(session, actor, row, entity=_ENTITY_NAME[type(row)], clinic_id=patient.clinic_id)
    return _public(public, row, actor)


def _load_record(
    session: Session, actor: ActorLike, model: type[R], record_id: int, action: str
) -> tuple[R, Patient]:
    row = session.get(model, record_id)
    name = _ENTITY_NAME[model]
    missing = NotFound(f"{name.replace('_', ' ')} {record_id} not found")
    if row is None:
        raise missing
    try:
        patient = _load_patient(session, actor, row.patient_id, action)  # type: ignore[attr-defined]
    except NotFound:  # another clinic's record: the same answer as a missing one
        raise missing from None
    return row, patient


def _update_record(
    session: Session,
    actor: ActorLike,
    model: type[R],
    record_id: int,
    data: BaseModel | Mapping[str, Any],
    update_schema: type[BaseModel],
    create_schema: type[BaseModel],
    public: type[P],
) -> P:
    changes = _changes(data, update_schema)
    row, patient = _load_record(session, actor, model, record_id, "write")
    name = _ENTITY_NAME[model]
    _check_version(row, name, changes.pop("version", None))
    before = audit.snapshot(row)
    fields = set(create_schema.model_fields)
    merged = {k: v for k, v in before.items() if k in fields and v is not None}
    merged.update(changes)
    merged = {k: v for k, v in merged.items() if v is not None}
    spec = parse(create_schema, merged)
    _validate_links(session, patient, spec)
    for key in fields:
        value = getattr(spec, key)
        if key == "titration":
            value = [step.model_dump() for step in value]
        setattr(row, key, value)
    audited_write(
        session,
        actor,
        action="update",
        entity=name,
        row=row,
        clinic_id=patient.clinic_id,
        before=before,
    )
    return _public(public, row, actor)


def _delete_record(session: Session, actor: ActorLike, model: type[R], record_id: int) -> None:
    row, patient = _load_record(session, actor, model, record_id, "write")
    before = audit.snapshot(row)
    session.delete(row)
    audited_write(
        session,
        actor,
        action="delete",
        entity=_ENTITY_NAME[model],
        row=row,
        clinic_id=patient.clinic_id,
        before=before,
        entity_id=record_id,
    )


def _validate_links(session: Session, patient: Patient, spec: BaseModel) -> None:
    rx_id = getattr(spec, "prescription_id", None)
    if rx_id is not None:
        rx = session.get(Prescription, rx_id)
        if rx is None or rx.patient_id != patient.id:
            raise InputError(
                f"prescription_id {rx_id} is not a prescription of patient {patient.code}; "
                "leave it empty or pick one of theirs"
            )


def _list_records(
    session: Session,
    actor: ActorLike,
    model: type[R],
    patient_id: int,
    public: type[P],
    **where: Any,
) -> list[P]:
    _load_patient(session, actor, patient_id, "read")
    stmt = select(model).where(model.patient_id == patient_id)  # type: ignore[attr-defined]
    for key, value in where.items():
        if value is not None:
            stmt = stmt.where(getattr(model, key) == value)
    order = {Prescription: Prescription.start_date, Assessment: Assessment.assessed_on}
    stmt = stmt.order_by(order.get(model, AdverseEvent.onset_date), model.id)  # type: ignore[attr-defined]
    return [_public(public, row, actor) for row in session.scalars(stmt)]


# ---------------------------------------------------------------- prescriptions
def add_prescription(
    *,
    session: Session,
    actor: ActorLike,
    patient_id: int,
    data: PrescriptionCreate | Mapping[str, Any],
) -> PrescriptionPublic:
    """Add an LDN prescription to a patient."""
    spec = parse(PrescriptionCreate, data)
    values = spec.model_dump()
    return _add_record(session, actor, patient_id, Prescription(**values), PrescriptionPublic)


def update_prescription(
    *,
    session: Session,
    actor: ActorLike,
    prescription_id: int,
    data: PrescriptionUpdate | Mapping[str, Any],
) -> PrescriptionPublic:
    """Change a prescription (e.g. stop it: stop_date and stop_reason)."""
    return _update_record(
        session,
        actor,
        Prescription,
        prescription_id,
        data,
        PrescriptionUpdate,
        PrescriptionCreate,
        PrescriptionPublic,
    )


def delete_prescription(*, session: Session, actor: ActorLike, prescription_id: int) -> None:
    """Delete a prescription (adverse events keep their rows, unlinked)."""
    _delete_record(session, actor, Prescription, prescription_id)


def list_prescriptions(
    *, session: Session, actor: ActorLike, patient_id: int
) -> list[PrescriptionPublic]:
    """A patient's prescriptions by start date."""
    return _list_records(session, actor, Prescription, patient_id, PrescriptionPublic)


# ---------------------------------------------------------------- assessments
def add_assessment(
    *,
    session: Session,
    actor: ActorLike,
    patient_id: int,
    data: AssessmentCreate | Mapping[str, Any],
) -> AssessmentPublic:
    """Record an outcome assessment (value checked against the scale's range)."""
    spec = parse(AssessmentCreate, data)
    row = Assessment(**spec.model_dump())
    return _add_record(session, actor, patient_id, row, AssessmentPublic)


def update_assessment(
    *,
    session: Session,
    actor: ActorLike,
    assessment_id: int,
    data: AssessmentUpdate | Mapping[str, Any],
) -> AssessmentPublic:
    """Correct an assessment."""
    return _update_record(
        session,
        actor,
        Assessment,
        assessment_id,
        data,
        AssessmentUpdate,
        AssessmentCreate,
        AssessmentPublic,
    )


def delete_assessment(*, session: Session, actor: ActorLike, assessment_id: int) -> None:
    """Delete an assessment."""
    _delete_record(session, actor, Assessment, assessment_id)


def list_assessments(
    *, session: Session, actor: ActorLike, patient_id: int, scale: str | None = None
) -> list[AssessmentPublic]:
    """A patient's assessments by date (optionally one scale)."""
    return _list_records(session, actor, Assessment, patient_id, AssessmentPublic, scale=scale)


# ---------------------------------------------------------------- adverse events
def add_adverse_event(
    *,
    session: Session,
    actor: ActorLike,
    patient_id: int,
    data: AdverseEventCreate | Mapping[str, Any],
) -> AdverseEventPublic:
    """Record an adverse event (optionally linked to one of the patient's prescriptions)."""
    spec = parse(AdverseEventCreate, data)
    patient = _load_patient(session, actor, patient_id, "write")
    _validate_links(session, patient, spec)
    return _add_record(
        session, actor, patient_id, AdverseEvent(**spec.model_dump()), AdverseEventPublic
    )


def update_adverse_event(
    *,
    session: Session,
    actor: ActorLike,
    adverse_event_id: int,
    data: AdverseEventUpdate | Mapping[str, Any],
) -> AdverseEventPublic:
    """Change an adverse event (e.g. set its end date)."""
    return _update_record(
        session,
        actor,
        AdverseEvent,
        adverse_event_id,
        data,
        AdverseEventUpdate,
        AdverseEventCreate,
        AdverseEventPublic,
    )


def delete_adverse_event(*, session: Session, actor: ActorLike, adverse_event_id: int) -> None:
    """Delete an adverse event."""
    _delete_record(session, actor, AdverseEvent, adverse_event_id)


def list_adverse_events(
    *, session: Session, actor: ActorLike, patient_id: int
) -> list[AdverseEventPublic]:
    """A patient's adverse events by onset date."""
    return _list_records(session, actor, AdverseEvent, patient_id, AdverseEventPublic)


# ---------------------------------------------------------------- audit
def list_audit(
    *,
    session: Session,
    actor: ActorLike,
    entity: str | None = None,
    entity_id: int | None = None,
    clinic_id: int | None = None,
    skip: int = 0,
    limit: int = 100,
) -> Page[AuditPublic]:
    """Audit rows, newest first (clinicians: their clinic's rows only)."""
    require(actor, "read", "audit", clinic_id=clinic_id)
    skip, limit = _page_args(skip, limit)
    stmt = select(AuditLog)
    if actor.role == "clinician":
        stmt = stmt.where(AuditLog.clinic_id == actor.clinic_id)
    if clinic_id is not None:
        stmt = stmt.where(AuditLog.clinic_id == clinic_id)
    if entity is not None:
        stmt = stmt.where(AuditLog.entity == entity)
    if entity_id is not None:
        stmt = stmt.where(AuditLog.entity_id == entity_id)
    total = _count(session, stmt)
    rows = session.scalars(stmt.order_by(AuditLog.id.desc()).offset(skip).limit(limit))
    return Page[AuditPublic](data=[AuditPublic.model_validate(r) for r in rows], count=total)
