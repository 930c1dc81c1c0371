"""Login and logout pages; `/` sends a logged-in user to the patient list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from ldn.web.auth import attempt_login
from ldn.web.deps import SessionDep, check_form_csrf, session_user
from ldn.web.security import CSRF_FORM_FIELD, csrf_token
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
    form = await request.form()
    check_form_csrf(request, form.get(CSRF_FORM_FIELD))
    username = str(form.get("username") or "")
    password = str(form.get("password") or "")
    try:
        # argon2 takes tens of ms: keep it off the event loop
        user = await run_in_threadpool(attempt_login, request, session, username, password)
    except HTTPException as exc:
        response = render(
            request,
            "login.html",
            {"error": exc.detail, "username": username, "next": form.get("next")},
            status_code=exc.status_code,
        )
        if exc.headers:
            response.headers.update(exc.headers)
        return response
    request.session.clear()  # new session id material: no fixation across login
    request.session["uid"] = user.id
    csrf_token(request.session)
    flash(request, "ok", f"Logged in as {user.username} ({user.role}).")
    return RedirectResponse(_safe_next(str(form.get("next") or "")), status_code=303)


@router.post("/logout")
async def logout(request: Request) -> Response:
    """End the session (CSRF-checked, so other sites cannot log you out)."""
    form = await request.form()
    check_form_csrf(request, form.get(CSRF_FORM_FIELD))
    uid = request.session.get("uid")
    if isinstance(uid, int):  # the next login reads the account afresh
        request.app.state.user_cache.forget(uid)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
