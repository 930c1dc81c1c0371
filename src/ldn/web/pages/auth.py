"""Login and logout pages; `/` sends a logged-in user to the patient list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from ldn.web.auth import attempt_login
from ldn.web.deps import SessionDep, in_session, session_user
from ldn.web.pages.forms import read_form
from ldn.web.security import csrf_token
from ldn.web.sessions import SESSION_ID_KEY
from ldn.web.templating import flash, render

router = APIRouter()


def _safe_next(target: str | None) -> str:
    """Only same-site paths are followed after login (no open redirects)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/patients"


@router.get("/")
async def home(request: Request) -> Response:
    """Patients for a logged-in user, else the login page."""
    target = "/patients" if await session_user(request) else "/login"
    return RedirectResponse(target, status_code=303)


@router.get("/login")
def login_page(
    request: Request, next: Annotated[str | None, Query(max_length=500)] = None
) -> Response:
    """The login form (it also starts the session that holds the CSRF token)."""
    csrf_token(request.session)
    return render(request, "login.html", {"next": _safe_next(next)})


@router.post("/login")
async def login(request: Request, session: SessionDep) -> Response:
    """Check the form's CSRF token and the password; start a fresh session on success."""
    form = await read_form(request)
    username = str(form.get("username") or "")
    password = str(form.get("password") or "")
    try:
        # the password check (argon2) and the new session row: one trip to the threadpool
        sid = await in_session(
            session, _login, request=request, username=username, password=password
        )
    except HTTPException as exc:
        response = render(
            request,
            "login.html",
            {"error": exc.detail, "username": username[:64], "next": form.get("next")},
            status_code=exc.status_code,
        )
        if exc.headers:
            response.headers.update(exc.headers)
        return response
    request.session.clear()  # new session id material: no fixation across login
    request.session[SESSION_ID_KEY] = sid
    csrf_token(request.session)
    user = await session_user(request)
    if user is not None:
        flash(request, "ok", f"Logged in as {user.username} ({user.role}).")
    return RedirectResponse(_safe_next(str(form.get("next") or "")), status_code=303)


def _login(*, session: Session, request: Request, username: str, password: str) -> str:
    user = attempt_login(request, session, username, password)
    return str(request.app.state.tokens.issue(user.id, "cookie", session=session))


@router.post("/logout")
async def logout(request: Request) -> Response:
    """End every session and token of the user (CSRF-checked, so other sites cannot log you
    out); a copy of the cookie is refused afterwards."""
    await read_form(request)
    user = await session_user(request)
    if user is not None:
        await run_in_threadpool(
            request.app.state.tokens.end_all, user.id, request.app.state.user_cache
        )
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
