"""Transaction and presentation helpers shared by the registry services (private)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ldn.registry.errors import ConflictError, InputError
from ldn.registry.permissions import ActorLike, is_pseudonymised
from ldn.registry.schemas import parse

MAX_PAGE = 1000
P = TypeVar("P", bound=BaseModel)
_FREE_TEXT = ("notes", "stop_reason")
_STALE = "the record was changed by someone else after you loaded it; reload and try again"


def commit(session: Session) -> None:
    """Commit, translating concurrency and constraint failures into user-facing errors."""
    try:
        session.commit()
    except StaleDataError:
        session.rollback()
        raise ConflictError(_STALE) from None
    except IntegrityError as exc:
        session.rollback()
        raise ConflictError(f"the change conflicts with existing data: {exc.orig}") from None


def flush(session: Session) -> None:
    """Flush; a concurrent edit (stale version) becomes ConflictError."""
    try:
        session.flush()
    except StaleDataError:
        session.rollback()
        raise ConflictError(_STALE) from None


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
