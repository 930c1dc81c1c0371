"""The registry's tables (SQLAlchemy 2 declarative models).

Entities and their stable names (the web app and the analysis adapter import these):

- `Clinic(id, name)`
- `User(id, username, password_hash, role, clinic_id, active, failed_logins, locked_until)` —
  role is one of `ROLES` = admin | clinician | researcher; clinicians belong to one clinic.
- `Patient(id, clinic_id, code, birth_year, sex, conditions)` — pseudonymous: no name, no exact
  birth date; `code` (e.g. "P-0001") is unique within a clinic; `conditions` are
  `PatientCondition(patient_id, condition)` rows with `condition` in `CONDITIONS`.
- `Prescription(id, patient_id, dose_mg, clock_time "HH:MM", formulation, titration,
  start_date, stop_date, stop_reason, notes)` — `titration` is a JSON list of
  `{"dose_mg": float, "days": int}` steps taken before the maintenance `dose_mg`.
- `Assessment(id, patient_id, scale, value, assessed_on, notes)` — `scale` is a code from
  `ldn.scales.SCALES`; the value is checked against the scale's range by the schemas.
- `AdverseEvent(id, patient_id, prescription_id?, event_type, severity, onset_date, end_date,
  notes)` with `event_type` in `AE_TYPES`, `severity` in `SEVERITIES`.
- `AuditLog(id, at, actor_id, actor_username, action, entity, entity_id, clinic_id, before,
  after)` — append-only: the ORM refuses updates and deletes, and the migration installs
  database triggers (SQLite) / rules (PostgreSQL) that do the same.
- `WebSession(id, user_id, kind, created_at, expires_at)` — a login session or API token of
  the web app, stored as the SHA-256 of its secret (revision 0003).

Editable rows carry a `version` column used for optimistic concurrency: SQLAlchemy adds
`WHERE version = :old` to every UPDATE, so a concurrent edit fails loudly (the services turn
that into `ConflictError`) instead of silently overwriting. Timestamps are naive UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, Final

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    declared_attr,
    mapped_column,
    relationship,
)

from ldn.registry.conditions import CONDITIONS  # the names of `ldn.conditions` + "other"
from ldn.scales import AE_TYPES, SEVERITIES  # side-effect vocabulary, shared with ldn.practice

ROLES: Final = ("admin", "clinician", "researcher")
SEXES: Final = ("female", "male", "other", "unknown")
FORMULATIONS: Final = ("capsule", "tablet", "liquid", "sublingual", "cream", "other")
AUDIT_ACTIONS: Final = ("create", "update", "delete")
SESSION_KINDS: Final = ("cookie", "bearer")

# Stable constraint names so Alembic migrations are deterministic on both back ends.
NAMING_CONVENTION: Final = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time as naive UTC (what every timestamp column stores)."""
    return datetime.now(UTC).replace(tzinfo=None)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    """Declarative base with the naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Versioned:
    """`created_at` and the optimistic-concurrency `version` of an editable row (last columns).

    SQLAlchemy adds `WHERE version = :old` to every UPDATE of such a row and bumps it.
    """

    created_at: Mapped[datetime] = mapped_column(
        DateTime, default=utcnow, nullable=False, sort_order=1
    )
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1, sort_order=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


class Clinic(Versioned, Base):
    """A clinic: the unit of data ownership for clinicians."""

    __tablename__ = "clinics"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True, nullable=False)


class User(Versioned, Base):
    """A person who logs in. Passwords are stored only as argon2 hashes."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(_in("role", ROLES), name="role"),
        CheckConstraint("role != 'clinician' OR clinic_id IS NOT NULL", name="clinician_clinic"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    clinic_id: Mapped[int | None] = mapped_column(
        ForeignKey("clinics.id", ondelete="RESTRICT"), nullable=True
    )
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    clinic: Mapped[Clinic | None] = relationship(lazy="joined")


class Patient(Versioned, Base):
    """A pseudonymous patient: code, birth year, sex and conditions; no identifying data."""

    __tablename__ = "patients"
    __table_args__ = (
        UniqueConstraint("clinic_id", "code", name="uq_patients_clinic_code"),
        CheckConstraint(_in("sex", SEXES), name="sex"),
        CheckConstraint("birth_year >= 1900 AND birth_year <= 2100", name="birth_year"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clinic_id: Mapped[int] = mapped_column(
        ForeignKey("clinics.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    code: Mapped[str] = mapped_column(String(32), nullable=False)
    birth_year: Mapped[int] = mapped_column(Integer, nullable=False)
    sex: Mapped[str] = mapped_column(String(16), nullable=False)

    condition_rows: Mapped[list[PatientCondition]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, lazy="selectin"
    )
    prescriptions: Mapped[list[Prescription]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="Prescription.start_date"
    )
    assessments: Mapped[list[Assessment]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="Assessment.assessed_on"
    )
    adverse_events: Mapped[list[AdverseEvent]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="AdverseEvent.onset_date"
    )

    @property
    def conditions(self) -> list[str]:
        """Condition codes, sorted."""
        return sorted(row.condition for row in self.condition_rows)


class PatientCondition(Base):
    """One condition of a patient (many per patient)."""

    __tablename__ = "patient_conditions"
    __table_args__ = (CheckConstraint(_in("condition", CONDITIONS), name="condition"),)

    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), primary_key=True
    )
    condition: Mapped[str] = mapped_column(String(16), primary_key=True)


class Prescription(Versioned, Base):
    """An LDN prescription: maintenance dose, clock time, optional titration, start/stop."""

    __tablename__ = "prescriptions"
    __table_args__ = (
        CheckConstraint("dose_mg > 0", name="dose_positive"),
        CheckConstraint(_in("formulation", FORMULATIONS), name="formulation"),
        CheckConstraint("stop_date IS NULL OR stop_date >= start_date", name="dates_ordered"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), nullable=False, index=True
    )
    dose_mg: Mapped[float] = mapped_column(Float, nullable=False)
    clock_time: Mapped[str] = mapped_column(String(5), nullable=False)
    formulation: Mapped[str] = mapped_column(String(16), nullable=False)
    titration: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False, default=list)
    start_date: Mapped[date] = mapped_column(Date, nullable=False)
    stop_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    stop_reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)


class Assessment(Versioned, Base):
    """One outcome measurement on a validated scale."""

    __tablename__ = "assessments"
    __table_args__ = (
        Index("ix_assessments_patient_scale_date", "patient_id", "scale", "assessed_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), nullable=False
    )
    scale: Mapped[str] = mapped_column(String(16), nullable=False)
    value: Mapped[float] = mapped_column(Float, nullable=False)
    assessed_on: Mapped[date] = mapped_column(Date, nullable=False)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)
    source: Mapped[str] = mapped_column(
        String(16), nullable=False, default="clinic", server_default="clinic"
    )


class AdverseEvent(Versioned, Base):
    """A side effect reported by a patient."""

    __tablename__ = "adverse_events"
    __table_args__ = (
        CheckConstraint(_in("event_type", AE_TYPES), name="event_type"),
        CheckConstraint(_in("severity", SEVERITIES), name="severity"),
        CheckConstraint("end_date IS NULL OR end_date >= onset_date", name="dates_ordered"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), nullable=False, index=True
    )
    prescription_id: Mapped[int | None] = mapped_column(
        ForeignKey("prescriptions.id", ondelete="SET NULL"), nullable=True
    )
    event_type: Mapped[str] = mapped_column(String(16), nullable=False)
    severity: Mapped[str] = mapped_column(String(16), nullable=False)
    onset_date: Mapped[date] = mapped_column(Date, nullable=False)
    end_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)
    source: Mapped[str] = mapped_column(
        String(16), nullable=False, default="clinic", server_default="clinic"
    )


class AuditLog(Base):
    """Append-only record of every change: who, when, what, and the row before/after."""

    __tablename__ = "audit_log"
    __table_args__ = (
        CheckConstraint(_in("action", AUDIT_ACTIONS), name="action"),
        Index("ix_audit_log_entity", "entity", "entity_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    actor_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    actor_username: Mapped[str] = mapped_column(String(64), nullable=False)
    action: Mapped[str] = mapped_column(String(16), nullable=False)
    entity: Mapped[str] = mapped_column(String(32), nullable=False)
    entity_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    clinic_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class WebSession(Base):
    """A login of the web app: a browser session (`cookie`) or an API token (`bearer`).

    Only the SHA-256 of the random secret is stored, so a copy of the table lets no one log
    in. Deleting the rows of a user ends all their sessions and tokens at once (logout,
    password change, account switched off: `ldn.registry.web_sessions`).
    """

    __tablename__ = "web_sessions"
    __table_args__ = (CheckConstraint(_in("kind", SESSION_KINDS), name="kind"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, index=True)


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or delete an audit-log row."""


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session: Session, _ctx: Any, _instances: Any) -> None:
    for obj in session.dirty:
        if isinstance(obj, AuditLog) and session.is_modified(obj):
            raise AppendOnlyError("the audit log is append-only: rows cannot be changed")
    for obj in session.deleted:
        if isinstance(obj, AuditLog):
            raise AppendOnlyError("the audit log is append-only: rows cannot be deleted")
