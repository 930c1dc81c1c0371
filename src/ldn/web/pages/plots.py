"""PNG images on the patient page: regimen timeline and the N-of-1 outcome plot."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from ldn.registry import services
from ldn.report.n_of_1_plot import analysis_png
from ldn.web.api.common import PatientId
from ldn.web.deps import PageUser, SessionDep
from ldn.web.pages.n_of_1 import analysis_for
from ldn.web.plots import timeline_png

router = APIRouter()
_PNG_HEADERS = {"Cache-Control": "no-store"}


@router.get("/patients/{patient_id}/timeline.png")
def timeline(
    request: Request, session: SessionDep, user: PageUser, patient_id: PatientId
) -> Response:
    """The patient's doses over time with side effects."""
    rx = services.list_prescriptions(session=session, actor=user, patient_id=patient_id)
    aes = services.list_adverse_events(session=session, actor=user, patient_id=patient_id)
    return Response(timeline_png(rx, aes), media_type="image/png", headers=_PNG_HEADERS)


@router.get("/patients/{patient_id}/n-of-1.png")
def n_of_1_plot(
    request: Request,
    session: SessionDep,
    user: PageUser,
    patient_id: PatientId,
    scale: Annotated[str | None, Query(max_length=32)] = None,
) -> Response:
    """The course on one scale with the N-of-1 estimate (when evaluable)."""
    patient = services.get_patient(session=session, actor=user, patient_id=patient_id)
    analysis = analysis_for(session, user, patient, scale)
    return Response(analysis_png(analysis), media_type="image/png", headers=_PNG_HEADERS)
