"""Prescriptions of a patient: list, add, change (e.g. stop), delete."""

from __future__ import annotations

from fastapi import APIRouter, Response
from starlette.concurrency import run_in_threadpool

from ldn.registry import services
from ldn.registry.schemas import (
    Page,
    PrescriptionCreate,
    PrescriptionPublic,
    PrescriptionUpdate,
)
from ldn.web.api.common import ERRORS, PatientId, PrescriptionId
from ldn.web.deps import CurrentUser, SessionDep

router = APIRouter(tags=["prescriptions"], responses=ERRORS)


@router.get("/patients/{patient_id}/prescriptions")
async def list_prescriptions(
    session: SessionDep, user: CurrentUser, patient_id: PatientId
) -> Page[PrescriptionPublic]:
    """A patient's prescriptions by start date."""
    rows = await run_in_threadpool(
        services.list_prescriptions, session=session, actor=user, patient_id=patient_id
    )
    return Page[PrescriptionPublic](data=rows, count=len(rows))


@router.post("/patients/{patient_id}/prescriptions", status_code=201)
async def add_prescription(
    session: SessionDep, user: CurrentUser, patient_id: PatientId, body: PrescriptionCreate
) -> PrescriptionPublic:
    """Add an LDN prescription (dose, clock time, formulation, titration, start/stop)."""
    return await run_in_threadpool(
        services.add_prescription, session=session, actor=user, patient_id=patient_id, data=body
    )


@router.patch("/prescriptions/{prescription_id}")
async def update_prescription(
    session: SessionDep,
    user: CurrentUser,
    prescription_id: PrescriptionId,
    body: PrescriptionUpdate,
) -> PrescriptionPublic:
    """Change a prescription; give `version` to detect concurrent edits."""
    return await run_in_threadpool(
        services.update_prescription,
        session=session,
        actor=user,
        prescription_id=prescription_id,
        data=body,
    )


@router.delete("/prescriptions/{prescription_id}", status_code=204)
async def delete_prescription(
    session: SessionDep, user: CurrentUser, prescription_id: PrescriptionId
) -> Response:
    """Delete a prescription."""
    await run_in_threadpool(
        services.delete_prescription, session=session, actor=user, prescription_id=prescription_id
    )
    return Response(status_code=204)
