"""The patient diary: a mobile-friendly page reached through a per-patient link `/diary/<token>`.

No staff account: the token in the link is the credential (the registry stores only its hash,
`ldn.registry.diary`). Every diary endpoint answers 401 without a valid, unrevoked token —
checked before anything else. The form is CSRF-protected with the session's token like every
other form (the anonymous session cookie is SameSite=Lax, Secure, HttpOnly). Limits, per server
process (as the login throttle, docs/web.md): `FAILED_MAX` unknown-token requests per client
address per `WINDOW_S`, then 429; `SAVES_MAX` saves per token per `WINDOW_S`, then 429.
Responses are `no-store` and send no referrer, so the link does not leak into caches or other
sites' logs.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any, Final

from fastapi import APIRouter, HTTPException, Path, Request
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from ldn.registry.diary import (
    BACKFILL_DAYS,
    DiaryEntry,
    DiaryView,
    add_diary_entry,
    diary_view,
    resolve_diary_token,
)
from ldn.registry.errors import InputError
from ldn.registry.models import AE_TYPES, SEVERITIES
from ldn.registry.practice_models import DiaryToken
from ldn.scales import SCALES
from ldn.web.deps import SessionDep, check_form_csrf, in_session
from ldn.web.security import CSRF_FORM_FIELD, LoginThrottle
from ldn.web.templating import flash, render

router = APIRouter()
WINDOW_S: Final = 3600.0
FAILED_MAX: Final = 20
SAVES_MAX: Final = 30
Token = Annotated[str, Path()]  # any text: a bad token is a 401, never a 422
_NO_STORE: Final = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
}


def _limits(request: Request) -> tuple[LoginThrottle, LoginThrottle]:
    state = request.app.state
    if not hasattr(state, "diary_limits"):
        state.diary_limits = (
            LoginThrottle(FAILED_MAX, WINDOW_S),
            LoginThrottle(SAVES_MAX, WINDOW_S),
        )
    return state.diary_limits


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _too_many(retry_after: int) -> HTTPException:
    return HTTPException(
        status_code=429,
        detail="Too many diary requests; please try again later.",
        headers={**_NO_STORE, "Retry-After": str(retry_after)},
    )


def _link(request: Request, session: Session, token: str) -> DiaryToken:
    """The active link of `token`; 429 after too many bad tokens from this address, else 401."""
    failed, _ = _limits(request)
    key = f"diary|{_client(request)}"
    wait = failed.retry_after_s(key)
    if wait is not None:
        raise _too_many(wait)
    link = resolve_diary_token(session, token)
    if link is None:
        failed.record_failure(key)
        raise HTTPException(
            status_code=401,
            detail="This diary link is not valid (it may have been withdrawn). Ask your clinic.",
            headers={**_NO_STORE, "WWW-Authenticate": 'DiaryLink realm="ldn diary"'},
        )
    return link


def _page(
    request: Request,
    view: DiaryView,
    token: str,
    form: dict[str, Any] | None = None,
    error: str = "",
) -> Response:
    """The diary form (422 with `error`, the refused `form` kept, when a save was refused)."""
    today = view.today
    response = render(
        request,
        "diary.html",
        {
            "token": token,
            "code": view.code,
            "scale": SCALES[view.scale],
            "form": form or {"day": today.isoformat()},
            "error": error,
            "today": today.isoformat(),
            "earliest": (today - timedelta(days=BACKFILL_DAYS)).isoformat(),
            "side_effects": [(t, t.replace("_", " ")) for t in AE_TYPES],
            "severities": SEVERITIES,
            "recent": view.recent,
            "trial_today": view.trial_today,
        },
        status_code=422 if error else 200,
    )
    response.headers.update(_NO_STORE)
    return response


@router.api_route("/diary", methods=["GET", "POST"])
def diary_without_token() -> Response:
    """A diary address without its token: 401."""
    raise HTTPException(
        status_code=401,
        detail="Open the diary with the full link your clinic gave you.",
        headers={**_NO_STORE, "WWW-Authenticate": 'DiaryLink realm="ldn diary"'},
    )


@router.get("/diary/{token}")
def diary_page(request: Request, session: SessionDep, token: Token) -> Response:
    """The diary form for today (401 without a valid link)."""
    return _page(request, diary_view(session, _link(request, session, token), date.today()), token)


def _entry(form: dict[str, Any]) -> DiaryEntry:
    try:
        day = date.fromisoformat(str(form.get("day", "")))
    except ValueError:
        raise InputError("Choose a date.") from None
    raw = str(form.get("score", "")).strip()
    try:
        score = float(raw) if raw else None
    except ValueError:
        raise InputError("The score must be a number.") from None
    effects = tuple(
        (kind, str(form.get(f"severity_{kind}", "mild")))
        for kind in AE_TYPES
        if form.get(f"effect_{kind}") == "on"
    )
    return DiaryEntry(day=day, score=score, side_effects=effects, notes=str(form.get("notes", "")))


@router.post("/diary/{token}")
async def diary_save(request: Request, token: Token) -> Response:
    """Save a day's entry (401 without a valid link; CSRF-checked; rate-limited per link)."""
    raw = await request.form()
    sent = raw.get(CSRF_FORM_FIELD)
    form = {k: v for k, v in raw.items() if isinstance(v, str) and k != CSRF_FORM_FIELD}
    with request.app.state.registry.session() as session:
        return await in_session(session, _save, request=request, token=token, form=form, sent=sent)


def _save(
    *, session: Session, request: Request, token: str, form: dict[str, Any], sent: object
) -> Response:
    link = _link(request, session, token)  # 401 first: nothing else is checked without a link
    _, saves = _limits(request)
    key = f"diary-save|{link.id}"
    wait = saves.retry_after_s(key)
    if wait is not None:
        raise _too_many(wait)
    check_form_csrf(request, sent)
    saves.record_failure(key)  # counts every accepted save attempt in the window
    try:
        entry = _entry(form)
        add_diary_entry(session=session, link=link, entry=entry)
    except InputError as exc:
        session.rollback()
        return _page(request, diary_view(session, link, date.today()), token, form, str(exc))
    flash(request, "ok", f"Saved for {entry.day:%A %d %B}. Thank you.")
    response = RedirectResponse(f"/diary/{token}", status_code=303)
    response.headers.update(_NO_STORE)
    return response
