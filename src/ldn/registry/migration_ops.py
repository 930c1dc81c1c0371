"""Building blocks of the registry's Alembic migrations (`ldn/registry/migrations/versions`).

The registry's tables share a shape: an integer `id` key, rows that belong to a patient or a
clinic through a foreign key named by the naming convention of `ldn.registry.models`, the
`created_at` / `version` pair of editable rows, indexes made in batch mode (SQLite). These
functions write those parts once. A migration must keep producing the schema it produced when
it was written, so a change here must leave the DDL of every existing revision as it is
(`tests/registry/test_migrations.py` compares models and migrations on SQLite and
PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op


def create_table(name: str, *items: Any, key: Sequence[str] = ("id",)) -> None:
    """`op.create_table(name, *items)` with its primary key `pk_<name>` on `key`."""
    op.create_table(name, *items, sa.PrimaryKeyConstraint(*key, name=op.f(f"pk_{name}")))


def id_column() -> sa.Column[Any]:
    """The integer surrogate key `id`."""
    return sa.Column("id", sa.Integer(), nullable=False)


def versioned() -> tuple[sa.Column[Any], sa.Column[Any]]:
    """`created_at` and the optimistic-concurrency `version` of an editable row."""
    return (
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )


def foreign_key(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    """`table.column` → `target.id`, named `fk_<table>_<column>_<target>`."""
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def patient_id() -> sa.Column[Any]:
    """The `patient_id` column of a row that belongs to a patient (see `of_patient`)."""
    return sa.Column("patient_id", sa.Integer(), nullable=False)


def of_patient(table: str) -> sa.ForeignKeyConstraint:
    """The foreign key of `table.patient_id`: the row goes when the patient goes."""
    return foreign_key(table, "patient_id", "patients", "CASCADE")


def check(table: str, name: str, condition: str) -> sa.CheckConstraint:
    """A check constraint named `ck_<table>_<name>`.

    Constraints are written in the order they are made: make them in the order of the table.
    """
    return sa.CheckConstraint(condition, name=op.f(f"ck_{table}_{name}"))


def create_index(table: str, columns: Sequence[str], name: str | None = None) -> None:
    """A non-unique index (default name `ix_<table>_<first column>`), in batch mode."""
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f(name or f"ix_{table}_{columns[0]}"), list(columns), unique=False
        )


def drop_table(table: str, *indexes: str) -> None:
    """Drop the named indexes of `table` (batch mode), then the table."""
    if indexes:
        with op.batch_alter_table(table, schema=None) as batch_op:
            for index in indexes:
                batch_op.drop_index(batch_op.f(index))
    op.drop_table(table)
