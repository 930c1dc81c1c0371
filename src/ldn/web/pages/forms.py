"""Turning submitted HTML forms into service input, and validation errors into field messages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import HTTPException, Request
from pydantic import BaseModel, ValidationError

from ldn.registry.schemas import MAX_TEXT_CHARS, error_messages
from ldn.web.deps import check_form_csrf
from ldn.web.security import CSRF_FORM_FIELD

FormValues = dict[str, Any]
MAX_FORM_FIELDS = 100
FieldErrors = dict[str, str]


async def read_form(request: Request, *, lists: tuple[str, ...] = ()) -> FormValues:
    """The submitted form as a dict (after the CSRF check); `lists` fields keep every value.

    Every field is bounded: at most `MAX_FORM_FIELDS` fields of at most `MAX_TEXT_CHARS`
    characters each (the limit the schemas put on the longest text field, shared with the
    API), else 422 naming the field. The body as a whole is limited by
    `ldn.web.limits.BodyLimitMiddleware` before it is read.
    """
    form = await request.form(max_fields=MAX_FORM_FIELDS, max_files=0)
    check_form_csrf(request, form.get(CSRF_FORM_FIELD))
    values: FormValues = {}
    for key, raw in form.multi_items():
        if isinstance(raw, str) and len(raw) > MAX_TEXT_CHARS:
            raise HTTPException(
                status_code=422,
                detail=f"{key[:40]}: the text is longer than {MAX_TEXT_CHARS} characters; "
                "shorten it",
            )
    for key in form:
        if key == CSRF_FORM_FIELD:
            continue
        if key in lists:
            values[key] = [str(v) for v in form.getlist(key)]
        else:
            got = form.get(key)
            values[key] = got.strip() if isinstance(got, str) else got
    for key in lists:
        values.setdefault(key, [])
    return values


def without_blanks(values: Mapping[str, Any]) -> dict[str, Any]:
    """The values without empty text fields (so optional fields fall back to their default)."""
    return {k: v for k, v in values.items() if not (isinstance(v, str) and v == "")}


def validate(schema: type[BaseModel], data: Mapping[str, Any]) -> FieldErrors:
    """Field → message for every problem `schema` finds in `data` (empty when valid)."""
    try:
        schema.model_validate(dict(data))
    except ValidationError as exc:
        errors: FieldErrors = {}
        for field, message in error_messages(exc):
            key = field.split(".")[0] if field and field != "record" else "__all__"
            errors.setdefault(key, message)
        return errors
    return {}
