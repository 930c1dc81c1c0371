"""Opening the registry database for `ldn registry …` commands, with one-line errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ldn.registry.db import Registry


@contextmanager
def _database_errors(database: str | None) -> Iterator[None]:
    """Turn "cannot reach the database" and "no such schema revision" into one `InputError`."""
    from alembic.util import CommandError
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import OperationalError

    from ldn.errors import InputError

    try:
        yield
    except OperationalError as exc:
        reason = str(exc.orig or exc).strip().splitlines()[0]
        where = "the registry database"
        if database:  # never echo a password from the URL
            where += f" {make_url(database).render_as_string(hide_password=True)}"
        raise InputError(
            f"cannot open {where}: {reason}; check the URL (--database or LDN_DATABASE_URL) "
            "and that the database server is running."
        ) from None
    except CommandError as exc:
        raise InputError(f"migration failed: {exc}; `ldn registry migrate --help`.") from None


def _open(database: str | None) -> Registry:
    """Open (create or upgrade) the registry, with connection problems as one `InputError`."""
    from ldn.registry.db import open_registry

    with _database_errors(database):
        return open_registry(database)


def _open_existing(database: str | None) -> Registry:
    """`_open` for the read-only analysis commands: a SQLite file must already exist, so a
    mistyped --database reports "no registry there" instead of creating an empty database."""
    from sqlalchemy.engine import make_url

    from ldn.errors import InputError
    from ldn.registry.config import resolve_database_url

    url = make_url(resolve_database_url(database))
    path = url.database
    is_file_db = url.get_backend_name() == "sqlite" and path and path != ":memory:"
    if is_file_db and not Path(path).expanduser().is_file():
        raise InputError(
            f"no registry database at {path}; check --database (or LDN_DATABASE_URL), or "
            "create one with `ldn registry init` or `ldn registry demo-data`."
        )
    return _open(database)


def _where(registry: Registry) -> str:
    return registry.engine.url.render_as_string(hide_password=True)


def _clinic_id(registry: Registry, clinic: str | None) -> int | None:
    """The id of the clinic called `clinic`, or whose id `clinic` is; None when not given."""
    if clinic is None:
        return None
    from ldn.registry import services as svc
    from ldn.registry.errors import NotFound
    from ldn.registry.permissions import SYSTEM

    with registry.session() as s:
        try:
            return svc.get_clinic_by_name(session=s, actor=SYSTEM, name=clinic).id
        except NotFound:
            if not clinic.isdigit():
                raise
            return svc.get_clinic(session=s, actor=SYSTEM, clinic_id=int(clinic)).id
