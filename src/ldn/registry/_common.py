"""Transaction and presentation helpers shared by the registry services (private).

`audited_write` is the single write path: every service that creates, changes or deletes a
row calls it (flush → audit row → commit; `audited_create` adds a new row first), so every
write is audited and every integrity or concurrency failure becomes the same `ConflictError`
(409) with a sentence from `conflict_message`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Required, TypedDict, TypeVar, Unpack

from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ldn.registry import audit
from ldn.registry.errors import ConflictError, InputError
from ldn.registry.permissions import ActorLike, is_pseudonymised
from ldn.registry.schemas import parse

MAX_PAGE = 1000
P = TypeVar("P", bound=BaseModel)
_FREE_TEXT = ("notes", "stop_reason")
STALE_MESSAGE = "the record was changed by someone else after you loaded it; reload and try again"
_UNIQUE_WORDING = {  # constraint names (PostgreSQL) and columns (SQLite) → what is taken
    "uq_patients_clinic_code": "a patient with this code in this clinic",
    "patients.clinic_id, patients.code": "a patient with this code in this clinic",
    "uq_users_username": "a user with this username",
    "users.username": "a user with this username",
    "uq_clinics_name": "a clinic with this name",
    "clinics.name": "a clinic with this name",
}


def conflict_message(exc: IntegrityError) -> str:
    """A sentence saying which rule a refused write broke (the one 409 wording everywhere)."""
    reason = str(exc.orig).strip().split("\n", 1)[0]
    lowered = reason.lower()
    for constraint, what in _UNIQUE_WORDING.items():
        if constraint in lowered:
            return (
                f"{what} already exists (saved by someone else at the same moment?); "
                "reload and choose another"
            )
    if "unique" in lowered or "duplicate" in lowered:
        return f"a record with the same key already exists ({reason}); reload and try again"
    if "foreign key" in lowered:
        return (
            "the record it belongs to no longer exists (deleted by someone else meanwhile?); "
            "reload the page"
        )
    return f"the change conflicts with existing data ({reason}); reload and try again"


@contextmanager
def conflicts_as_409(session: Session) -> Iterator[None]:
    """Inside: a stale version or a broken constraint rolls back and becomes ConflictError."""
    try:
        yield
    except StaleDataError:
        session.rollback()
        raise ConflictError(STALE_MESSAGE) from None
    except IntegrityError as exc:
        session.rollback()
        raise ConflictError(conflict_message(exc)) from None


def flush(session: Session) -> None:
    """Flush; a stale version or a broken constraint becomes ConflictError (rolled back)."""
    with conflicts_as_409(session):
        session.flush()


def commit(session: Session) -> None:
    """Commit, translating concurrency and constraint failures into ConflictError."""
    with conflicts_as_409(session):
        session.commit()


def audited_write(
    session: Session,
    actor: ActorLike,
    *,
    action: str,
    entity: str,
    row: Any,
    clinic_id: int | None,
    before: dict[str, Any] | None = None,
    snapshot: Callable[[Any], dict[str, Any]] = audit.snapshot,
    entity_id: int | None = None,
    commit_now: bool = True,
) -> None:
    """The one way the registry writes: flush the change, add its audit row, commit.

    The caller has added, changed or deleted `row` in `session`. The audit row holds `before`
    (updates and deletes) and, unless `action` is "delete", `snapshot(row)` of the row as
    flushed (default `audit.snapshot`; pass another to leave out a secret such as a token
    hash); `entity_id`
    defaults to the row's id. A broken constraint (a duplicate code, a row deleted meanwhile)
    or a stale version rolls everything back and raises `ConflictError` (HTTP 409). With
    `commit_now=False` the caller commits later with `commit` (an import writes many rows in
    one transaction).
    """
    flush(session)
    audit.record(
        session,
        actor=actor,
        action=action,
        entity=entity,
        entity_id=entity_id if entity_id is not None else row.id,
        clinic_id=clinic_id,
        before=before,
        after=None if action == "delete" else snapshot(row),
    )
    if commit_now:
        commit(session)


class WriteOptions(TypedDict, total=False):
    """What `audited_create` and `audited_update` pass on to `audited_write`."""

    entity: Required[str]
    clinic_id: Required[int | None]
    snapshot: Callable[[Any], dict[str, Any]]
    commit_now: bool


def audited_create(
    session: Session, actor: ActorLike, row: Any, **options: Unpack[WriteOptions]
) -> None:
    """Add the new `row` to `session` and write it with its audit row (`audited_write`)."""
    session.add(row)
    audited_write(session, actor, action="create", row=row, **options)


@contextmanager
def audited_update(
    session: Session, actor: ActorLike, row: Any, **options: Unpack[WriteOptions]
) -> Iterator[None]:
    """Change `row` inside the block; then write it with an audit row of before and after.

    `snapshot(row)` is taken on entry (the audit row's `before`), so before and after are
    read the same way; an exception inside the block writes nothing.
    """
    before = options.get("snapshot", audit.snapshot)(row)
    yield
    audited_write(session, actor, action="update", row=row, before=before, **options)


def page_args(skip: int, limit: int) -> tuple[int, int]:
    """Checked (skip, limit)."""
    if skip < 0 or not 1 <= limit <= MAX_PAGE:
        raise InputError(f"skip must be ≥ 0 and limit 1-{MAX_PAGE}; got skip={skip}, limit={limit}")
    return skip, limit


def count(session: Session, stmt: Select[Any]) -> int:
    """Number of rows a select would return."""
    n = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    return int(n or 0)


def public(schema: type[P], obj: Any, actor: ActorLike) -> P:
    """`schema` of `obj`, with free text removed for pseudonymised readers."""
    out = schema.model_validate(obj)
    if is_pseudonymised(actor):
        blank = {f: None for f in _FREE_TEXT if f in schema.model_fields}
        out = out.model_copy(update=blank)
    return out


def check_version(row: Any, entity: str, version: int | None) -> None:
    """ConflictError when the client's `version` is not the row's current one."""
    if version is not None and version != row.version:
        raise ConflictError(
            f"{entity} {row.id} was changed by someone else (now version {row.version}, you "
            f"edited version {version}); reload it and apply your change again"
        )


def changes(data: BaseModel | Mapping[str, Any], schema: type[BaseModel]) -> dict[str, Any]:
    """The fields set in an update request, validated by `schema`."""
    return parse(schema, data).model_dump(exclude_unset=True)
