"""Exception handlers: every expected failure becomes a 4xx with a clear message.

| raised                                   | API (JSON `{"detail": ...}`) | pages                  |
|------------------------------------------|------------------------------|------------------------|
| `ldn.errors.InputError`                  | 422                          | 422 error page         |
| `ldn.registry.errors.PermissionDenied`   | 403                          | 403 error page         |
| `ldn.registry.errors.NotFound`           | 404                          | 404 error page         |
| `ldn.registry.errors.ConflictError`      | 409                          | 409 error page         |
| request validation (pydantic)            | 422, one line per field      | 422 error page         |
| `LoginRequired` (no/expired session)     | 401 + WWW-Authenticate       | 303 redirect to /login |
| value the database cannot store (NUL     | 422                          | 422 error page         |
| byte in text, integer beyond 64 bits)    |                              |                        |
| SQLite "database is locked" (busy        | 503 + Retry-After            | 503 error page         |
| timeout passed)                          |                              |                        |
| integrity / stale-version error that     | 409 (same wording as the     | 409 error page         |
| escaped a service (backstop)             | services' `conflict_message`)|                        |

Forms that can be corrected re-render themselves with field messages (see `ldn.web.pages`);
these handlers are the safety net for everything else.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, RedirectResponse, Response

from ldn.errors import InputError, LdnError
from ldn.registry._common import STALE_MESSAGE, conflict_message
from ldn.registry.errors import ConflictError, NotFound, PermissionDenied

_TITLES = {
    400: "Bad request",
    401: "Please log in",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Changed by someone else",
    413: "Too large",
    422: "Please check your input",
    429: "Too many attempts",
    503: "Busy",
}


class LoginRequired(Exception):
    """No valid session or token: pages redirect to /login, the API answers 401."""


def is_api(request: Request) -> bool:
    """True for the JSON API (and its schema), False for HTML pages."""
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


def status_for(exc: LdnError) -> int:
    """The HTTP status of a registry or input error."""
    if isinstance(exc, PermissionDenied):
        return 403
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, ConflictError):
        return 409
    if isinstance(exc, InputError):
        return 422
    return 400


def field_messages(exc: RequestValidationError) -> list[str]:
    """One readable line per invalid field: "body.dose_mg: Input should be greater than 0"."""
    lines = []
    for err in exc.errors():
        loc = ".".join(str(part) for part in err.get("loc", ()) if part != "body") or "request"
        msg = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
        lines.append(f"{loc}: {msg}")
    return lines


def error_response(
    request: Request, status_code: int, message: str, headers: dict[str, str] | None = None
) -> Response:
    """JSON for the API, the error page for everything else."""
    if is_api(request):
        return JSONResponse({"detail": message}, status_code=status_code, headers=headers)
    from ldn.web.templating import render

    response = render(
        request,
        "error.html",
        {
            "status_code": status_code,
            "title": _TITLES.get(status_code, "Error"),
            "message": message,
            "back": request.headers.get("referer"),
        },
        status_code=status_code,
    )
    if headers:
        response.headers.update(headers)
    return response


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers above on `app`."""

    async def ldn_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, LdnError)
        return error_response(request, status_for(exc), str(exc))

    async def validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        lines = field_messages(exc)
        if is_api(request):
            return JSONResponse(
                {"detail": "; ".join(lines), "errors": _jsonable(exc.errors())}, status_code=422
            )
        return error_response(request, 422, "; ".join(lines))

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        headers = dict(exc.headers) if exc.headers else None
        return error_response(request, exc.status_code, str(exc.detail), headers)

    async def login_required(request: Request, _exc: Exception) -> Response:
        if is_api(request):
            return JSONResponse(
                {
                    "detail": "not authenticated: log in at POST /api/v1/auth/token and send "
                    "'Authorization: Bearer <token>'"
                },
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)

    async def unstorable_value(request: Request, exc: Exception) -> Response:
        return error_response(request, 422, unstorable_message(exc))

    async def integrity_error(request: Request, exc: Exception) -> Response:
        # the services turn these into ConflictError through `audited_write`; this backstop
        # gives any that escape (a write outside the services) the same 409 and wording
        if isinstance(exc, IntegrityError):
            return error_response(request, 409, conflict_message(exc))
        return error_response(request, 409, STALE_MESSAGE)

    async def database_busy(request: Request, exc: Exception) -> Response:
        if "locked" in str(getattr(exc, "orig", exc)).lower():  # SQLite busy timeout passed
            return error_response(
                request,
                503,
                "the database is busy with another write; try again in a few seconds",
                {"Retry-After": "5"},
            )
        raise exc

    app.add_exception_handler(LdnError, ldn_error)
    app.add_exception_handler(OperationalError, database_busy)
    app.add_exception_handler(IntegrityError, integrity_error)
    app.add_exception_handler(StaleDataError, integrity_error)
    app.add_exception_handler(DataError, unstorable_value)
    app.add_exception_handler(OverflowError, unstorable_value)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(LoginRequired, login_required)


def unstorable_message(exc: Exception) -> str:
    """Why the database refused a value that passed validation, and what to do."""
    reason = str(getattr(exc, "orig", exc)).strip().split("\n", 1)[0]
    return (
        f"a value cannot be stored ({reason}); remove control characters such as NUL (\\x00) "
        "from text and keep numbers and ids within their normal range"
    )


def _jsonable(errors: Any) -> Any:
    """Validation errors without the non-JSON `ctx`/`input` objects pydantic may include."""
    return [
        {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
        for e in errors
    ]
