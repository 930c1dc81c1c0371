"""Engines, sessions and schema migration for the registry.

Public API (stable; the web app and the analysis adapter use it):

- `make_engine(url=None) -> Engine`: an engine for `url` (see `ldn.registry.config` for the
  resolution order). SQLite gets WAL journaling, a 30 s busy timeout and enforced foreign
  keys. A SQLite file's folder must exist (the FILE rule of docs/architecture.md: one
  `InputError` naming `--database` or `LDN_DATABASE_URL`, nothing created), except the default
  database's folder in the user data directory, which is created on first use. Connection
  pools are sized for a web server process whose threadpool runs up to 16 requests at once
  (`POOL_SIZE` kept open, `POOL_OVERFLOW` more on demand), so no request thread waits for a
  connection; callers may pass their own `pool_size` / `max_overflow`.
- `session_factory(engine) -> sessionmaker[Session]`.
- `upgrade(engine, revision="head")` / `downgrade(engine, revision="base")`: Alembic migrations
  shipped in `ldn/registry/migrations`, run programmatically (no alembic.ini needed);
  `alembic_config(engine)` gives the Alembic `Config` for other Alembic commands.
- `open_registry(url=None, *, migrate=True) -> Registry`: engine + session factory, with the
  schema brought to the latest revision (first use creates the database).
- `Registry.session()`: a context-managed `Session`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from ldn.errors import InputError
from ldn.registry.config import RegistrySettings, default_sqlite_path, resolve_database_url

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT_S = 30.0
# Operational settings, not model constants: the web app runs 16 threads per process
# (`LDN_THREADS`); PostgreSQL's default max_connections is 100, so 2 workers x 20 leave room.
POOL_SIZE = 16
POOL_OVERFLOW = {"sqlite": 16, "postgresql": 4}


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
    cur.close()


def _sqlite_folder(path: Path, url: str | None) -> None:
    """Create the default database's folder; any other SQLite file must be in an existing
    folder (the one output-path rule for a FILE: nothing is created, one `InputError`)."""
    folder = path.parent
    if folder == default_sqlite_path().parent:
        folder.mkdir(parents=True, exist_ok=True)
    elif not folder.is_dir():
        from_env = url is None or url.strip() == (RegistrySettings().database_url or "").strip()
        option = "LDN_DATABASE_URL" if from_env else "--database"
        raise InputError(
            f"{option} {path}: the folder {folder} does not exist; create it or put the "
            "database somewhere else."
        )


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """An SQLAlchemy engine for the registry database (SQLite or PostgreSQL)."""
    resolved = resolve_database_url(url)
    parsed = make_url(resolved)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            _sqlite_folder(Path(parsed.database).expanduser(), url)
        connect_args = {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S}
        connect_args.update(kwargs.pop("connect_args", {}))
        if parsed.database and parsed.database != ":memory:":  # a file: QueuePool
            kwargs.setdefault("pool_size", POOL_SIZE)
            kwargs.setdefault("max_overflow", POOL_OVERFLOW["sqlite"])
        engine = create_engine(resolved, connect_args=connect_args, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", POOL_SIZE)
    kwargs.setdefault("max_overflow", POOL_OVERFLOW["postgresql"])
    return create_engine(resolved, **kwargs)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory; objects stay usable after commit (`expire_on_commit=False`)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def alembic_config(engine: Engine) -> Any:
    """An Alembic `Config` for the shipped migrations, running on `engine`."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply the shipped migrations up to `revision`."""
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    """Revert the shipped migrations down to `revision`."""
    from alembic import command

    command.downgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    """The Alembic revision the database is at (None when never migrated)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    """The newest revision shipped with this version of `ldn`."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(
        alembic_config(create_engine("sqlite://"))
    ).get_current_head()
    assert head is not None
    return head


@dataclass(frozen=True)
class Registry:
    """An opened registry database: its engine and a session factory."""

    engine: Engine
    sessions: sessionmaker[Session]

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that is closed afterwards (services commit themselves)."""
        with self.sessions() as session:
            yield session

    def dispose(self) -> None:
        """Close all pooled connections."""
        self.engine.dispose()


def open_registry(url: str | None = None, *, migrate: bool = True) -> Registry:
    """Open (and by default create/upgrade) the registry database at `url`."""
    engine = make_engine(url)
    if migrate:
        upgrade(engine)
    return Registry(engine=engine, sessions=session_factory(engine))
