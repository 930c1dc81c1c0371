"""A per-process cache of the logged-in user behind a session or token.

Every request names its session by a secret (bearer token or the session cookie's `sid`);
looking the session and its user up again on each request costs a database round trip. The
cache keeps, for at most `max_age_s` seconds (`LDN_USER_CACHE_S`, default 5 s; 0 turns
caching off), which user a session digest belongs to (with the session's absolute expiry) and
a small frozen copy of that user's columns (id, username, role, clinic, active, version).

What it does *not* change: a session past its expiry is refused even while cached, and a
secret that was never issued always goes to the database.

Invalidation:

- a change to a `User` row made through the ORM in this process (e.g. `services.update_user`
  switching an account off, changing its role or its password) drops that user and all their
  cached sessions from every cache, at flush and again at commit (SQLAlchemy session events);
- logout drops the user and their sessions, so the ended sessions are refused at once;
- a change made elsewhere (another server worker, the CLI, plain SQL) is seen at the latest
  `max_age_s` seconds later. Inactive users are never cached.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from ldn.registry.models import User, utcnow
from ldn.registry.web_sessions import session_user_row

MAX_ENTRIES = 10_000  # above this the cache is cleared (a flood of distinct users)


@dataclass(frozen=True, slots=True)
class CachedUser:
    """The columns of a `User` the web app reads; satisfies `permissions.ActorLike`."""

    id: int
    username: str
    role: str
    clinic_id: int | None
    active: bool
    version: int


def load_session_user(session: Session, digest: str) -> tuple[CachedUser, datetime] | None:
    """(user, session expiry) of the live session `digest` of an active user (one query)."""
    row = session_user_row(session, digest)
    if row is None:
        return None
    user = CachedUser(
        id=row.id,
        username=row.username,
        role=row.role,
        clinic_id=row.clinic_id,
        active=bool(row.active),
        version=row.version,
    )
    return user, row.expires_at


class UserCache:
    """Active users by id, each kept for at most `max_age_s` seconds; thread-safe."""

    def __init__(self, max_age_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_age_s = max_age_s
        self._clock = clock
        self._entries: dict[int, tuple[CachedUser, float]] = {}
        self._sessions: dict[str, tuple[int, datetime, float]] = {}
        self._lock = threading.Lock()
        _CACHES.add(self)

    def get_session(self, digest: str) -> CachedUser | None:
        """The user of the session `digest`, or None when not cached, stale or expired."""
        with self._lock:
            entry = self._sessions.get(digest)
            if entry is None:
                return None
            user_id, expires_at, cached_at = entry
            if self._clock() - cached_at >= self.max_age_s or expires_at <= utcnow():
                del self._sessions[digest]
                return None
        return self.get(user_id)

    def put_session(self, digest: str, user: CachedUser, expires_at: datetime) -> None:
        """Remember that session `digest` (valid until `expires_at`) belongs to `user`."""
        if self.max_age_s <= 0 or not user.active:
            return
        with self._lock:
            if len(self._sessions) >= MAX_ENTRIES:
                self._sessions.clear()
            self._sessions[digest] = (user.id, expires_at, self._clock())
        self.put(user)

    def get(self, user_id: int) -> CachedUser | None:
        """The cached user, or None when absent or older than `max_age_s`."""
        with self._lock:
            entry = self._entries.get(user_id)
            if entry is None:
                return None
            if self._clock() - entry[1] >= self.max_age_s:
                del self._entries[user_id]
                return None
            return entry[0]

    def put(self, user: CachedUser) -> None:
        """Remember an active user (inactive ones and a zero max age are not kept)."""
        if self.max_age_s <= 0 or not user.active:
            return
        with self._lock:
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
            self._entries[user.id] = (user, self._clock())

    def forget(self, user_id: int) -> None:
        """Drop one user and their sessions (after logout or a change to their row)."""
        with self._lock:
            self._entries.pop(user_id, None)
            ended = [d for d, entry in self._sessions.items() if entry[0] == user_id]
            for digest in ended:
                del self._sessions[digest]

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


_CACHES: weakref.WeakSet[UserCache] = weakref.WeakSet()


_CHANGED_KEY = "ldn_web_users_changed"


def _forget_everywhere(user_ids: set[int]) -> None:
    for cache in list(_CACHES):
        for user_id in user_ids:
            cache.forget(user_id)


@event.listens_for(Session, "after_flush")
def _users_flushed(session: Session, _context: Any) -> None:
    changed = {
        obj.id
        for obj in (*session.dirty, *session.deleted)
        if isinstance(obj, User) and obj.id is not None
    }
    if changed:
        _forget_everywhere(changed)
        session.info.setdefault(_CHANGED_KEY, set()).update(changed)


@event.listens_for(Session, "after_commit")
def _users_committed(session: Session) -> None:
    # again after commit: a request that read the old row between flush and commit may have
    # cached it meanwhile
    changed = session.info.pop(_CHANGED_KEY, None)
    if changed:
        _forget_everywhere(changed)


@event.listens_for(Session, "after_rollback")
def _users_rolled_back(session: Session) -> None:
    session.info.pop(_CHANGED_KEY, None)
