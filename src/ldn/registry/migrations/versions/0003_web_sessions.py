"""Server-side login sessions and API tokens of the web app (`web_sessions`).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 08:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from ldn.registry.migration_ops import check, create_index, create_table, drop_table, foreign_key

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_table(
        "web_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        check("web_sessions", "kind", "kind IN ('cookie', 'bearer')"),
        foreign_key("web_sessions", "user_id", "users", "CASCADE"),
    )
    create_index("web_sessions", ["user_id"])
    create_index("web_sessions", ["expires_at"])


def downgrade() -> None:
    drop_table("web_sessions", "ix_web_sessions_expires_at", "ix_web_sessions_user_id")
