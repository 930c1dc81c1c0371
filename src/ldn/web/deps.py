"""Dependencies shared by the API and the pages.

- `SessionDep`: a database session from the app's registry, closed after the request.
- `CurrentUser` (API): the active user named by a bearer token, or by the session cookie — in
  which case unsafe methods (POST/PUT/PATCH/DELETE) must carry the session's CSRF token in the
  `X-CSRF-Token` header. No valid credential → `LoginRequired` (401).
- `PageUser` (pages): the active user of the session cookie; none → redirect to /login. CSRF of
  page forms is checked by `check_form_csrf` in each POST handler (it needs the parsed form).

Roles are not checked here: every service call checks the role matrix itself
(`ldn.registry.permissions`), so no route can forget it and the CLI shares the same rules.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session

from ldn.registry.models import User
from ldn.web.errors import LoginRequired
from ldn.web.security import CSRF_HEADER, csrf_ok

_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_MESSAGE = (
    "CSRF check failed: the form or request did not carry this session's CSRF token "
    "(reload the page and submit again; API clients send it in the X-CSRF-Token header "
    "or use a bearer token)"
)


def get_db(request: Request) -> Iterator[Session]:
    """A session on the app's registry database."""
    with request.app.state.registry.session() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_db)]


def _active_user(session: Session, user_id: object) -> User | None:
    if not isinstance(user_id, int):
        return None
    user = session.get(User, user_id)
    return user if user is not None and user.active else None


def session_user(request: Request, session: Session) -> User | None:
    """The active user logged in through the session cookie, if any."""
    return _active_user(session, request.session.get("uid"))


def get_api_user(request: Request, session: SessionDep) -> User:
    """The API caller: bearer token first, else the session cookie (+ CSRF header)."""
    auth = request.headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        user = _active_user(session, request.app.state.tokens.user_id(token.strip()))
        if user is None:
            raise LoginRequired()
        request.state.user = user
        return user
    user = session_user(request, session)
    if user is None:
        raise LoginRequired()
    if request.method in _UNSAFE and not csrf_ok(request.session, request.headers.get(CSRF_HEADER)):
        raise HTTPException(status_code=403, detail=CSRF_MESSAGE)
    request.state.user = user
    return user


def get_page_user(request: Request, session: SessionDep) -> User:
    """The logged-in user of a page; redirects to /login when there is none."""
    user = session_user(request, session)
    if user is None:
        raise LoginRequired()
    request.state.user = user
    return user


CurrentUser = Annotated[User, Depends(get_api_user)]
PageUser = Annotated[User, Depends(get_page_user)]


def check_form_csrf(request: Request, form_token: object) -> None:
    """403 unless a page form carried the session's CSRF token in its hidden field."""
    sent = form_token if isinstance(form_token, str) else None
    if not csrf_ok(request.session, sent):
        raise HTTPException(status_code=403, detail=CSRF_MESSAGE)
