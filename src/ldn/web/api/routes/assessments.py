"""Outcome assessments of a patient: list, add, correct, delete."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from ldn.registry import services
from ldn.registry.schemas import AssessmentCreate, AssessmentPublic, AssessmentUpdate, Page
from ldn.scales import SCALES
from ldn.web.api.common import ERRORS, AssessmentId, PatientId
from ldn.web.deps import CurrentUser, SessionDep, in_session

router = APIRouter(tags=["assessments"], responses=ERRORS)

ScaleQuery = Annotated[
    str | None,
    Query(max_length=32, description=f"scale code: {', '.join(SCALES)}"),
]


@router.get("/patients/{patient_id}/assessments")
async def list_assessments(
    session: SessionDep, user: CurrentUser, patient_id: PatientId, scale: ScaleQuery = None
) -> Page[AssessmentPublic]:
    """A patient's assessments by date, optionally of one scale."""
    rows = await in_session(
        session, services.list_assessments, actor=user, patient_id=patient_id, scale=scale
    )
    return Page[AssessmentPublic](data=rows, count=len(rows))


@router.post("/patients/{patient_id}/assessments", status_code=201)
async def add_assessment(
    session: SessionDep, user: CurrentUser, patient_id: PatientId, body: AssessmentCreate
) -> AssessmentPublic:
    """Record an outcome on a validated scale (value checked against the scale's range)."""
    return await in_session(
        session, services.add_assessment, actor=user, patient_id=patient_id, data=body
    )


@router.patch("/assessments/{assessment_id}")
async def update_assessment(
    session: SessionDep, user: CurrentUser, assessment_id: AssessmentId, body: AssessmentUpdate
) -> AssessmentPublic:
    """Correct an assessment; give `version` to detect concurrent edits."""
    return await in_session(
        session,
        services.update_assessment,
        actor=user,
        assessment_id=assessment_id,
        data=body,
    )


@router.delete("/assessments/{assessment_id}", status_code=204)
async def delete_assessment(
    session: SessionDep, user: CurrentUser, assessment_id: AssessmentId
) -> Response:
    """Delete an assessment."""
    await in_session(session, services.delete_assessment, actor=user, assessment_id=assessment_id)
    return Response(status_code=204)
