"""Patients: list and search, create, read, change, delete."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from ldn.registry import services
from ldn.registry.schemas import Condition, Page, PatientCreate, PatientPublic, PatientUpdate
from ldn.web.api.common import ERRORS, MAX_ID, Limit, PatientId, SearchText, Skip
from ldn.web.deps import CurrentUser, SessionDep

router = APIRouter(prefix="/patients", tags=["patients"], responses=ERRORS)


@router.get("")
def list_patients(
    session: SessionDep,
    user: CurrentUser,
    skip: Skip = 0,
    limit: Limit = 100,
    q: SearchText = None,
    condition: Condition | None = None,
    clinic_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Page[PatientPublic]:
    """Patients the caller may see (`{data, count}`), filtered by code text and condition."""
    return services.list_patients(
        session=session,
        actor=user,
        skip=skip,
        limit=limit,
        search=q,
        condition=condition,
        clinic_id=clinic_id,
    )


@router.post("", status_code=201)
def create_patient(session: SessionDep, user: CurrentUser, body: PatientCreate) -> PatientPublic:
    """Register a pseudonymous patient (clinicians: in their own clinic)."""
    return services.create_patient(session=session, actor=user, data=body)


@router.get("/{patient_id}")
def read_patient(session: SessionDep, user: CurrentUser, patient_id: PatientId) -> PatientPublic:
    """One patient."""
    return services.get_patient(session=session, actor=user, patient_id=patient_id)


@router.patch("/{patient_id}")
def update_patient(
    session: SessionDep, user: CurrentUser, patient_id: PatientId, body: PatientUpdate
) -> PatientPublic:
    """Change code, birth year, sex or conditions; give `version` to detect concurrent edits."""
    return services.update_patient(session=session, actor=user, patient_id=patient_id, data=body)


@router.delete("/{patient_id}", status_code=204)
def delete_patient(session: SessionDep, user: CurrentUser, patient_id: PatientId) -> Response:
    """Delete a patient and all their records (kept in the audit log)."""
    services.delete_patient(session=session, actor=user, patient_id=patient_id)
    return Response(status_code=204)
