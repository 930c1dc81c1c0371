"""The append-only audit log: one row per create/update/delete, written by the services in the
same transaction as the change (so a change and its audit row commit or roll back together).

`snapshot(obj)` gives a JSON-safe dict of a row's columns (dates as ISO strings, password
hashes never included); `record(...)` adds the audit row; `change_stamp(session)` is the newest
audit row's id, which changes with every write (caches use it to know the registry changed).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from ldn.registry.models import AuditLog, Base, Patient, utcnow
from ldn.registry.permissions import ActorLike

_NEVER_LOGGED = frozenset({"password_hash"})


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def snapshot(obj: Base) -> dict[str, Any]:
    """The row's column values as a JSON-safe dict (secrets left out)."""
    mapper = inspect(obj).mapper
    out = {
        col.key: _jsonable(getattr(obj, col.key))
        for col in mapper.column_attrs
        if col.key not in _NEVER_LOGGED
    }
    if isinstance(obj, Patient):
        out["conditions"] = obj.conditions
    return out


def record(
    session: Session,
    *,
    actor: ActorLike,
    action: str,
    entity: str,
    entity_id: int | None,
    clinic_id: int | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditLog:
    """Add an audit row for a change (flushed with the change; committed by the caller)."""
    row = AuditLog(
        at=utcnow(),
        actor_id=actor.id,
        actor_username=actor.username,
        action=action,
        entity=entity,
        entity_id=entity_id,
        clinic_id=clinic_id,
        before=before,
        after=after,
    )
    session.add(row)
    return row


def change_stamp(session: Session) -> int:
    """The newest audit row's id (0 for an empty log): every registry write appends a row, so the
    stamp changes exactly when the registry has changed."""
    return int(session.scalar(select(func.max(AuditLog.id))) or 0)
