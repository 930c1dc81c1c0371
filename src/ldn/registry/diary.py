"""Patient diary links: per-patient tokens and the entries patients make with them.

A clinician makes a link for a patient (`create_diary_link`): a random 256-bit token, shown
once; the registry keeps only its SHA-256 (a fast hash is enough for a random secret of this
length — there is nothing to guess). The patient opens `/diary/<token>` without a staff
account and records, for a day, a symptom score on the link's scale and any side effects
(`add_diary_entry`). Entries become ordinary assessments and adverse events with
`source = "diary"`, written with an audit row whose actor is `diary:<patient code>`. One diary
score per day and scale: a second entry for the same day replaces the first (audited update),
so the N-of-1 analysis never sees two values at one time. Clinicians revoke links
(`revoke_diary_link`); a revoked or unknown token resolves to None.

Diary dates: today or up to `BACKFILL_DAYS` days back (assumption: a week lets a patient catch
up after a missed evening while keeping recall short), never in the future.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from ldn.registry import audit
from ldn.registry._common import WriteOptions, audited_create, audited_update, commit
from ldn.registry.errors import InputError, NotFound
from ldn.registry.models import AdverseEvent, Assessment, Patient, utcnow
from ldn.registry.patients import _load_patient
from ldn.registry.permissions import Actor, ActorLike
from ldn.registry.practice_models import DiaryToken
from ldn.scales import AE_TYPES, SCALES, SEVERITIES

DIARY_SCALES: Final = ("pain_nrs",)  # scales a patient can score daily on their own
BACKFILL_DAYS: Final = 7
RECENT_ENTRIES: Final = 7  # diary scores the page lists
MAX_NOTE: Final = 500


def hash_token(token: str) -> str:
    """SHA-256 hex digest of a diary token (what the database stores)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class DiaryLink:
    """A diary link as shown to clinicians (never the token itself, except once at creation)."""

    id: int
    patient_id: int
    scale: str
    created_at: datetime
    created_by: str
    revoked_at: datetime | None
    last_used_at: datetime | None

    @classmethod
    def of(cls, row: DiaryToken) -> DiaryLink:
        return cls(
            row.id,
            row.patient_id,
            row.scale,
            row.created_at,
            row.created_by,
            row.revoked_at,
            row.last_used_at,
        )

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def _patient(session: Session, actor: ActorLike, patient_id: int, action: str) -> Patient:
    # the registry's one patient check: another clinic's patient answers like a missing one
    return _load_patient(session, actor, patient_id, action)


def _safe(row: DiaryToken) -> dict[str, object]:
    snap = audit.snapshot(row)
    snap.pop("token_hash", None)
    return snap


def create_diary_link(
    *, session: Session, actor: ActorLike, patient_id: int, scale: str = "pain_nrs"
) -> tuple[str, DiaryLink]:
    """A new diary link for the patient: (token — show it once —, link)."""
    patient = _patient(session, actor, patient_id, "write")
    if scale not in DIARY_SCALES:
        raise InputError(f"a diary records one of {', '.join(DIARY_SCALES)}, not {scale!r}")
    token = secrets.token_urlsafe(32)
    row = DiaryToken(
        patient_id=patient.id, token_hash=hash_token(token), scale=scale, created_by=actor.username
    )
    audited_create(
        session,
        actor,
        row,
        entity="diary_link",
        clinic_id=patient.clinic_id,
        snapshot=_safe,
    )
    return token, DiaryLink.of(row)


def list_diary_links(*, session: Session, actor: ActorLike, patient_id: int) -> list[DiaryLink]:
    """The patient's diary links, newest first."""
    _patient(session, actor, patient_id, "read")
    rows = session.scalars(
        select(DiaryToken).where(DiaryToken.patient_id == patient_id).order_by(DiaryToken.id.desc())
    )
    return [DiaryLink.of(r) for r in rows]


def revoke_diary_link(*, session: Session, actor: ActorLike, link_id: int) -> DiaryLink:
    """Revoke a link now (idempotent); the token stops working at once."""
    row = session.get(DiaryToken, link_id)
    missing = NotFound(f"diary link {link_id} not found")
    if row is None:
        raise missing
    try:  # another clinic's link answers like a missing one
        patient = _patient(session, actor, row.patient_id, "write")
    except NotFound:
        raise missing from None
    if row.revoked_at is None:
        with audited_update(
            session, actor, row, entity="diary_link", clinic_id=patient.clinic_id, snapshot=_safe
        ):
            row.revoked_at = utcnow()
    return DiaryLink.of(row)


def resolve_diary_token(session: Session, token: str | None) -> DiaryToken | None:
    """The active link row of `token`, or None (unknown, malformed or revoked)."""
    if not token or len(token) > 128:
        return None
    row = session.scalar(select(DiaryToken).where(DiaryToken.token_hash == hash_token(token)))
    if row is None or row.revoked_at is not None:
        return None
    return row


@dataclass(frozen=True)
class DiaryView:
    """What the diary page of a link shows on `today`: the patient's code, the scale, the last
    `RECENT_ENTRIES` diary scores (newest first) and that day's blinded N-of-1 instruction."""

    today: date
    code: str
    scale: str
    recent: list[tuple[date, float]]
    trial_today: str | None


def diary_view(session: Session, link: DiaryToken, today: date) -> DiaryView:
    """The `DiaryView` of an active link (see `resolve_diary_token`) on `today`."""
    from ldn.registry.n_of_1_trials import todays_instruction

    patient = session.get(Patient, link.patient_id)
    rows = session.execute(
        select(Assessment.assessed_on, Assessment.value)
        .where(
            Assessment.patient_id == link.patient_id,
            Assessment.scale == link.scale,
            Assessment.source == "diary",
        )
        .order_by(Assessment.assessed_on.desc())
        .limit(RECENT_ENTRIES)
    ).all()
    return DiaryView(
        today=today,
        code=patient.code if patient else "",
        scale=link.scale,
        recent=[(day, value) for day, value in rows],
        trial_today=todays_instruction(session, link.patient_id, today),
    )


@dataclass(frozen=True)
class DiaryEntry:
    """What a patient records for one day."""

    day: date
    score: float | None
    side_effects: tuple[tuple[str, str], ...] = ()  # (event_type, severity)
    notes: str = ""


def check_entry(entry: DiaryEntry, scale_code: str, today: date) -> list[str]:
    """Plain-language problems with an entry (empty when it can be saved)."""
    problems = []
    if entry.day > today:
        problems.append("The date is in the future.")
    elif entry.day < today - timedelta(days=BACKFILL_DAYS):
        problems.append(f"Entries can go back at most {BACKFILL_DAYS} days.")
    scale = SCALES[scale_code]
    if entry.score is not None and not scale.min <= entry.score <= scale.max:
        problems.append(f"The score must be between {scale.min:g} and {scale.max:g}.")
    if entry.score is None and not entry.side_effects:
        problems.append("Enter a score or a side effect.")
    for kind, severity in entry.side_effects:
        if kind not in AE_TYPES or severity not in SEVERITIES:
            problems.append("Unknown side effect or severity.")
    if len(entry.notes) > MAX_NOTE:
        problems.append(f"Notes are limited to {MAX_NOTE} characters.")
    return problems


def add_diary_entry(
    *, session: Session, link: DiaryToken, entry: DiaryEntry, today: date | None = None
) -> dict[str, int]:
    """Save an entry through a link: the score as an assessment, side effects as adverse events,
    all with `source="diary"`. Returns how many rows were created/updated."""
    problems = check_entry(entry, link.scale, today or date.today())
    if problems:
        raise InputError(" ".join(problems))
    patient = session.get(Patient, link.patient_id)
    if patient is None:
        raise NotFound("patient not found")
    actor = Actor(
        id=None,
        username=f"diary:{patient.code}"[:64],
        role="clinician",
        clinic_id=patient.clinic_id,
    )
    counts = {"assessments": 0, "adverse_events": 0}
    notes = entry.notes.strip() or None
    if entry.score is not None:
        _save_score(session, actor, patient, link.scale, entry, notes)
        counts["assessments"] = 1
    for kind, severity in entry.side_effects:
        row = AdverseEvent(
            patient_id=patient.id,
            event_type=kind,
            severity=severity,
            onset_date=entry.day,
            notes=notes,
            source="diary",
        )
        audited_create(session, actor, row, **_in_entry("adverse_event", actor))
        counts["adverse_events"] += 1
    link.last_used_at = utcnow()
    commit(session)
    return counts


def _save_score(
    session: Session,
    actor: Actor,
    patient: Patient,
    scale: str,
    entry: DiaryEntry,
    notes: str | None,
) -> None:
    existing = session.scalar(
        select(Assessment).where(
            Assessment.patient_id == patient.id,
            Assessment.scale == scale,
            Assessment.assessed_on == entry.day,
            Assessment.source == "diary",
        )
    )
    if existing is not None:
        with audited_update(session, actor, existing, **_in_entry("assessment", actor)):
            existing.value = float(entry.score)  # type: ignore[arg-type]
            existing.notes = notes
        return
    row = Assessment(
        patient_id=patient.id,
        scale=scale,
        value=float(entry.score),  # type: ignore[arg-type]
        assessed_on=entry.day,
        notes=notes,
        source="diary",
    )
    audited_create(session, actor, row, **_in_entry("assessment", actor))


def _in_entry(entity: str, actor: Actor) -> WriteOptions:
    """Audited-write options of a diary row: the patient's clinic; the entry commits once."""
    return {"entity": entity, "clinic_id": actor.clinic_id, "commit_now": False}
