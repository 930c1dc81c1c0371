"""Registry tables of the practice tools (imported by `ldn.registry.models`, same metadata).

- `DiaryToken(id, patient_id, token_hash, scale, created_at, created_by, revoked_at,
  last_used_at)`: a patient's diary link. Only the SHA-256 of the random token is stored; the
  link is shown once when it is made. Revoked links stop working at once.
- `NOf1Trial(id, patient_id, scale, start_date, schedule, created_at, created_by,
  unblinded_at, version)`: a randomised blinded N-of-1 schedule (`schedule` is the JSON of
  `ldn.practice.n_of_1.NOf1Schedule.to_dict()`, i.e. the pharmacy key); `unblinded_at` is set
  when the clinician breaks the blind.

Assessments and adverse events entered through the diary carry `source = "diary"` (column on
those tables; "clinic" otherwise).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Final

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ldn.registry.models import Base, utcnow

SOURCES: Final = ("clinic", "diary")


class DiaryToken(Base):
    """A per-patient diary link (token stored only as a hash)."""

    __tablename__ = "diary_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), nullable=False, index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    scale: Mapped[str] = mapped_column(String(16), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    created_by: Mapped[str] = mapped_column(String(64), nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class NOf1Trial(Base):
    """A randomised, blinded N-of-1 schedule for one patient and one scale."""

    __tablename__ = "n_of_1_trials"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), nullable=False, index=True
    )
    scale: Mapped[str] = mapped_column(String(16), nullable=False)
    start_date: Mapped[date] = mapped_column(Date, nullable=False)
    schedule: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    created_by: Mapped[str] = mapped_column(String(64), nullable=False)
    unblinded_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
