"""Diary links (hashed, revocable tokens; entries marked source="diary") and blinded N-of-1
trials stored in the registry, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ldn.registry.diary import (
    DiaryEntry,
    add_diary_entry,
    create_diary_link,
    diary_view,
    hash_token,
    list_diary_links,
    resolve_diary_token,
    revoke_diary_link,
)
from ldn.registry.errors import InputError, NotFound, PermissionDenied
from ldn.registry.models import AdverseEvent, Assessment, AuditLog
from ldn.registry.n_of_1_trials import (
    blinded_calendar,
    create_n_of_1_trial,
    list_n_of_1_trials,
    pharmacy_key,
    todays_instruction,
    unblind_n_of_1_trial,
)
from ldn.registry.practice_models import DiaryToken
from registry_fixtures import World

TODAY = date(2026, 11, 28)


def _active_link(session: Session, world: World) -> DiaryToken:
    """A new diary link of patient A, as the diary pages find it from its token."""
    token, _ = create_diary_link(session=session, actor=world.clin_a, patient_id=world.patient_a)
    link = resolve_diary_token(session, token)
    assert link is not None
    return link


def test_link_stores_only_the_hash(session: Session, world: World) -> None:
    token, link = create_diary_link(session=session, actor=world.clin_a, patient_id=world.patient_a)
    assert len(token) >= 40
    stored = session.scalars(select(DiaryToken.token_hash)).all()
    assert stored == [hash_token(token)] and token not in stored[0]
    audit_text = str(session.scalars(select(AuditLog.after)).all())
    assert token not in audit_text and hash_token(token) not in audit_text
    assert resolve_diary_token(session, token) is not None
    assert resolve_diary_token(session, token + "x") is None
    assert resolve_diary_token(session, "") is None
    assert [
        x.id
        for x in list_diary_links(session=session, actor=world.clin_a, patient_id=world.patient_a)
    ] == [link.id]


def test_only_the_patients_clinic_makes_or_revokes_links(session: Session, world: World) -> None:
    with pytest.raises(NotFound):  # another clinic's patient answers like a missing one
        create_diary_link(session=session, actor=world.clin_b, patient_id=world.patient_a)
    with pytest.raises(PermissionDenied):
        create_diary_link(session=session, actor=world.researcher, patient_id=world.patient_a)
    _, link = create_diary_link(session=session, actor=world.admin, patient_id=world.patient_a)
    with pytest.raises(NotFound, match=f"diary link {link.id} not found"):
        revoke_diary_link(session=session, actor=world.clin_b, link_id=link.id)


def test_revoked_link_stops_working(session: Session, world: World) -> None:
    token, link = create_diary_link(session=session, actor=world.clin_a, patient_id=world.patient_a)
    revoked = revoke_diary_link(session=session, actor=world.clin_a, link_id=link.id)
    assert revoked.revoked_at is not None and not revoked.active
    assert resolve_diary_token(session, token) is None


def test_entries_become_assessments_and_adverse_events_marked_diary(
    session: Session, world: World
) -> None:
    link = _active_link(session, world)
    entry = DiaryEntry(day=TODAY, score=6, side_effects=(("vivid_dreams", "mild"),))
    assert add_diary_entry(session=session, link=link, entry=entry, today=TODAY) == {
        "assessments": 1,
        "adverse_events": 1,
    }
    # a second entry the same day replaces the score (one value per day for the analysis)
    add_diary_entry(session=session, link=link, entry=DiaryEntry(day=TODAY, score=4), today=TODAY)
    scores = session.execute(select(Assessment.value, Assessment.source, Assessment.scale)).all()
    assert [tuple(r) for r in scores] == [(4.0, "diary", "pain_nrs")]
    events = session.execute(select(AdverseEvent.event_type, AdverseEvent.source)).all()
    assert [tuple(r) for r in events] == [("vivid_dreams", "diary")]
    actors = set(session.scalars(select(AuditLog.actor_username)))
    assert "diary:P-0001" in actors
    assert link.last_used_at is not None


def test_diary_view_lists_the_newest_diary_scores_of_its_scale(
    session: Session, world: World
) -> None:
    link = _active_link(session, world)
    assert diary_view(session, link, TODAY).recent == []
    for back in range(8):  # a week of back-filled scores: today … 7 days ago
        day = TODAY - timedelta(days=back)
        entry = DiaryEntry(day=day, score=float(back))
        add_diary_entry(session=session, link=link, entry=entry, today=TODAY)
    view = diary_view(session, link, TODAY)
    assert (view.today, view.code, view.scale, view.trial_today) == (
        TODAY,
        "P-0001",
        "pain_nrs",
        None,
    )
    assert view.recent == [(TODAY - timedelta(days=b), float(b)) for b in range(7)]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (DiaryEntry(day=TODAY + timedelta(days=1), score=3), "future"),
        (DiaryEntry(day=TODAY - timedelta(days=8), score=3), "at most 7 days"),
        (DiaryEntry(day=TODAY, score=11), "between 0 and 10"),
        (DiaryEntry(day=TODAY, score=None), "score or a side effect"),
        (DiaryEntry(day=TODAY, score=1, side_effects=(("hiccups", "mild"),)), "Unknown"),
    ],
)
def test_bad_entries_are_refused(
    session: Session, world: World, entry: DiaryEntry, message: str
) -> None:
    link = _active_link(session, world)
    with pytest.raises(InputError, match=message):
        add_diary_entry(session=session, link=link, entry=entry, today=TODAY)


def test_n_of_1_trial_blind_key_and_unblinding(session: Session, world: World) -> None:
    start = date(2026, 1, 5)
    trial = create_n_of_1_trial(
        session=session,
        actor=world.clin_a,
        patient_id=world.patient_a,
        scale="pain_nrs",
        start_date=start,
        seed=9,
    )
    cal = blinded_calendar(session=session, actor=world.researcher, trial_id=trial.id)
    assert "placebo" not in str(cal).lower() and cal[0]["start_date"] == "2026-01-05"
    with pytest.raises(PermissionDenied):
        pharmacy_key(session=session, actor=world.researcher, trial_id=trial.id)
    key = pharmacy_key(session=session, actor=world.clin_a, trial_id=trial.id)
    on = {b["period"]: b["treatment"] for b in key["bottles"]}
    # a patient whose pain is 3 points lower on LDN, scored daily
    rng = np.random.default_rng(0)
    sched = trial.schedule
    for d in range(1, sched.total_days + 1):
        flag = sched.on_flags(np.array([d]))[0]
        value = 6.0 - 3.0 * (flag == 1.0) + rng.normal(0, 0.8)
        session.add(
            Assessment(
                patient_id=world.patient_a,
                scale="pain_nrs",
                value=float(np.clip(value, 0, 10)),
                assessed_on=start + timedelta(days=d - 1),
            )
        )
    session.commit()
    result = unblind_n_of_1_trial(session=session, actor=world.clin_a, trial_id=trial.id)
    assert result["p_improvement_ge_mid"] > 0.8
    assert [p["treatment"] for p in result["periods"]] == [on[k] for k in sorted(on)]
    assert (
        list_n_of_1_trials(session=session, actor=world.clin_a, patient_id=world.patient_a)[
            0
        ].unblinded_at
        is not None
    )


def test_unblinding_without_data_says_what_to_record(session: Session, world: World) -> None:
    trial = create_n_of_1_trial(
        session=session,
        actor=world.clin_a,
        patient_id=world.patient_a,
        scale="pain_nrs",
        start_date=TODAY,
        seed=1,
    )
    with pytest.raises(InputError, match="record scores"):
        unblind_n_of_1_trial(session=session, actor=world.clin_a, trial_id=trial.id)


def test_todays_instruction_follows_the_blinded_calendar(session: Session, world: World) -> None:
    start = date(2026, 1, 5)
    assert todays_instruction(session, world.patient_a, start) is None
    trial = create_n_of_1_trial(
        session=session,
        actor=world.clin_a,
        patient_id=world.patient_a,
        scale="pain_nrs",
        start_date=start,
        seed=2,
        period_weeks=1,
    )
    day = todays_instruction(session, world.patient_a, start)
    assert day == "Study day 1: Take the study medicine from bottle 1 every evening."
    washout = todays_instruction(session, world.patient_a, start + timedelta(days=8))
    assert washout is not None and washout.startswith("Study day 9: No study medicine")
    assert todays_instruction(session, world.patient_a, start - timedelta(days=1)) is None
    end = start + timedelta(days=trial.schedule.total_days)
    assert todays_instruction(session, world.patient_a, end) is None
