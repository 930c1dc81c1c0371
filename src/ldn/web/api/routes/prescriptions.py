"""Prescriptions of a patient: list, add, change (e.g. stop), delete."""

from __future__ import annotations

from fastapi import APIRouter, Response

from ldn.registry import services
from ldn.registry.schemas import (
    Page,
    PrescriptionCreate,
    PrescriptionPublic,
    PrescriptionUpdate,
)
from ldn.web.api.common import ERRORS, PatientId, PrescriptionId
from ldn.web.deps import CurrentUser, SessionDep, in_session

router = APIRouter(tags=["prescriptions"], responses=ERRORS)


@router.get("/patients/{patient_id}/prescriptions")
async def list_prescriptions(
    session: SessionDep, user: CurrentUser, patient_id: PatientId
) -> Page[PrescriptionPublic]:
    """A patient's prescriptions by start date."""
    rows = await in_session(session, services.list_prescriptions, actor=user, patient_id=patient_id)
    return Page[PrescriptionPublic](data=rows, count=len(rows))


@router.post("/patients/{patient_id}/prescriptions", status_code=201)
async def add_prescription(
    session: SessionDep, user: CurrentUser, patient_id: PatientId, body: PrescriptionCreate
) -> PrescriptionPublic:
    """Add an LDN prescription (dose, clock time, formulation, titration, start/stop)."""
    return await in_session(
        session, services.add_prescription, actor=user, patient_id=patient_id, data=body
    )


@router.patch("/prescriptions/{prescription_id}")
async def update_prescription(
    session: SessionDep,
    user: CurrentUser,
    prescription_id: PrescriptionId,
    body: PrescriptionUpdate,
) -> PrescriptionPublic:
    """Change a prescription; give `version` to detect concurrent edits."""
    return await in_session(
        session,
        services.update_prescription,
        actor=user,
        prescription_id=prescription_id,
        data=body,
    )


@router.delete("/prescriptions/{prescription_id}", status_code=204)
async def delete_prescription(
    session: SessionDep, user: CurrentUser, prescription_id: PrescriptionId
) -> Response:
    """Delete a prescription."""
    await in_session(
        session, services.delete_prescription, actor=user, prescription_id=prescription_id
    )
    return Response(status_code=204)
