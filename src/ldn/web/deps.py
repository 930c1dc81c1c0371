"""Dependencies shared by the API and the pages.

- `SessionDep`: a database session from the app's registry, closed after the request.
- `CurrentUser` (API): the active user (a `CachedUser` copy of the row) of a live session
  (`ldn.web.sessions`) named by a bearer token, or by the session cookie — in which case
  unsafe methods (POST/PUT/PATCH/DELETE) must carry the session's CSRF token in the
  `X-CSRF-Token` header. No valid credential →
  `LoginRequired` (401).
- `PageUser` (pages): the active user of the session cookie; none → redirect to /login. CSRF of
  page forms is checked by `check_form_csrf` in each POST handler (it needs the parsed form).

Roles are not checked here: every service call checks the role matrix itself
(`ldn.registry.permissions`), so no route can forget it and the CLI shares the same rules.

These dependencies are `async`: they do no blocking work on the event loop except a user
lookup that misses the `UserCache` (then run in the threadpool), so a request makes one trip
to the threadpool (its route's database work) instead of one per dependency. Creating a
`Session` does no I/O (it connects on first use); closing one that still holds a connection
runs in the threadpool.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any, TypeVar

import anyio
import anyio.to_thread
from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from ldn.web.errors import LoginRequired
from ldn.web.security import CSRF_HEADER, csrf_ok
from ldn.web.sessions import SESSION_ID_KEY, user_for_token
from ldn.web.user_cache import CachedUser

_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_MESSAGE = (
    "CSRF check failed: the form or request did not carry this session's CSRF token "
    "(reload the page and submit again; API clients send it in the X-CSRF-Token header "
    "or use a bearer token)"
)


# Closing a session that holds a connection (rollback, back to the pool) runs on threads of its
# own: if it queued for the request threadpool, requests waiting there for a free pooled
# connection and sessions waiting there to give theirs back could block each other until the
# pool timeout (a deadlock seen under 50 clients with the pool smaller than the threadpool).
_CLOSE_LIMITER = anyio.CapacityLimiter(4)


async def get_db(request: Request) -> AsyncIterator[Session]:
    """A session on the app's registry database, closed after the request."""
    session = request.app.state.registry.sessions()
    try:
        yield session
    finally:
        if session.in_transaction():  # holds a pooled connection: rollback + return it
            await anyio.to_thread.run_sync(session.close, limiter=_CLOSE_LIMITER)
        else:
            session.close()


SessionDep = Annotated[Session, Depends(get_db)]
T = TypeVar("T")


async def in_session(session: Session, fn: Callable[..., T], /, **kwargs: Any) -> T:
    """`fn(session=session, **kwargs)` in the threadpool, the session closed in the same trip.

    The API routes call their service this way: the pooled connection is given back before
    the thread is released, so a request never holds one while it waits for the threadpool.
    """

    def call() -> T:
        try:
            return fn(session=session, **kwargs)
        finally:
            session.close()

    return await run_in_threadpool(call)


async def session_user(request: Request) -> CachedUser | None:
    """The active user logged in through the session cookie, if any."""
    return await user_for_token(request, request.session.get(SESSION_ID_KEY))


async def get_api_user(request: Request) -> CachedUser:
    """The API caller: bearer token first, else the session cookie (+ CSRF header)."""
    auth = request.headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        user = await user_for_token(request, token.strip())
        if user is None:
            raise LoginRequired()
        request.state.user = user
        return user
    user = await session_user(request)
    if user is None:
        raise LoginRequired()
    if request.method in _UNSAFE and not csrf_ok(request.session, request.headers.get(CSRF_HEADER)):
        raise HTTPException(status_code=403, detail=CSRF_MESSAGE)
    request.state.user = user
    return user


async def get_page_user(request: Request) -> CachedUser:
    """The logged-in user of a page; redirects to /login when there is none."""
    user = await session_user(request)
    if user is None:
        raise LoginRequired()
    request.state.user = user
    return user


CurrentUser = Annotated[CachedUser, Depends(get_api_user)]
PageUser = Annotated[CachedUser, Depends(get_page_user)]


def check_form_csrf(request: Request, form_token: object) -> None:
    """403 unless a page form carried the session's CSRF token in its hidden field."""
    sent = form_token if isinstance(form_token, str) else None
    if not csrf_ok(request.session, sent):
        raise HTTPException(status_code=403, detail=CSRF_MESSAGE)
