"""Registry settings: where the database lives.

Resolution order for the database URL (first match wins):

1. an explicit `url` argument (the CLI's `--database URL`, a test fixture, `create_app(...)`);
2. the environment variable `LDN_DATABASE_URL` (read through pydantic-settings);
3. the default: a SQLite file `registry.sqlite` in the user data directory given by
   `platformdirs.user_data_dir("ldn")` (e.g. `~/.local/share/ldn/registry.sqlite` on Linux),
   created with its folder on first use. Never inside the installed package.

Any SQLAlchemy URL works; the tested back ends are SQLite (`sqlite:///path.sqlite`) and
PostgreSQL through psycopg 3 (`postgresql+psycopg://user@host:5432/dbname`). A bare
`postgresql://` URL is rewritten to use psycopg 3, which is what `ldn` installs.
"""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from ldn.errors import InputError

DEFAULT_SQLITE_NAME = "registry.sqlite"


class RegistrySettings(BaseSettings):
    """Environment-driven settings of the registry (`LDN_` prefix)."""

    model_config = SettingsConfigDict(env_prefix="LDN_", extra="ignore")

    database_url: str | None = None


def default_sqlite_path() -> Path:
    """The default SQLite file in the per-user data directory (not created here)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("ldn", appauthor=False)) / DEFAULT_SQLITE_NAME


def resolve_database_url(url: str | None = None) -> str:
    """The database URL to use: `url`, else `LDN_DATABASE_URL`, else the default SQLite file."""
    chosen = url or RegistrySettings().database_url
    if not chosen:
        path = default_sqlite_path()
        return f"sqlite:///{path}"
    chosen = chosen.strip()
    if chosen.startswith("postgresql://") or chosen.startswith("postgres://"):
        chosen = "postgresql+psycopg://" + chosen.split("://", 1)[1]
    if not (chosen.startswith("sqlite") or chosen.startswith("postgresql")):
        raise InputError(
            f"database URL {chosen!r} is not supported: use sqlite:///PATH or "
            "postgresql+psycopg://USER@HOST:PORT/DB (set LDN_DATABASE_URL or pass --database)"
        )
    return chosen
