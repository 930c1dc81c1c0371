"""Import/export page: download the CSV, upload a CSV (all-or-nothing), FHIR per patient."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile
from starlette.responses import Response

from ldn.registry import permissions, services
from ldn.registry.csv_export import export_csv
from ldn.registry.fhir import export_fhir
from ldn.registry.import_export import CsvImportError, import_csv
from ldn.registry.models import User
from ldn.web.api.common import PatientId
from ldn.web.api.routes.data import ClinicQuery, RawQuery
from ldn.web.data_io import read_csv_upload
from ldn.web.deps import PageUser, SessionDep, check_form_csrf, in_session
from ldn.web.security import CSRF_FORM_FIELD
from ldn.web.templating import flash, render
from ldn.web.user_cache import CachedUser

router = APIRouter()


def _clinics(session: Session, user: User | CachedUser) -> list[tuple[int, str]]:
    """Clinics the user may read (an admin also picks one of them to import into)."""
    return [(c.id, c.name) for c in services.list_clinics(session=session, actor=user)]


def _page(request: Request, user: User | CachedUser, **ctx: object) -> Response:
    status = int(ctx.pop("status_code", 200))  # type: ignore[call-overload]
    return render(
        request,
        "data.html",
        {
            "can_import": permissions.can(user, "write", "import"),
            "can_export": permissions.can(user, "read", "export"),
            **ctx,
        },
        status_code=status,
    )


@router.get("/data")
def data_page(request: Request, session: SessionDep, user: PageUser) -> Response:
    """Links and the upload form."""
    return _page(request, user, clinics=_clinics(session, user))


@router.get("/data/export.csv")
def export_page(
    request: Request,
    session: SessionDep,
    user: PageUser,
    clinic_id: ClinicQuery = None,
    raw: RawQuery = False,
) -> Response:
    """Download one clinic's records as CSV (clinicians: their own clinic); spreadsheet-safe
    unless `raw`."""
    return Response(
        export_csv(session=session, actor=user, clinic_id=clinic_id, raw=raw),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="ldn-registry.csv"'},
    )


@router.post("/data/import")
async def import_page(request: Request, session: SessionDep, user: PageUser) -> Response:
    """Import an uploaded CSV; show every problem (nothing written) or what was created, with
    a note for every row read in an old spelling."""
    async with request.form(max_files=1, max_fields=10) as form:  # closes the spooled upload
        check_form_csrf(request, form.get(CSRF_FORM_FIELD))
        upload = form.get("file")
        text = None
        if isinstance(upload, UploadFile) and upload.filename:
            text = await read_csv_upload(upload)
        clinic = str(form.get("clinic_id") or "")
    clinic_id = int(clinic) if clinic.isdigit() and len(clinic) < 10 else None
    # parsing, checking and writing a large file takes seconds: in the threadpool
    return await in_session(
        session, _import, request=request, user=user, text=text, clinic_id=clinic_id
    )


def _import(
    *, session: Session, request: Request, user: User, text: str | None, clinic_id: int | None
) -> Response:
    if text is None:
        return _page(
            request,
            user,
            error="choose a CSV file to upload",
            clinics=_clinics(session, user),
            status_code=422,
        )
    try:
        summary = import_csv(session=session, actor=user, text=text, clinic_id=clinic_id)
    except CsvImportError as exc:
        return _page(
            request,
            user,
            error=exc.headline,
            problems=exc.problems,
            clinics=_clinics(session, user),
            status_code=422,
        )
    created = ", ".join(f"{n} {kind.replace('_', ' ')}s" for kind, n in summary.created.items())
    flash(request, "ok", f"Imported {summary.total} records ({created}).")
    return _page(request, user, notes=summary.notes, clinics=_clinics(session, user))


@router.get("/patients/{patient_id}/fhir.json")
def fhir_page(
    request: Request, session: SessionDep, user: PageUser, patient_id: PatientId
) -> Response:
    """The patient's FHIR R4 Bundle as a download."""
    return Response(
        export_fhir(session=session, actor=user, patient_ids=[patient_id]),
        media_type="application/fhir+json",
        headers={"Content-Disposition": f'attachment; filename="patient-{patient_id}.fhir.json"'},
    )
