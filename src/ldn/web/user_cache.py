"""A per-process cache of the logged-in user behind a token or session (id → `CachedUser`).

Every API request names its user by id (bearer token or session cookie); looking the row up
again on each request costs a database round trip and an ORM object. The cache keeps a small
frozen copy of the columns the app needs (id, username, role, clinic, active, version) for at
most `max_age_s` seconds (`LDN_USER_CACHE_S`, default 5 s; 0 turns caching off).

What it does *not* change: the token or cookie is still verified on every request (signature
and expiry), so a cached entry never lets in someone without a valid credential.

Invalidation:

- a change to a `User` row made through the ORM in this process (e.g. `services.update_user`
  switching an account off or changing its role) drops that user from every cache, at flush
  and again at commit (SQLAlchemy session events);
- logout drops the user, so the next login reads the row afresh;
- a change made elsewhere (another server worker, the CLI, plain SQL) is seen at the latest
  `max_age_s` seconds later. Inactive users are never cached.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from ldn.registry.models import User

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


def load_active_user(session: Session, user_id: int) -> CachedUser | None:
    """The active user `user_id` read from the database (one plain-column query), else None."""
    row = session.execute(
        select(User.id, User.username, User.role, User.clinic_id, User.active, User.version).where(
            User.id == user_id
        )
    ).one_or_none()
    if row is None or not row.active:
        return None
    return CachedUser(
        id=row.id,
        username=row.username,
        role=row.role,
        clinic_id=row.clinic_id,
        active=bool(row.active),
        version=row.version,
    )


class UserCache:
    """Active users by id, each kept for at most `max_age_s` seconds; thread-safe."""

    def __init__(self, max_age_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_age_s = max_age_s
        self._clock = clock
        self._entries: dict[int, tuple[CachedUser, float]] = {}
        self._lock = threading.Lock()
        _CACHES.add(self)

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
        """Drop one user (after logout or a change to their row)."""
        with self._lock:
            self._entries.pop(user_id, None)

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
