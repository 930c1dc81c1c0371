"""Practice tools: diary links, N-of-1 trials, and the source of assessments/adverse events.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 09:05:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "diary_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("scale", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_diary_tokens_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_diary_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_diary_tokens_token_hash")),
    )
    with op.batch_alter_table("diary_tokens", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_diary_tokens_patient_id"), ["patient_id"], unique=False
        )
    op.create_table(
        "n_of_1_trials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("scale", sa.String(length=16), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("schedule", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("unblinded_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_n_of_1_trials_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_n_of_1_trials")),
    )
    with op.batch_alter_table("n_of_1_trials", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_n_of_1_trials_patient_id"), ["patient_id"], unique=False
        )
    for table in ("assessments", "adverse_events"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("source", sa.String(length=16), nullable=False, server_default="clinic")
            )


def downgrade() -> None:
    for table in ("adverse_events", "assessments"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("source")
    with op.batch_alter_table("n_of_1_trials", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_n_of_1_trials_patient_id"))
    op.drop_table("n_of_1_trials")
    with op.batch_alter_table("diary_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_diary_tokens_patient_id"))
    op.drop_table("diary_tokens")
