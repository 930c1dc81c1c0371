"""Practice tools: diary links, N-of-1 trials, and the source of assessments/adverse events.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 09:05:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ldn.registry.migration_ops import (
    create_index,
    create_table,
    drop_table,
    id_column,
    of_patient,
    patient_id,
)

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_table(
        "diary_tokens",
        id_column(),
        patient_id(),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("scale", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        of_patient("diary_tokens"),
        sa.UniqueConstraint("token_hash", name=op.f("uq_diary_tokens_token_hash")),
    )
    create_index("diary_tokens", ["patient_id"])
    create_table(
        "n_of_1_trials",
        id_column(),
        patient_id(),
        sa.Column("scale", sa.String(length=16), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("schedule", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("unblinded_at", sa.DateTime(), nullable=True),
        of_patient("n_of_1_trials"),
    )
    create_index("n_of_1_trials", ["patient_id"])
    for table in ("assessments", "adverse_events"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("source", sa.String(length=16), nullable=False, server_default="clinic")
            )


def downgrade() -> None:
    for table in ("adverse_events", "assessments"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("source")
    drop_table("n_of_1_trials", "ix_n_of_1_trials_patient_id")
    drop_table("diary_tokens", "ix_diary_tokens_patient_id")
