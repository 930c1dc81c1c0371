"""Alembic migrations: upgrade → downgrade → upgrade on SQLite and PostgreSQL, models and
migrations agree (autogenerate finds no difference), and first use creates the SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from ldn.errors import InputError
from ldn.registry.db import (
    current_revision,
    downgrade,
    head_revision,
    make_engine,
    open_registry,
    upgrade,
)
from ldn.registry.models import Base

TABLES = {
    "clinics",
    "users",
    "patients",
    "patient_conditions",
    "prescriptions",
    "assessments",
    "adverse_events",
    "audit_log",
}


def test_upgrade_downgrade_upgrade(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        assert current_revision(engine) == head_revision()
        assert set(inspect(engine).get_table_names()) >= TABLES
        downgrade(engine, "base")
        assert current_revision(engine) is None
        assert not TABLES & set(inspect(engine).get_table_names())
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        assert set(inspect(engine).get_table_names()) >= TABLES
    finally:
        engine.dispose()


def test_models_and_migrations_agree(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(ctx, Base.metadata)
        assert diff == []
    finally:
        engine.dispose()


def test_first_use_creates_the_sqlite_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """...in an existing folder; a missing one is not created (the FILE rule)."""
    missing = tmp_path / "new" / "dir" / "reg.sqlite"
    monkeypatch.setenv("LDN_DATABASE_URL", f"sqlite:///{missing}")
    with pytest.raises(InputError, match=f"LDN_DATABASE_URL {missing}: the folder .* not exist"):
        open_registry()
    given = tmp_path / "new" / "given.sqlite"
    with pytest.raises(InputError, match=f"--database {given}: the folder .* does not exist"):
        open_registry(f"sqlite:///{given}")
    assert not (tmp_path / "new").exists()
    target = tmp_path / "reg.sqlite"
    monkeypatch.setenv("LDN_DATABASE_URL", f"sqlite:///{target}")
    reg = open_registry()
    try:
        assert target.exists()
        assert current_revision(reg.engine) == head_revision()
    finally:
        reg.dispose()


def test_default_location_is_the_user_data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    from ldn.registry.config import default_sqlite_path, resolve_database_url

    monkeypatch.delenv("LDN_DATABASE_URL", raising=False)
    assert resolve_database_url() == f"sqlite:///{default_sqlite_path()}"
    assert "ldn" in default_sqlite_path().parts
    assert "site-packages" not in str(default_sqlite_path())


def test_bad_database_url_is_explained() -> None:
    from ldn.errors import InputError
    from ldn.registry.config import resolve_database_url

    with pytest.raises(InputError, match="not supported: use sqlite:///PATH or postgresql"):
        resolve_database_url("mysql://x")
    assert resolve_database_url("postgresql://u@h/db").startswith("postgresql+psycopg://")
