"""Login sessions and API tokens for the web app (stored by `ldn.registry.web_sessions`).

`SessionStore` (`app.state.tokens`) issues a session secret for a user — kept in the signed
session cookie as `sid` for browsers, returned as the bearer token for API clients — and ends
all of a user's sessions. `user_for_token` resolves a secret to the active user, from the
per-process `UserCache` when it can, else with one database query in the threadpool.

Lifetime: a session or token is valid for `LDN_SESSION_MAX_AGE_S` (default 8 h) from login,
whatever happens in between (absolute expiry, no sliding renewal); logout, a password change
and switching the account off end every session and token of that user.
"""

from __future__ import annotations

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection

from ldn.registry.db import Registry
from ldn.registry.web_sessions import (
    MAX_TOKEN_CHARS,
    end_user_sessions,
    start_session,
    token_digest,
)
from ldn.web.user_cache import CachedUser, UserCache, load_session_user

SESSION_ID_KEY = "sid"


class SessionStore:
    """Issues and ends database-backed sessions of one app."""

    def __init__(self, registry: Registry, max_age_s: int) -> None:
        self.registry = registry
        self.max_age_s = max_age_s

    def issue(self, user_id: int, kind: str = "bearer", *, session: Session | None = None) -> str:
        """A new session secret for `user_id` (`kind` "cookie" or "bearer"); commits."""
        if session is not None:
            return start_session(session, user_id=user_id, kind=kind, lifetime_s=self.max_age_s)
        with self.registry.session() as own:
            return start_session(own, user_id=user_id, kind=kind, lifetime_s=self.max_age_s)

    def end_all(self, user_id: int, cache: UserCache) -> None:
        """End every session and token of `user_id` (blocking: call it in the threadpool)."""
        with self.registry.session() as session:
            end_user_sessions(session, user_id)
            session.commit()
        cache.forget(user_id)


def _read(registry: Registry, digest: str) -> tuple[CachedUser, object] | None:
    # a session of its own, closed before the thread is released: no request may hold a pooled
    # connection while it waits for the threadpool again (that can deadlock a full pool)
    with registry.session() as session:
        return load_session_user(session, digest)


async def user_for_token(conn: HTTPConnection, token: object) -> CachedUser | None:
    """The active user of the session secret `token`, or None (unknown, ended, expired)."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_CHARS:
        return None
    digest = token_digest(token)
    cache: UserCache = conn.app.state.user_cache
    user = cache.get_session(digest)
    if user is not None:
        return user
    found = await run_in_threadpool(_read, conn.app.state.registry, digest)
    if found is None:
        return None
    user, expires_at = found
    cache.put_session(digest, user, expires_at)  # type: ignore[arg-type]
    return user
