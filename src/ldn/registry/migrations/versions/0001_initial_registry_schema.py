"""Initial registry schema, with the audit log made append-only in the database.

SQLite: BEFORE UPDATE / BEFORE DELETE triggers that abort. PostgreSQL: a trigger function that
raises on UPDATE, DELETE and TRUNCATE of audit_log.

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-25 22:32:07.990215
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ldn.registry.migration_ops import (
    check,
    create_index,
    create_table,
    drop_table,
    foreign_key,
    id_column,
    of_patient,
    patient_id,
    versioned,
)

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_table(
        "audit_log",
        id_column(),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_username", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("clinic_id", sa.Integer(), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        check("audit_log", "action", "action IN ('create', 'update', 'delete')"),
    )
    create_index("audit_log", ["entity", "entity_id"], "ix_audit_log_entity")
    create_table(
        "clinics",
        id_column(),
        sa.Column("name", sa.String(length=120), nullable=False),
        *versioned(),
        sa.UniqueConstraint("name", name=op.f("uq_clinics_name")),
    )
    _patients_and_users()
    _patient_records()
    _append_only_up()


def _patients_and_users() -> None:
    create_table(
        "patients",
        id_column(),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("birth_year", sa.Integer(), nullable=False),
        sa.Column("sex", sa.String(length=16), nullable=False),
        *versioned(),
        check("patients", "sex", "sex IN ('female', 'male', 'other', 'unknown')"),
        check("patients", "birth_year", "birth_year >= 1900 AND birth_year <= 2100"),
        foreign_key("patients", "clinic_id", "clinics", "RESTRICT"),
        sa.UniqueConstraint("clinic_id", "code", name="uq_patients_clinic_code"),
    )
    create_index("patients", ["clinic_id"])
    create_table(
        "users",
        id_column(),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        *versioned(),
        check("users", "clinician_clinic", "role != 'clinician' OR clinic_id IS NOT NULL"),
        check("users", "role", "role IN ('admin', 'clinician', 'researcher')"),
        foreign_key("users", "clinic_id", "clinics", "RESTRICT"),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )


def _patient_records() -> None:
    create_table(
        "assessments",
        id_column(),
        patient_id(),
        sa.Column("scale", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        *versioned(),
        of_patient("assessments"),
    )
    create_index(
        "assessments", ["patient_id", "scale", "assessed_on"], "ix_assessments_patient_scale_date"
    )
    create_table(
        "patient_conditions",
        patient_id(),
        sa.Column("condition", sa.String(length=16), nullable=False),
        check(
            "patient_conditions",
            "condition",
            "condition IN ('ra', 'sle', 'psoriasis', 'ms', 'fibromyalgia', 'crohns', 'other')",
        ),
        of_patient("patient_conditions"),
        key=("patient_id", "condition"),
    )
    _prescriptions()
    _adverse_events()


def _prescriptions() -> None:
    create_table(
        "prescriptions",
        id_column(),
        patient_id(),
        sa.Column("dose_mg", sa.Float(), nullable=False),
        sa.Column("clock_time", sa.String(length=5), nullable=False),
        sa.Column("formulation", sa.String(length=16), nullable=False),
        sa.Column("titration", sa.JSON(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("stop_date", sa.Date(), nullable=True),
        sa.Column("stop_reason", sa.String(length=200), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        *versioned(),
        check(
            "prescriptions",
            "formulation",
            "formulation IN ('capsule', 'tablet', 'liquid', 'sublingual', 'cream', 'other')",
        ),
        check("prescriptions", "dose_positive", "dose_mg > 0"),
        check("prescriptions", "dates_ordered", "stop_date IS NULL OR stop_date >= start_date"),
        of_patient("prescriptions"),
    )
    create_index("prescriptions", ["patient_id"])


def _adverse_events() -> None:
    create_table(
        "adverse_events",
        id_column(),
        patient_id(),
        sa.Column("prescription_id", sa.Integer(), nullable=True),
        sa.Column("event_type", sa.String(length=16), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("onset_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        *versioned(),
        check(
            "adverse_events",
            "event_type",
            "event_type IN ('vivid_dreams', 'insomnia', 'headache', 'nausea', 'diarrhoea', "
            "'fatigue', 'other')",
        ),
        check("adverse_events", "severity", "severity IN ('mild', 'moderate', 'severe')"),
        check("adverse_events", "dates_ordered", "end_date IS NULL OR end_date >= onset_date"),
        of_patient("adverse_events"),
        foreign_key("adverse_events", "prescription_id", "prescriptions", "SET NULL"),
    )
    create_index("adverse_events", ["patient_id"])


def downgrade() -> None:
    _append_only_down()
    drop_table("adverse_events", "ix_adverse_events_patient_id")
    drop_table("prescriptions", "ix_prescriptions_patient_id")
    drop_table("patient_conditions")
    drop_table("assessments", "ix_assessments_patient_scale_date")
    drop_table("users")
    drop_table("patients", "ix_patients_clinic_id")
    drop_table("clinics")
    drop_table("audit_log", "ix_audit_log_entity")


_MESSAGE = "audit_log is append-only: rows cannot be changed or deleted"


def _append_only_up() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
                f"BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END"
            )
    elif dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION ldn_audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{_MESSAGE}'; END; $$"
        )
        op.execute(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION ldn_audit_log_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
            "FOR EACH STATEMENT EXECUTE FUNCTION ldn_audit_log_append_only()"
        )


def _append_only_down() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS ldn_audit_log_append_only()")
