"""Alembic environment for the registry.

`ldn.registry.db.upgrade(engine)` passes the engine through `config.attributes["engine"]`; the
`alembic` command line can be used too with `-x url=...` or `sqlalchemy.url` in a config.
"""

from __future__ import annotations

from alembic import context

from ldn.registry.models import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str | None:
    return context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url"
    )


def run_migrations_offline() -> None:
    """Emit SQL to stdout instead of running it (alembic --sql)."""
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run migrations on the engine given by `ldn.registry.db` (or built from the URL)."""
    engine = config.attributes.get("engine")
    if engine is None:
        from ldn.registry.db import make_engine

        engine = make_engine(_url())
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
