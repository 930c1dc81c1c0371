"""Jinja2 templates and the context every page gets (user, CSRF token, flash messages); the
`titration` filter writes a stored titration as `ldn.regimen.titration_text` does."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from ldn.regimen.titration_text import format_titration
from ldn.web.security import csrf_token

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))


def titration_text(steps: Iterable[Any]) -> str:
    """`{{ rx.titration|titration }}`: a prescription's titration steps (`dose_mg`, `days`) in
    the one written form of `ldn.regimen.titration_text`, e.g. "1.5:7,3:7" ("" for none)."""
    return format_titration([(s.dose_mg, s.days) for s in steps])


templates.env.filters["titration"] = titration_text

_FLASH_KEY = "flash"


def flash(request: Request, kind: str, text: str) -> None:
    """Queue a one-off message (`kind` "ok" or "bad") for the next rendered page."""
    queued = list(request.session.get(_FLASH_KEY, []))
    queued.append([kind, text])
    request.session[_FLASH_KEY] = queued


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> Response:
    """Render template `name` with the shared context; pops queued flash messages."""
    flashes = request.session.pop(_FLASH_KEY, []) if _FLASH_KEY in request.session else []
    ctx: dict[str, Any] = {
        "user": getattr(request.state, "user", None),
        "csrf_token": csrf_token(request.session),
        "flashes": flashes,
    }
    ctx.update(context or {})
    return templates.TemplateResponse(request, name, ctx, status_code=status_code)
