"""Import and export: the registry's CSV format and a patient's FHIR R4 Bundle."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, UploadFile
from pydantic import BaseModel, Field
from starlette.responses import JSONResponse, Response

from ldn.registry.csv_export import export_csv
from ldn.registry.fhir import export_fhir
from ldn.registry.import_export import CsvImportError, import_csv
from ldn.web.api.common import ERRORS, MAX_ID, ErrorOut, PatientId
from ldn.web.data_io import read_csv_upload
from ldn.web.deps import CurrentUser, SessionDep, in_session

router = APIRouter(tags=["import and export"], responses=ERRORS)

ClinicQuery = Annotated[int | None, Query(ge=1, le=MAX_ID, description="clinic id")]
RawQuery = Annotated[
    bool,
    Query(
        description="false (default): cells starting with =, +, -, @, tab or CR get a leading ' "
        "so spreadsheets do not run them as formulas; true: stored values unchanged (for "
        "round trips into another registry)"
    ),
]


class ImportProblem(BaseModel):
    row: int
    column: str
    message: str


class ImportNote(ImportProblem):
    """A row that was imported but is written in an old spelling; `message` names the new one."""


class ImportOut(BaseModel):
    """Records created by an import, per record type, and a note per row written in an old
    spelling (e.g. titration "1.5x7;3x7", now "1.5:7,3:7")."""

    created: dict[str, int]
    total: int
    notes: list[ImportNote] = Field(default_factory=list)


class ImportRejected(ErrorOut):
    """The file was rejected whole; every problem is listed."""

    problems: list[ImportProblem]


@router.get(
    "/export.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "CSV in the import format"}},
)
def export_registry_csv(
    session: SessionDep, user: CurrentUser, clinic_id: ClinicQuery = None, raw: RawQuery = False
) -> Response:
    """All records the caller may export, in the CSV import format (researchers: no free text);
    formula-like cells are neutralised unless `raw=true`."""
    text = export_csv(session=session, actor=user, clinic_id=clinic_id, raw=raw)
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="ldn-registry.csv"'},
    )


@router.post(
    "/import",
    response_model=ImportOut,
    responses={422: {"model": ImportRejected, "description": "file rejected, nothing written"}},
)
async def import_registry_csv(
    session: SessionDep,
    user: CurrentUser,
    file: Annotated[UploadFile, File(description="CSV in the registry format")],
    clinic_id: Annotated[int | None, Form(ge=1, le=MAX_ID)] = None,
) -> ImportOut | JSONResponse:
    """Import a CSV file all-or-nothing; a bad file lists every problem by row and column."""
    text = await read_csv_upload(file)
    try:
        summary = await in_session(session, import_csv, actor=user, text=text, clinic_id=clinic_id)
    except CsvImportError as exc:
        body = ImportRejected(
            detail=exc.headline,
            problems=[
                ImportProblem(row=p.row, column=p.column, message=p.message) for p in exc.problems
            ],
        )
        return JSONResponse(body.model_dump(), status_code=422)
    notes = [ImportNote(row=n.row, column=n.column, message=n.message) for n in summary.notes]
    return ImportOut(created=dict(summary.created), total=summary.total, notes=notes)


@router.get(
    "/patients/{patient_id}/fhir",
    response_class=Response,
    responses={200: {"content": {"application/fhir+json": {}}, "description": "FHIR R4 Bundle"}},
)
def export_patient_fhir(session: SessionDep, user: CurrentUser, patient_id: PatientId) -> Response:
    """The patient's records as a validated FHIR R4 Bundle (Patient, MedicationRequest,
    Observation, AdverseEvent)."""
    text = export_fhir(session=session, actor=user, patient_ids=[patient_id])
    return Response(text, media_type="application/fhir+json")
