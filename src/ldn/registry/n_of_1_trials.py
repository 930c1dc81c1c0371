"""Blinded N-of-1 trials in the registry: store the randomised schedule, give the patient's
blinded calendar and the pharmacy key, and break the blind with the Bayesian analysis.

`create_n_of_1_trial` stores `ldn.practice.n_of_1.n_of_1_schedule(...)` for a patient, scale and
start date. `unblind_n_of_1_trial` marks the trial unblinded (audited) and analyses the
patient's assessments on that scale: study day = (assessed_on − start_date) + 1; assessments in
LDN periods count as on, in placebo periods as off, washout days are left out
(`ldn.practice.n_of_1.analyse_schedule`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from ldn.practice.n_of_1 import NOf1Schedule, analyse_schedule, n_of_1_schedule, schedule_from_dict
from ldn.registry._common import audited_create, audited_update
from ldn.registry.errors import InputError, NotFound
from ldn.registry.models import Assessment, Patient, utcnow
from ldn.registry.patients import _load_patient
from ldn.registry.permissions import ActorLike, require
from ldn.registry.practice_models import NOf1Trial
from ldn.scales import SCALES


@dataclass(frozen=True)
class TrialInfo:
    """A stored trial as clinicians see it (the treatments only after unblinding)."""

    id: int
    patient_id: int
    scale: str
    start_date: date
    schedule: NOf1Schedule
    created_by: str
    unblinded_at: datetime | None

    @property
    def end_date(self) -> date:
        return date.fromordinal(self.start_date.toordinal() + self.schedule.total_days - 1)


def _info(row: NOf1Trial) -> TrialInfo:
    return TrialInfo(
        row.id,
        row.patient_id,
        row.scale,
        row.start_date,
        schedule_from_dict(row.schedule),
        row.created_by,
        row.unblinded_at,
    )


def _load(
    session: Session, actor: ActorLike, trial_id: int, action: str
) -> tuple[NOf1Trial, Patient]:
    row = session.get(NOf1Trial, trial_id)
    missing = NotFound(f"N-of-1 trial {trial_id} not found")
    if row is None:
        raise missing
    try:  # another clinic's trial answers like a missing one
        patient = _load_patient(session, actor, row.patient_id, action)
    except NotFound:
        raise missing from None
    return row, patient


def create_n_of_1_trial(
    *,
    session: Session,
    actor: ActorLike,
    patient_id: int,
    scale: str,
    start_date: date,
    cycles: int = 3,
    period_weeks: int = 2,
    seed: int | None = None,
    washout_days: int | None = None,
) -> TrialInfo:
    """Randomise and store a schedule (a random seed is drawn when none is given)."""
    patient = session.get(Patient, patient_id)
    if patient is None:
        raise NotFound(f"patient {patient_id} not found")
    require(actor, "write", "patient", clinic_id=patient.clinic_id)
    if scale not in SCALES:
        raise InputError(f"unknown scale {scale!r}; use one of {', '.join(SCALES)}")
    if seed is None:
        seed = int(np.random.default_rng().integers(0, 2**31 - 1))
    schedule = n_of_1_schedule(
        cycles=cycles, period_weeks=period_weeks, seed=seed, washout_days=washout_days
    )
    row = NOf1Trial(
        patient_id=patient.id,
        scale=scale,
        start_date=start_date,
        schedule=schedule.to_dict(),
        created_by=actor.username,
    )
    audited_create(session, actor, row, entity="n_of_1_trial", clinic_id=patient.clinic_id)
    return _info(row)


def list_n_of_1_trials(*, session: Session, actor: ActorLike, patient_id: int) -> list[TrialInfo]:
    """The patient's trials, newest first."""
    patient = session.get(Patient, patient_id)
    if patient is None:
        raise NotFound(f"patient {patient_id} not found")
    require(actor, "read", "patient", clinic_id=patient.clinic_id)
    rows = session.scalars(
        select(NOf1Trial).where(NOf1Trial.patient_id == patient_id).order_by(NOf1Trial.id.desc())
    )
    return [_info(r) for r in rows]


def blinded_calendar(*, session: Session, actor: ActorLike, trial_id: int) -> list[dict[str, Any]]:
    """The patient's calendar (no treatments)."""
    row, _ = _load(session, actor, trial_id, "read")
    return schedule_from_dict(row.schedule).blinded_calendar(row.start_date)


def pharmacy_key(*, session: Session, actor: ActorLike, trial_id: int) -> dict[str, Any]:
    """The pharmacy key (treatments); clinicians who may write for the patient only."""
    row, _ = _load(session, actor, trial_id, "write")
    return schedule_from_dict(row.schedule).pharmacy_key(row.start_date)


def unblind_n_of_1_trial(*, session: Session, actor: ActorLike, trial_id: int) -> dict[str, Any]:
    """Break the blind: record it (audited) and return the Bayesian analysis."""
    row, patient = _load(session, actor, trial_id, "write")
    schedule = schedule_from_dict(row.schedule)
    rows = session.execute(
        select(Assessment.assessed_on, Assessment.value).where(
            Assessment.patient_id == patient.id, Assessment.scale == row.scale
        )
    ).all()
    day = np.array([(r.assessed_on - row.start_date).days + 1 for r in rows], dtype=float)
    values = np.array([r.value for r in rows], dtype=float)
    inside = (day >= 1) & (day <= schedule.total_days)
    if inside.sum() < 4:
        raise InputError(
            f"only {int(inside.sum())} {SCALES[row.scale].label} assessments fall inside the "
            "trial; record scores during the periods before breaking the blind"
        )
    result = analyse_schedule(schedule, day[inside], values[inside], scale_code=row.scale)
    if row.unblinded_at is None:
        with audited_update(
            session, actor, row, entity="n_of_1_trial", clinic_id=patient.clinic_id
        ):
            row.unblinded_at = utcnow()
    return {"trial": row.id, "patient": patient.code, "seed": schedule.seed, **result}


def todays_instruction(session: Session, patient_id: int, today: date) -> str | None:
    """For the patient diary: what the blinded calendar says for `today` (no treatment named),
    from the patient's newest trial that is still blinded; None outside any trial."""
    row = session.scalar(
        select(NOf1Trial)
        .where(NOf1Trial.patient_id == patient_id, NOf1Trial.unblinded_at.is_(None))
        .order_by(NOf1Trial.id.desc())
    )
    if row is None:
        return None
    day = (today - row.start_date).days + 1
    for entry in schedule_from_dict(row.schedule).blinded_calendar():
        if entry["start_day"] <= day <= entry["end_day"]:
            return f"Study day {day}: {entry['what']}"
    return None
