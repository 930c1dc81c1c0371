"""Adverse events (side effects) of a patient: list, add, change, delete."""

from __future__ import annotations

from fastapi import APIRouter, Response

from ldn.registry import services
from ldn.registry.schemas import (
    AdverseEventCreate,
    AdverseEventPublic,
    AdverseEventUpdate,
    Page,
)
from ldn.web.api.common import ERRORS, AdverseEventId, PatientId
from ldn.web.deps import CurrentUser, SessionDep, in_session

router = APIRouter(tags=["adverse events"], responses=ERRORS)


@router.get("/patients/{patient_id}/adverse-events")
async def list_adverse_events(
    session: SessionDep, user: CurrentUser, patient_id: PatientId
) -> Page[AdverseEventPublic]:
    """A patient's adverse events by onset date."""
    rows = await in_session(
        session, services.list_adverse_events, actor=user, patient_id=patient_id
    )
    return Page[AdverseEventPublic](data=rows, count=len(rows))


@router.post("/patients/{patient_id}/adverse-events", status_code=201)
async def add_adverse_event(
    session: SessionDep, user: CurrentUser, patient_id: PatientId, body: AdverseEventCreate
) -> AdverseEventPublic:
    """Record a side effect (type, severity, onset and end dates)."""
    return await in_session(
        session, services.add_adverse_event, actor=user, patient_id=patient_id, data=body
    )


@router.patch("/adverse-events/{adverse_event_id}")
async def update_adverse_event(
    session: SessionDep,
    user: CurrentUser,
    adverse_event_id: AdverseEventId,
    body: AdverseEventUpdate,
) -> AdverseEventPublic:
    """Change an adverse event (e.g. its end date); give `version` to detect concurrent edits."""
    return await in_session(
        session,
        services.update_adverse_event,
        actor=user,
        adverse_event_id=adverse_event_id,
        data=body,
    )


@router.delete("/adverse-events/{adverse_event_id}", status_code=204)
async def delete_adverse_event(
    session: SessionDep, user: CurrentUser, adverse_event_id: AdverseEventId
) -> Response:
    """Delete an adverse event."""
    await in_session(
        session,
        services.delete_adverse_event,
        actor=user,
        adverse_event_id=adverse_event_id,
    )
    return Response(status_code=204)
