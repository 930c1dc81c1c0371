"""Database fixtures for registry tests: a fresh, migrated database per test on SQLite and,
when reachable, PostgreSQL.

Use from any test folder's conftest.py (tests/registry/conftest.py does this):

    from registry_fixtures import *  # noqa: F403  (tests/ is on sys.path via tests/conftest.py)

Fixtures:
- `db_url` — parametrized over `sqlite` and `postgresql`: a URL of an empty, migrated database
  private to the test. SQLite: a copy of a template file migrated once per session into the
  test's tmp_path. PostgreSQL: a new schema `ldn_t_<hex>` in the database at
  `LDN_TEST_POSTGRES_URL` (default postgresql+psycopg://postgres@127.0.0.1:5432/test),
  selected through `search_path`, migrated with Alembic and dropped afterwards. The PostgreSQL
  case is skipped with the reason when the server cannot be reached.
- `sqlite_url` — the SQLite case only (for tests that are about SQLite).
- `registry` — `ldn.registry.db.Registry` opened on `db_url` (disposed afterwards).
- `session` — a session of `registry`.
- `world` — two clinics (A, B), users admin / clin_a / clin_b / researcher (password
  `PASSWORD`), one patient in each clinic; returns a `World` with ids and actors.
- `module_registry`, `module_world` — the same, shared by all tests of a module (faster; use
  only when the tests do not interfere).

Importing this module sets `LDN_PASSWORD_HASH_PROFILE=cheapest` (unless already set) so that
argon2 hashing costs microseconds instead of ~0.7 s in tests.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from ldn.registry.db import Registry, make_engine, open_registry, session_factory, upgrade
from ldn.registry.models import Clinic, Patient, PatientCondition, User
from ldn.registry.permissions import Actor

__all__ = [
    "PASSWORD",
    "POSTGRES_URL",
    "World",
    "db_url",
    "make_world",
    "module_db_url",
    "module_registry",
    "module_world",
    "pg_admin_url",
    "postgres_url",
    "registry",
    "session",
    "sqlite_template",
    "sqlite_url",
    "world",
]

os.environ.setdefault("LDN_PASSWORD_HASH_PROFILE", "cheapest")

POSTGRES_URL = os.environ.get(
    "LDN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
PASSWORD = "correct-horse-battery"


@cache
def _postgres_problem() -> str | None:
    """None when PostgreSQL answers, else why not (checked once per session)."""
    try:
        engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # any failure means: skip PostgreSQL tests
        return f"PostgreSQL not reachable at {POSTGRES_URL}: {type(exc).__name__}: {exc}"[:300]
    return None


@cache
def _password_hash() -> str:
    from ldn.registry.security import hash_password

    return hash_password(PASSWORD)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once per session; tests get copies."""
    path = tmp_path_factory.mktemp("registry-template") / "template.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.connect() as conn:  # fold the WAL into the main file before copying
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


def _copy_template(template: Path, directory: Path) -> str:
    target = directory / "registry.sqlite"
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


@contextmanager
def _postgres_schema() -> Iterator[str]:
    """A new migrated schema at POSTGRES_URL, dropped on exit."""
    schema = f"ldn_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = _pg_schema_url(schema)
    engine = make_engine(url)
    try:
        upgrade(engine)
        engine.dispose()
        yield url
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def _pg_schema_url(schema: str) -> str:
    sep = "&" if "?" in POSTGRES_URL else "?"
    return f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"


def _skip_without_postgres() -> None:
    problem = _postgres_problem()
    if problem:
        pytest.skip(problem)


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    """A private, migrated SQLite database."""
    return _copy_template(sqlite_template, tmp_path)


@pytest.fixture
def pg_admin_url() -> str:
    """The PostgreSQL server URL (skips the test when unreachable)."""
    _skip_without_postgres()
    return POSTGRES_URL


@pytest.fixture
def postgres_url(pg_admin_url: str) -> Iterator[str]:
    """A private, migrated PostgreSQL schema (dropped after the test)."""
    with _postgres_schema() as url:
        yield url


_BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=_BACKENDS)
def db_url(request: pytest.FixtureRequest) -> str:
    """A fresh migrated database on each back end."""
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(name))


@pytest.fixture(scope="module", params=_BACKENDS)
def module_db_url(
    request: pytest.FixtureRequest,
    sqlite_template: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    """A migrated database shared by the tests of one module, on each back end."""
    if request.param == "sqlite":
        yield _copy_template(sqlite_template, tmp_path_factory.mktemp("registry-module"))
        return
    _skip_without_postgres()
    with _postgres_schema() as url:
        yield url


@pytest.fixture
def registry(db_url: str) -> Iterator[Registry]:
    """The registry opened on the test's database."""
    reg = open_registry(db_url, migrate=False)
    try:
        yield reg
    finally:
        reg.dispose()


@pytest.fixture(scope="module")
def module_registry(module_db_url: str) -> Iterator[Registry]:
    """The registry on the module's shared database."""
    reg = open_registry(module_db_url, migrate=False)
    try:
        yield reg
    finally:
        reg.dispose()


@pytest.fixture
def session(registry: Registry) -> Iterator[Session]:
    """A session on the test's database."""
    with registry.session() as sess:
        yield sess


@dataclass(frozen=True)
class World:
    """Ids and actors of the standard two-clinic test data."""

    clinic_a: int
    clinic_b: int
    admin: Actor
    clin_a: Actor
    clin_b: Actor
    researcher: Actor
    patient_a: int
    patient_b: int

    @property
    def actors(self) -> dict[str, Actor]:
        return {
            "admin": self.admin,
            "clin_a": self.clin_a,
            "clin_b": self.clin_b,
            "researcher": self.researcher,
        }


@pytest.fixture
def world(registry: Registry) -> World:
    """Two clinics, one user per role (+ a second clinician), one patient per clinic."""
    return make_world(registry)


@pytest.fixture(scope="module")
def module_world(module_registry: Registry) -> World:
    """`world` on the module's shared database."""
    return make_world(module_registry)


def make_world(registry: Registry) -> World:
    """Insert the standard two-clinic data and return its ids and actors."""
    with session_factory(registry.engine)() as s:
        a, b = Clinic(name="Clinic A"), Clinic(name="Clinic B")
        s.add_all([a, b])
        s.flush()
        users = {
            "admin": User(username="admin", role="admin", clinic_id=None),
            "clin_a": User(username="clin_a", role="clinician", clinic_id=a.id),
            "clin_b": User(username="clin_b", role="clinician", clinic_id=b.id),
            "researcher": User(username="researcher", role="researcher", clinic_id=None),
        }
        for u in users.values():
            u.password_hash = _password_hash()
        s.add_all(users.values())
        pa = Patient(clinic_id=a.id, code="P-0001", birth_year=1970, sex="female")
        pa.condition_rows = [PatientCondition(condition="ra")]
        pb = Patient(clinic_id=b.id, code="P-0001", birth_year=1985, sex="male")
        pb.condition_rows = [PatientCondition(condition="crohns")]
        s.add_all([pa, pb])
        s.commit()
        actors = {
            k: Actor(id=u.id, username=u.username, role=u.role, clinic_id=u.clinic_id)
            for k, u in users.items()
        }
        return World(
            clinic_a=a.id,
            clinic_b=b.id,
            patient_a=pa.id,
            patient_b=pb.id,
            **actors,
        )
