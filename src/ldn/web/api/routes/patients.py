"""Patients: list and search, create, read, change, delete.

Like every API route these are `async` and run their service call in the threadpool with
`ldn.web.deps.in_session`: one trip per request, the database connection given back within
it, and the answer serialised on the event loop (a sync route would take a second trip for
response validation).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from ldn.registry import services
from ldn.registry.schemas import Condition, Page, PatientCreate, PatientPublic, PatientUpdate
from ldn.web.api.common import ERRORS, MAX_ID, Limit, PatientId, SearchText, Skip
from ldn.web.deps import CurrentUser, SessionDep, in_session

router = APIRouter(prefix="/patients", tags=["patients"], responses=ERRORS)


@router.get("")
async def list_patients(
    session: SessionDep,
    user: CurrentUser,
    skip: Skip = 0,
    limit: Limit = 100,
    q: SearchText = None,
    condition: Condition | None = None,
    clinic_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Page[PatientPublic]:
    """Patients the caller may see (`{data, count}`), filtered by code text and condition."""
    return await in_session(
        session,
        services.list_patients,
        actor=user,
        skip=skip,
        limit=limit,
        search=q,
        condition=condition,
        clinic_id=clinic_id,
    )


@router.post("", status_code=201)
async def create_patient(
    session: SessionDep, user: CurrentUser, body: PatientCreate
) -> PatientPublic:
    """Register a pseudonymous patient (clinicians: in their own clinic)."""
    return await in_session(session, services.create_patient, actor=user, data=body)


@router.get("/{patient_id}")
async def read_patient(
    session: SessionDep, user: CurrentUser, patient_id: PatientId
) -> PatientPublic:
    """One patient."""
    return await in_session(session, services.get_patient, actor=user, patient_id=patient_id)


@router.patch("/{patient_id}")
async def update_patient(
    session: SessionDep, user: CurrentUser, patient_id: PatientId, body: PatientUpdate
) -> PatientPublic:
    """Change code, birth year, sex or conditions; give `version` to detect concurrent edits."""
    return await in_session(
        session, services.update_patient, actor=user, patient_id=patient_id, data=body
    )


@router.delete("/{patient_id}", status_code=204)
async def delete_patient(session: SessionDep, user: CurrentUser, patient_id: PatientId) -> Response:
    """Delete a patient and all their records (kept in the audit log)."""
    await in_session(session, services.delete_patient, actor=user, patient_id=patient_id)
    return Response(status_code=204)
