"""Patient pages: list and search, add a patient, the patient page and its three forms
(prescription, assessment, side effect). Forms re-render with a message under each bad field
(HTTP 422); a valid form is saved through `ldn.registry.services` and redirects (303).

GET handlers are plain `def` (FastAPI runs them in the threadpool); POST handlers read the form
on the event loop and do all database work and rendering in the threadpool (`in_session`), so
no request ever waits on the event loop for the database."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from ldn.errors import InputError
from ldn.regimen.titration_text import titration_records
from ldn.registry import permissions, services
from ldn.registry.conditions import registry_condition
from ldn.registry.errors import ConflictError
from ldn.registry.models import AE_TYPES, CONDITIONS, FORMULATIONS, SEVERITIES, SEXES, User
from ldn.registry.schemas import AdverseEventCreate, AssessmentCreate, PatientCreate
from ldn.registry.schemas import PrescriptionCreate as RxCreate
from ldn.scales import SCALES, scales_for_condition
from ldn.web.api.common import PatientId, SearchText
from ldn.web.deps import PageUser, SessionDep, in_session
from ldn.web.pages.forms import (
    FieldErrors,
    FormValues,
    read_form,
    validate,
    without_blanks,
)
from ldn.web.pages.n_of_1 import patient_analyses
from ldn.web.templating import flash, render
from ldn.web.user_cache import CachedUser

router = APIRouter()
PAGE_SIZE = 50


def _clinic_names(session: Session, user: User | CachedUser) -> dict[int, str]:
    return {c.id: c.name for c in services.list_clinics(session=session, actor=user)}


@router.get("/patients")
def patient_list(
    request: Request,
    session: SessionDep,
    user: PageUser,
    q: SearchText = None,
    condition: Annotated[str | None, Query(max_length=64)] = None,
    skip: Annotated[int, Query(ge=0, le=10**6)] = 0,
) -> Response:
    """Patients the user may see, searchable by code and filterable by condition (any
    spelling, e.g. "lupus"); an unknown condition is a message (422), not an unfiltered list."""
    error = None
    try:
        condition = registry_condition(condition) if condition else None
    except ValueError as exc:
        error, condition = str(exc), None
    page = None
    if error is None:
        page = services.list_patients(
            session=session, actor=user, skip=skip, limit=PAGE_SIZE, search=q, condition=condition
        )
    return render(
        request,
        "patients.html",
        {
            "patients": page.data if page else [],
            "count": page.count if page else 0,
            "error": error,
            "q": q,
            "condition": condition,
            "conditions": CONDITIONS,
            "skip": skip,
            "limit": PAGE_SIZE,
            "clinics": _clinic_names(session, user),
            "can_write": permissions.can(user, "write", "patient"),
            "pseudonymised": permissions.is_pseudonymised(user),
        },
        status_code=200 if error is None else 422,
    )


def _new_patient_page(
    request: Request,
    session: Session,
    user: User | CachedUser,
    form: FormValues,
    errors: FieldErrors,
    status: int,
) -> Response:
    clinics = []
    if user.clinic_id is None:  # admins choose the clinic
        clinics = [(str(c), name) for c, name in _clinic_names(session, user).items()]
    return render(
        request,
        "patient_new.html",
        {
            "form": form,
            "errors": errors,
            "sexes": [(s, s) for s in SEXES],
            "conditions": CONDITIONS,
            "clinics": clinics,
        },
        status_code=status,
    )


@router.get("/patients/new")
def new_patient_form(request: Request, session: SessionDep, user: PageUser) -> Response:
    """The add-patient form (clinicians and admins)."""
    permissions.require(user, "write", "patient")
    return _new_patient_page(request, session, user, {"sex": "female"}, {}, 200)


@router.post("/patients/new")
async def create_patient(request: Request, session: SessionDep, user: PageUser) -> Response:
    """Validate and save a new patient, then open their page."""
    form = await read_form(request, lists=("conditions",))
    return await in_session(session, _create_patient, request=request, user=user, form=form)


def _create_patient(
    *, session: Session, request: Request, user: User, form: FormValues
) -> Response:
    # in the threadpool: the database may wait (e.g. for SQLite's write lock)
    data = without_blanks(form)
    errors = validate(PatientCreate, data)
    if not errors:
        try:
            patient = services.create_patient(session=session, actor=user, data=data)
        except InputError as exc:
            errors = {"__all__": str(exc)}
        except ConflictError as exc:  # the code is taken in this clinic
            errors = {"code": str(exc)}
    if errors:
        return _new_patient_page(request, session, user, form, errors, 422)
    flash(request, "ok", f"Patient {patient.code} added.")
    return RedirectResponse(f"/patients/{patient.id}", status_code=303)


def _scale_options(conditions: list[str]) -> list[tuple[str, str]]:
    preferred = [s.code for c in conditions for s in scales_for_condition(c)]
    order = list(dict.fromkeys([*preferred, *SCALES]))
    return [
        (code, f"{SCALES[code].label} ({SCALES[code].min:g}–{SCALES[code].max:g})")
        for code in order
    ]


def _patient_page(
    request: Request,
    session: Session,
    user: User | CachedUser,
    patient_id: int,
    forms: dict[str, tuple[FormValues, FieldErrors]] | None = None,
    status: int = 200,
) -> Response:
    patient = services.get_patient(session=session, actor=user, patient_id=patient_id)
    prescriptions = services.list_prescriptions(session=session, actor=user, patient_id=patient_id)
    assessments = services.list_assessments(session=session, actor=user, patient_id=patient_id)
    adverse_events = services.list_adverse_events(
        session=session, actor=user, patient_id=patient_id
    )
    today = date.today().isoformat()
    defaults: dict[str, FormValues] = {
        "prescription": {
            "dose_mg": "4.5",
            "clock_time": "22:00",
            "formulation": "capsule",
            "start_date": today,
        },
        "assessment": {"assessed_on": today},
        "adverse_event": {"severity": "mild", "event_type": "vivid_dreams", "onset_date": today},
    }
    forms = forms or {}
    ctx_forms = {name: forms.get(name, (defaults[name], {})) for name in defaults}
    scale_options = _scale_options(patient.conditions)
    ctx_forms["assessment"][0].setdefault("scale", scale_options[0][0])
    return render(
        request,
        "patient.html",
        {
            "patient": patient,
            "clinic": _clinic_names(session, user).get(patient.clinic_id, patient.clinic_id),
            "prescriptions": prescriptions,
            "assessments": assessments,
            "adverse_events": adverse_events,
            "analyses": patient_analyses(session, user, patient, assessments, prescriptions),
            "can_write": permissions.can(user, "write", "patient", clinic_id=patient.clinic_id),
            "pseudonymised": permissions.is_pseudonymised(user),
            "forms": ctx_forms,
            "scales": SCALES,
            "scale_options": scale_options,
            "formulations": [(f, f) for f in FORMULATIONS],
            "ae_types": [(t, t.replace("_", " ")) for t in AE_TYPES],
            "severities": [(s, s) for s in SEVERITIES],
            "prescription_options": [("", "—")]
            + [(str(rx.id), f"{rx.dose_mg:g} mg from {rx.start_date}") for rx in prescriptions],
        },
        status_code=status,
    )


@router.get("/patients/{patient_id}")
def patient_page(
    request: Request, session: SessionDep, user: PageUser, patient_id: PatientId
) -> Response:
    """Regimen timeline, outcome plot with the N-of-1 result, records and forms."""
    return _patient_page(request, session, user, patient_id)


# form name → (schema, service function, message after saving, page anchor)
_RECORD_FORMS: dict[str, tuple[Any, Any, str, str]] = {
    "prescription": (RxCreate, services.add_prescription, "Prescription saved.", "prescriptions"),
    "assessment": (AssessmentCreate, services.add_assessment, "Assessment saved.", "outcomes"),
    "adverse_event": (
        AdverseEventCreate,
        services.add_adverse_event,
        "Side effect saved.",
        "side-effects",
    ),
}


def _save_record(
    request: Request,
    session: Session,
    user: User | CachedUser,
    patient_id: int,
    name: str,
    form: FormValues,
    data: dict[str, Any],
    errors: FieldErrors | None = None,
) -> Response:
    """Validate `data` with the form's schema, save it, or re-render the page with messages."""
    schema, save, saved_text, anchor = _RECORD_FORMS[name]
    errors = errors or validate(schema, data)
    if not errors:
        try:
            save(session=session, actor=user, patient_id=patient_id, data=data)
        except InputError as exc:
            errors = {"__all__": str(exc)}
    if errors:
        return _patient_page(request, session, user, patient_id, {name: (form, errors)}, 422)
    flash(request, "ok", saved_text)
    return RedirectResponse(f"/patients/{patient_id}#{anchor}", status_code=303)


def _form_data(request: Request, name: str, form: FormValues) -> tuple[dict[str, Any], FieldErrors]:
    """The form without blanks; a prescription's titration text parsed into steps (an old
    spelling is read and its deprecation note shown on the next page)."""
    data = without_blanks(form)
    errors: FieldErrors = {}
    if name == "prescription":
        try:
            data["titration"] = titration_records(
                str(data.get("titration", "")),
                on_deprecated=lambda note: flash(request, "ok", note),
            )
        except InputError as exc:
            errors = {"titration": str(exc)}
    return data, errors


def _record_form_route(name: str, path: str, doc: str) -> None:
    """POST `path`: save the patient page's `name` form (`_RECORD_FORMS`) and go back."""

    async def save(
        request: Request, session: SessionDep, user: PageUser, patient_id: PatientId
    ) -> Response:
        form = await read_form(request)
        data, errors = _form_data(request, name, form)

        # the form was read on the event loop; the write runs in the threadpool, so a database
        # that makes it wait holds up no other request
        def write(*, session: Session) -> Response:
            return _save_record(request, session, user, patient_id, name, form, data, errors)

        return await in_session(session, write)

    save.__doc__ = doc
    router.add_api_route(path, save, methods=["POST"], name=f"add_{name}")


for _name, _path, _doc in (
    ("prescription", "prescriptions", "Save a prescription from the patient page's form."),
    ("assessment", "assessments", "Save an outcome assessment from the patient page's form."),
    ("adverse_event", "adverse-events", "Save a side effect from the patient page's form."),
):
    _record_form_route(_name, f"/patients/{{patient_id}}/{_path}", _doc)
