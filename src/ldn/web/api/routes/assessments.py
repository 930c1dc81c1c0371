"""Outcome assessments of a patient: list, add, correct, delete."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from starlette.concurrency import run_in_threadpool

from ldn.registry import services
from ldn.registry.scales import SCALES
from ldn.registry.schemas import AssessmentCreate, AssessmentPublic, AssessmentUpdate, Page
from ldn.web.api.common import ERRORS, AssessmentId, PatientId
from ldn.web.deps import CurrentUser, SessionDep

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
    rows = await run_in_threadpool(
        services.list_assessments, session=session, actor=user, patient_id=patient_id, scale=scale
    )
    return Page[AssessmentPublic](data=rows, count=len(rows))


@router.post("/patients/{patient_id}/assessments", status_code=201)
async def add_assessment(
    session: SessionDep, user: CurrentUser, patient_id: PatientId, body: AssessmentCreate
) -> AssessmentPublic:
    """Record an outcome on a validated scale (value checked against the scale's range)."""
    return await run_in_threadpool(
        services.add_assessment, session=session, actor=user, patient_id=patient_id, data=body
    )


@router.patch("/assessments/{assessment_id}")
async def update_assessment(
    session: SessionDep, user: CurrentUser, assessment_id: AssessmentId, body: AssessmentUpdate
) -> AssessmentPublic:
    """Correct an assessment; give `version` to detect concurrent edits."""
    return await run_in_threadpool(
        services.update_assessment,
        session=session,
        actor=user,
        assessment_id=assessment_id,
        data=body,
    )


@router.delete("/assessments/{assessment_id}", status_code=204)
async def delete_assessment(
    session: SessionDep, user: CurrentUser, assessment_id: AssessmentId
) -> Response:
    """Delete an assessment."""
    await run_in_threadpool(
        services.delete_assessment, session=session, actor=user, assessment_id=assessment_id
    )
    return Response(status_code=204)
