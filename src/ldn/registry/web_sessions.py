"""Login sessions and API tokens of the web app, kept in the registry database.

A session is a random secret (`secrets.token_urlsafe(32)`) handed to the client — in the
signed session cookie of a browser (`kind="cookie"`) or as a bearer token (`kind="bearer"`);
the table `web_sessions` holds only its SHA-256, the user and an absolute expiry. Because
sessions live in the database they survive a server restart, are shared by all workers and
can be ended: `end_user_sessions` deletes every session and token of a user (logout,
password change and switching the account off call it).

Functions take the caller's SQLAlchemy `Session`; `start_session` commits, the others leave
the transaction to the caller so that ending sessions commits together with the change that
caused it.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ldn.registry.models import User, WebSession, utcnow

TOKEN_BYTES = 32
MAX_TOKEN_CHARS = 128  # longer "tokens" are refused before hashing


def token_digest(token: str) -> str:
    """The stored form of a session secret: its SHA-256 as 64 hex digits."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def start_session(
    session: Session,
    *,
    user_id: int,
    kind: str,
    lifetime_s: float,
    now: datetime | None = None,
) -> str:
    """Store a new session of `user_id` valid for `lifetime_s` and return its secret.

    Expired sessions of all users are deleted on the way (one indexed DELETE), so the table
    holds only live sessions.
    """
    now = now or utcnow()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.execute(delete(WebSession).where(WebSession.expires_at <= now))
    session.add(
        WebSession(
            id=token_digest(token),
            user_id=user_id,
            kind=kind,
            created_at=now,
            expires_at=now + timedelta(seconds=lifetime_s),
        )
    )
    session.commit()
    return token


def session_user_row(session: Session, digest: str, now: datetime | None = None) -> Any:
    """(user columns…, expires_at) of the live session `digest` of an active user, else None."""
    now = now or utcnow()
    stmt = (
        select(
            User.id,
            User.username,
            User.role,
            User.clinic_id,
            User.active,
            User.version,
            WebSession.expires_at,
        )
        .join(WebSession, WebSession.user_id == User.id)
        .where(WebSession.id == digest, WebSession.expires_at > now, User.active.is_(True))
    )
    return session.execute(stmt).one_or_none()


def session_owner(session: Session, token: str) -> int | None:
    """The user id of the session `token` (live or not), else None."""
    if not token or len(token) > MAX_TOKEN_CHARS:
        return None
    return session.scalar(select(WebSession.user_id).where(WebSession.id == token_digest(token)))


def end_user_sessions(session: Session, user_id: int) -> None:
    """Delete every session and token of `user_id` (committed by the caller)."""
    session.execute(delete(WebSession).where(WebSession.user_id == user_id))


def count_sessions(session: Session, user_id: int) -> int:
    """How many sessions and tokens `user_id` has (live or expired, not yet purged)."""
    return len(list(session.scalars(select(WebSession.id).where(WebSession.user_id == user_id))))
