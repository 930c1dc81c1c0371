"""Shared pieces of the JSON API: id path parameters, paging, error schema, responses."""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import Path, Query
from pydantic import BaseModel

# Row ids are 32-bit integers on both back ends; larger ids cannot exist, so they are refused
# as invalid input (422) before they reach the database driver.
MAX_ID: Final = 2**31 - 1
MAX_LIMIT: Final = 1000


class ErrorOut(BaseModel):
    """Every 4xx answer: one sentence naming the value, the rule and the fix."""

    detail: str


def _id(description: str) -> Any:
    return Path(ge=1, le=MAX_ID, description=description)


PatientId = Annotated[int, _id("patient id")]
PrescriptionId = Annotated[int, _id("prescription id")]
AssessmentId = Annotated[int, _id("assessment id")]
AdverseEventId = Annotated[int, _id("adverse event id")]
Skip = Annotated[int, Query(ge=0, le=MAX_ID, description="rows to skip")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="rows to return")]
SearchText = Annotated[
    str | None,
    Query(max_length=64, pattern=r"^[^\x00]*$", description="part of a patient code"),
]

ERRORS: Final[dict[int | str, dict[str, Any]]] = {
    401: {"model": ErrorOut, "description": "not logged in"},
    403: {"model": ErrorOut, "description": "the role may not do this"},
    404: {"model": ErrorOut, "description": "no such row"},
    409: {"model": ErrorOut, "description": "changed concurrently or duplicate"},
    422: {"model": ErrorOut, "description": "invalid input"},
}
