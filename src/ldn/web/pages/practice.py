"""Practice tools on the patient page: titration plan with hand-out PDF and calendar, diary
links (create, revoke), and blinded N-of-1 trials (create, calendar, pharmacy key, unblind).

Reading (plan, hand-out, calendar) needs read access to the patient; making links and trials,
the pharmacy key and breaking the blind need write access (clinicians of the patient's clinic,
admins) — the registry services check the role matrix.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from ldn.errors import InputError
from ldn.practice.handout import dose_calendar, handout_pdf
from ldn.practice.titration import TitrationPlan, titration_plan
from ldn.registry import diary, n_of_1_trials, permissions, services
from ldn.scales import SCALES
from ldn.web.api.common import PatientId
from ldn.web.deps import PageUser, SessionDep, in_session
from ldn.web.pages.forms import read_form
from ldn.web.templating import flash, render
from ldn.web.user_cache import CachedUser

router = APIRouter()
Num = Annotated[float | None, Query(gt=0, le=800)]


def _plan_inputs(
    start_mg: Num = None,
    step_mg: Num = None,
    every_days: Annotated[int | None, Query(ge=1, le=90)] = None,
    target_mg: Num = None,
    at: Annotated[str | None, Query(max_length=5)] = None,
    liquid_mg_per_ml: Annotated[float | None, Query(gt=0, le=10)] = None,
) -> dict[str, Any]:
    """The plan's query parameters, defaults filled in (the page and both downloads)."""
    return {
        "start_mg": 1.5 if start_mg is None else start_mg,
        "step_mg": 1.5 if step_mg is None else step_mg,
        "every_days": 7 if every_days is None else every_days,
        "target_mg": 4.5 if target_mg is None else target_mg,
        "at": at or "22:00",
        "liquid_mg_per_ml": 1.0 if liquid_mg_per_ml is None else liquid_mg_per_ml,
    }


PlanInputs = Annotated[dict[str, Any], Depends(_plan_inputs)]


def _plan(inputs: dict[str, Any]) -> TitrationPlan:
    return titration_plan(**inputs, step_back_on="insomnia")


def _page(
    request: Request,
    session: Session,
    user: Any,
    patient_id: int,
    *,
    inputs: dict[str, Any] | None = None,
    new_link: str = "",
    result: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    patient = services.get_patient(session=session, actor=user, patient_id=patient_id)
    can_write = permissions.can(user, "write", "patient", clinic_id=patient.clinic_id)
    inputs = inputs or _plan_inputs()
    plan, plan_error = None, ""
    try:
        plan = _plan(inputs)
    except InputError as exc:
        plan_error, status = str(exc), 422
    links = (
        diary.list_diary_links(session=session, actor=user, patient_id=patient_id)
        if can_write
        else []
    )
    trials = n_of_1_trials.list_n_of_1_trials(session=session, actor=user, patient_id=patient_id)
    query = "&".join(f"{k}={v}" for k, v in inputs.items())
    return render(
        request,
        "practice.html",
        {
            "patient": patient,
            "can_write": can_write,
            "inputs": inputs,
            "plan": plan,
            "plan_rows": plan.rows() if plan else [],
            "plan_error": plan_error,
            "query": query,
            "links": links,
            "new_link": new_link,
            "trials": trials,
            "result": result,
            "scales": SCALES,
            "today": date.today().isoformat(),
        },
        status_code=status,
    )


@router.get("/patients/{patient_id}/practice")
def practice_page(
    request: Request, session: SessionDep, user: PageUser, patient_id: PatientId, inputs: PlanInputs
) -> Response:
    """Titration plan (with hand-out links), diary links and N-of-1 trials of a patient."""
    return _page(request, session, user, patient_id, inputs=inputs)


@dataclass(frozen=True)
class _Download:
    """A plan download of one patient: the plan, its first day and how many days it covers."""

    code: str
    plan: TitrationPlan
    first_day: date
    days: int

    def attachment(self, body: bytes, media_type: str, suffix: str) -> Response:
        return _attachment(body, media_type, f"ldn-plan-{self.code}.{suffix}")


def _attachment(body: bytes | str, media_type: str, name: str) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(body, media_type=media_type, headers=headers)


def _download(
    session: SessionDep,
    user: PageUser,
    patient_id: PatientId,
    inputs: PlanInputs,
    days: Annotated[int, Query(ge=1, le=366)] = 28,
    start: date | None = None,
) -> _Download:
    """What both plan downloads read: the patient first (access), then the plan."""
    patient = services.get_patient(session=session, actor=user, patient_id=patient_id)
    return _Download(patient.code, _plan(inputs), start or date.today(), days)


PlanDownload = Annotated[_Download, Depends(_download)]


@router.get("/patients/{patient_id}/handout.pdf")
def handout(d: PlanDownload) -> Response:
    """The one-page hand-out PDF of the plan."""
    pdf = handout_pdf(d.plan, d.first_day, d.days, patient=d.code)
    return d.attachment(pdf, "application/pdf", "pdf")


@router.get("/patients/{patient_id}/plan.ics")
def calendar(d: PlanDownload) -> Response:
    """The dose calendar (RFC 5545) of the plan."""
    ics = dose_calendar(d.plan, d.first_day, d.days, patient=d.code)
    return d.attachment(ics, "text/calendar", "ics")


@router.post("/patients/{patient_id}/diary-links")
async def new_diary_link(
    request: Request, session: SessionDep, user: PageUser, patient_id: PatientId
) -> Response:
    """Make a diary link and show it once (the registry keeps only its hash)."""
    await read_form(request)
    return await in_session(
        session, _new_diary_link, request=request, user=user, patient_id=patient_id
    )


def _new_diary_link(
    *, session: Session, request: Request, user: CachedUser, patient_id: int
) -> Response:
    token, _ = diary.create_diary_link(session=session, actor=user, patient_id=patient_id)
    url = f"{str(request.base_url).rstrip('/')}/diary/{token}"
    response = _page(request, session, user, patient_id, new_link=url)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/patients/{patient_id}/diary-links/{link_id}/revoke")
async def revoke_link(
    request: Request, session: SessionDep, user: PageUser, patient_id: PatientId, link_id: PatientId
) -> Response:
    """Withdraw a diary link: it stops working at once."""
    await read_form(request)
    await in_session(session, diary.revoke_diary_link, actor=user, link_id=link_id)
    flash(request, "ok", "Diary link withdrawn.")
    return RedirectResponse(f"/patients/{patient_id}/practice#diary", status_code=303)


@router.post("/patients/{patient_id}/n-of-1-trials")
async def new_trial(
    request: Request, session: SessionDep, user: PageUser, patient_id: PatientId
) -> Response:
    """Randomise and store a blinded N-of-1 schedule."""
    form = await read_form(request)
    return await in_session(
        session, _new_trial, request=request, user=user, patient_id=patient_id, form=form
    )


def _new_trial(
    *, session: Session, request: Request, user: CachedUser, patient_id: int, form: dict[str, Any]
) -> Response:
    try:
        start = date.fromisoformat(str(form.get("start_date", "")))
        trial = n_of_1_trials.create_n_of_1_trial(
            session=session,
            actor=user,
            patient_id=patient_id,
            scale=str(form.get("scale", "pain_nrs")),
            start_date=start,
            cycles=int(form.get("cycles", 3)),
            period_weeks=int(form.get("period_weeks", 2)),
        )
    except (ValueError, InputError) as exc:
        flash(request, "bad", f"N-of-1 trial not made: {exc}")
        return RedirectResponse(f"/patients/{patient_id}/practice#n-of-1", status_code=303)
    flash(request, "ok", f"N-of-1 trial {trial.id} randomised; send the pharmacy key.")
    return RedirectResponse(f"/patients/{patient_id}/practice#n-of-1", status_code=303)


def _json(data: object, name: str) -> Response:
    return _attachment(json.dumps(data, indent=1), "application/json", name)


@router.get("/patients/{patient_id}/n-of-1-trials/{trial_id}/calendar.json")
def trial_calendar(
    session: SessionDep, user: PageUser, patient_id: PatientId, trial_id: PatientId
) -> Response:
    """The patient's blinded calendar."""
    cal = n_of_1_trials.blinded_calendar(session=session, actor=user, trial_id=trial_id)
    return _json({"calendar": cal}, f"n-of-1-{trial_id}-calendar.json")


@router.get("/patients/{patient_id}/n-of-1-trials/{trial_id}/key.json")
def trial_key(
    session: SessionDep, user: PageUser, patient_id: PatientId, trial_id: PatientId
) -> Response:
    """The pharmacy key (treatment per bottle) — for the pharmacy, not the patient."""
    key = n_of_1_trials.pharmacy_key(session=session, actor=user, trial_id=trial_id)
    return _json(key, f"n-of-1-{trial_id}-pharmacy-key.json")


@router.post("/patients/{patient_id}/n-of-1-trials/{trial_id}/unblind")
async def unblind(
    request: Request,
    session: SessionDep,
    user: PageUser,
    patient_id: PatientId,
    trial_id: PatientId,
) -> Response:
    """Break the blind and show the Bayesian analysis on the randomised periods."""
    await read_form(request)
    return await in_session(
        session, _unblind, request=request, user=user, patient_id=patient_id, trial_id=trial_id
    )


def _unblind(
    *, session: Session, request: Request, user: CachedUser, patient_id: int, trial_id: int
) -> Response:
    try:
        result = n_of_1_trials.unblind_n_of_1_trial(session=session, actor=user, trial_id=trial_id)
    except InputError as exc:
        flash(request, "bad", str(exc))
        return RedirectResponse(f"/patients/{patient_id}/practice#n-of-1", status_code=303)
    return _page(request, session, user, patient_id, result=result)
