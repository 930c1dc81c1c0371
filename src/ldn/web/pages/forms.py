"""Turning submitted HTML forms into service input, and validation errors into field messages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Request
from pydantic import BaseModel, ValidationError

from ldn.regimen.titration_text import parse_titration as titration_steps
from ldn.registry.schemas import error_messages
from ldn.web.deps import check_form_csrf
from ldn.web.security import CSRF_FORM_FIELD

FormValues = dict[str, Any]
FieldErrors = dict[str, str]


async def read_form(request: Request, *, lists: tuple[str, ...] = ()) -> FormValues:
    """The submitted form as a dict (after the CSRF check); `lists` fields keep every value."""
    form = await request.form()
    check_form_csrf(request, form.get(CSRF_FORM_FIELD))
    values: FormValues = {}
    for key in form:
        if key == CSRF_FORM_FIELD:
            continue
        if key in lists:
            values[key] = [str(v) for v in form.getlist(key)]
        else:
            raw = form.get(key)
            values[key] = raw.strip() if isinstance(raw, str) else raw
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


def parse_titration(text: str) -> list[dict[str, float | int]]:
    """Titration steps written as everywhere else (`ldn.regimen.titration_text`): "1.5:14, 3:14"."""
    if not text.strip():
        return []
    steps = titration_steps(text, what="titration", open_ended_last=False)
    return [{"dose_mg": dose, "days": int(days or 0)} for dose, days in steps]
