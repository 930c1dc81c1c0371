"""Analyses: a patient's N-of-1 result and the cohort summary (read-only, all roles)."""

from __future__ import annotations

import math
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from ldn.analysis.cohort import CohortReport
from ldn.analysis.course import NOf1Settings
from ldn.errors import InputError
from ldn.registry import services
from ldn.registry.analysis_io import patient_analysis
from ldn.web.api.common import ERRORS, PatientId
from ldn.web.deps import CurrentUser, SessionDep, in_session

router = APIRouter(tags=["analysis"], responses=ERRORS)


class CohortSummary(BaseModel):
    """The cohort report's tables as lists of rows (see docs/n-of-1.md for definitions)."""

    as_of: str | None
    n_patients: int
    responder_probability: float
    responders: list[dict[str, Any]]
    adverse_events: list[dict[str, Any]]
    side_by_side: list[dict[str, Any]]
    evidence_note: str
    message: str = ""


def _rows(frame: pd.DataFrame | None) -> list[dict[str, Any]]:
    if frame is None or frame.empty:
        return []
    rows = frame.astype(object).to_dict(orient="records")
    return [
        {
            k: (None if isinstance(v, float) and not math.isfinite(v) else _plain(v))
            for k, v in row.items()
        }
        for row in rows
    ]


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if pd.isna(value):
        return None
    if hasattr(value, "item"):
        return value.item()
    return str(value)


@router.get("/patients/{patient_id}/n-of-1")
async def read_n_of_1(
    session: SessionDep,
    user: CurrentUser,
    patient_id: PatientId,
    scale: Annotated[str | None, Query(max_length=32)] = None,
) -> dict[str, Any]:
    """The patient's N-of-1 analysis on `scale` (default: the most-assessed scale)."""
    return await in_session(session, _n_of_1, user=user, patient_id=patient_id, scale=scale)


def _n_of_1(*, session: Session, user: Any, patient_id: int, scale: str | None) -> dict[str, Any]:
    # in the threadpool: the analysis is CPU work
    patient = services.get_patient(session=session, actor=user, patient_id=patient_id)
    analysis = patient_analysis(
        session, patient.code, scale, actor=user, clinic_id=patient.clinic_id
    )
    return {k: _plain(v) for k, v in analysis.summary().items()}


@router.get("/cohort/summary", response_model=CohortSummary)
async def read_cohort_summary(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """Responders by condition and dose, side-effect rates and pooled trial evidence."""
    return await in_session(session, _cohort_summary, request=request, user=user)


def _cohort_summary(*, session: Session, request: Request, user: Any) -> Response:
    # in the threadpool: the change-stamp query, and on a miss the report itself (seconds)
    cache = request.app.state.cohort_cache
    try:
        report = cache.report(session, user)
    except InputError as exc:  # e.g. no dated records yet: an empty report, not an error
        count = services.list_patients(session=session, actor=user, limit=1).count
        empty = CohortSummary(
            as_of=None,
            n_patients=count,
            responder_probability=NOf1Settings.from_parameters().responder_probability,
            responders=[],
            adverse_events=[],
            side_by_side=[],
            evidence_note="",
            message=str(exc),
        )
        return Response(empty.model_dump_json(), media_type="application/json")
    # the report is cached for many readers; serialise it once (tens of ms) per report
    body = cache.derived(report, "summary.json", lambda: _summary(report).model_dump_json())
    return Response(body, media_type="application/json")


def _summary(report: CohortReport) -> CohortSummary:
    return CohortSummary(
        as_of=str(report.as_of),
        n_patients=report.n_patients,
        responder_probability=report.settings.responder_probability,
        responders=_rows(report.responders),
        adverse_events=_rows(report.adverse_events),
        side_by_side=_rows(report.side_by_side()),
        evidence_note=report.evidence_note,
    )
