"""Read-only adapter: registry database → the DataFrames of `ldn.analysis.cohort`.

The analysis core (`n_of_1`, `cohort`) never touches the database; this module reads it with
SQLAlchemy in a few bulk queries, checking the actor's role first (`permissions.require`,
the same rule the services use): clinicians see their clinic, researchers and admins all
clinics. Only coded fields are read (ids, codes, conditions, doses, dates, scores, event
types), never free-text notes, so the result is already pseudonymised.

Public API:

- `load_frames(session, *, actor=SYSTEM, clinic_id=None, patient_ids=None) -> RegistryFrames`
- `load_course(session, code, scale=None, *, actor=SYSTEM, clinic_id=None) -> PatientCourse`
- `patient_analysis(session, code, scale=None, *, actor=..., prior="sceptical") -> PatientAnalysis`
  (raises `InputError` when the patient has no assessments on that scale) and
  `patient_analyses(session, code, *, actor=...) -> list[PatientAnalysis]` (one per scale with
  assessments, possibly empty; never raises for missing data)
- `cohort_report(session, *, actor=SYSTEM, clinic_id=None) -> CohortReport`
- `pooled_evidence() -> (DataFrame | None, note)`, `trial_adverse_events()` and
  `evidence_prior(condition, scale)`: trial results from `ldn.evidence` when it provides them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from ldn.analysis.cohort import CohortReport, build_report, course_from_frames
from ldn.analysis.course import NOf1Settings, PatientAnalysis, PatientCourse, analyse_patient
from ldn.analysis.frames import RegistryFrames
from ldn.analysis.n_of_1 import DeltaPrior
from ldn.errors import InputError
from ldn.registry.models import AdverseEvent, Assessment, Patient, PatientCondition, Prescription
from ldn.registry.permissions import SYSTEM, ActorLike, require, visible_clinic
from ldn.scales import SCALES, get_scale

PriorChoice = Literal["sceptical", "evidence"]


def _frame(session: Session, stmt: object, columns: Sequence[str]) -> pd.DataFrame:
    rows = session.execute(stmt).all()  # type: ignore[call-overload]
    return pd.DataFrame([tuple(r) for r in rows], columns=list(columns))


def _to_dates(frame: pd.DataFrame, *cols: str) -> pd.DataFrame:
    for col in cols:
        frame[col] = pd.to_datetime(frame[col])
    return frame


def load_frames(
    session: Session,
    *,
    actor: ActorLike = SYSTEM,
    clinic_id: int | None = None,
    patient_ids: Sequence[int] | None = None,
) -> RegistryFrames:
    """The patients the actor may read (optionally one clinic / some ids) as four tables."""
    require(actor, "read", "patient", clinic_id=clinic_id)
    own = visible_clinic(actor)
    pat_stmt = select(Patient.id, Patient.code, Patient.clinic_id)
    for cid in (own, clinic_id):
        if cid is not None:
            pat_stmt = pat_stmt.where(Patient.clinic_id == cid)
    if patient_ids is not None:
        pat_stmt = pat_stmt.where(Patient.id.in_(list(patient_ids)))
    patients = _frame(session, pat_stmt.order_by(Patient.id), ("patient_id", "code", "clinic_id"))
    ids = select(Patient.id).where(Patient.id.in_(pat_stmt.with_only_columns(Patient.id)))
    cond = _frame(
        session,
        select(PatientCondition.patient_id, PatientCondition.condition).where(
            PatientCondition.patient_id.in_(ids)
        ),
        ("patient_id", "condition"),
    )
    joined = cond.sort_values("condition").groupby("patient_id")["condition"].agg(";".join)
    patients["conditions"] = patients["patient_id"].map(joined).fillna("")
    rx = _frame(
        session,
        select(
            Prescription.patient_id,
            Prescription.id,
            Prescription.dose_mg,
            Prescription.start_date,
            Prescription.stop_date,
        ).where(Prescription.patient_id.in_(ids)),
        ("patient_id", "prescription_id", "dose_mg", "start_date", "stop_date"),
    )
    assessments = _frame(
        session,
        select(
            Assessment.patient_id, Assessment.scale, Assessment.value, Assessment.assessed_on
        ).where(Assessment.patient_id.in_(ids)),
        ("patient_id", "scale", "value", "assessed_on"),
    )
    aes = _frame(
        session,
        select(
            AdverseEvent.patient_id,
            AdverseEvent.event_type,
            AdverseEvent.severity,
            AdverseEvent.onset_date,
        ).where(AdverseEvent.patient_id.in_(ids)),
        ("patient_id", "event_type", "severity", "onset_date"),
    )
    return RegistryFrames(
        patients=patients,
        prescriptions=_to_dates(rx, "start_date", "stop_date"),
        assessments=_to_dates(assessments, "assessed_on"),
        adverse_events=_to_dates(aes, "onset_date"),
    )


def _find_patient(
    session: Session, code: str, actor: ActorLike, clinic_id: int | None
) -> tuple[int, str]:
    from ldn.registry.services import get_patient_by_code

    patient = get_patient_by_code(session=session, actor=actor, code=code, clinic_id=clinic_id)
    return int(patient.id), ";".join(sorted(patient.conditions))


def load_course(
    session: Session,
    code: str,
    scale: str | None = None,
    *,
    actor: ActorLike = SYSTEM,
    clinic_id: int | None = None,
) -> PatientCourse:
    """The course of patient `code` on `scale` (default: the scale assessed most often)."""
    pid, _ = _find_patient(session, code, actor, clinic_id)
    frames = load_frames(session, actor=actor, patient_ids=[pid])
    counts = frames.assessments["scale"].value_counts()
    if counts.empty:
        raise InputError(
            f"patient {code} has no outcome assessments yet; add assessments (at least 2 before "
            "and 2 after starting LDN) for an N-of-1 analysis"
        )
    if scale is None:
        chosen = str(sorted(counts.index, key=lambda s: (-counts[s], s))[0])
    else:
        chosen = get_scale(scale).code
        if chosen not in counts.index:
            raise InputError(
                f"patient {code} has no {chosen} assessments; scales with assessments: "
                f"{', '.join(sorted(counts.index))}"
            )
    return course_from_frames(frames, pid, chosen)


def pooled_evidence() -> tuple[pd.DataFrame | None, str]:
    """Pooled trial SMD per condition from `ldn.evidence`, or None with the reason."""
    from ldn.evidence import pooled_by_condition

    try:
        table = pooled_by_condition(measure="SMD", method="REML")
    except Exception as exc:  # the evidence module is optional here; report, don't crash
        return None, f"no pooled trial evidence ({type(exc).__name__}: {exc})"
    if not isinstance(table, pd.DataFrame) or "condition" not in table.columns:
        return None, "no pooled trial evidence (unexpected table from ldn.evidence)"
    return table.reset_index(drop=True), (
        "Trial evidence: standardised mean difference LDN vs placebo per condition from "
        "the randomised trials in ldn.evidence (REML random effects when k ≥ 2, else the single "
        "trial; positive favours LDN), with its GRADE certainty (high / moderate / low / very "
        "low). Trials report group means, the registry individual responders: compare "
        "direction and size, not numbers."
    )


def trial_adverse_events() -> pd.DataFrame | None:
    """Adverse-event rates reported in LDN trials (`ldn.evidence.adverse_event_table`) for the
    event types the registry records, or None when the evidence module does not provide them."""
    from ldn.registry.models import AE_TYPES

    try:
        from ldn.evidence import adverse_event_table

        table = adverse_event_table()
    except Exception:  # optional evidence; the report says "none" instead
        return None
    if not isinstance(table, pd.DataFrame) or "event" not in table.columns:
        return None
    names = {t.replace("_", " "): t for t in AE_TYPES if t != "other"}
    table = table.loc[table["event"].isin(names)].copy()
    table.insert(0, "event_type", table.pop("event").map(names))
    return table.reset_index(drop=True)


def evidence_prior(condition: str, scale: str) -> DeltaPrior:
    """Informative prior on δ from a pooled mean difference on this scale, if the evidence has one.

    Uses `ldn.evidence.pooled_by_condition(measure="MD")` rows for `condition` whose `scale`
    column equals the scale code; the prior is N(pooled MD, SE² + τ²) so that it covers the
    spread of true effects between studies. The evidence's MD is positive when it favours LDN,
    so on a lower-is-better scale the prior mean of δ (raw change) is −MD. Raises `InputError`
    when no such row exists (the current evidence table pools MDs without naming the scale).
    """
    code = get_scale(scale).code
    try:
        from ldn.evidence import pooled_by_condition

        table = pooled_by_condition(measure="MD", method="REML")
    except Exception as exc:
        raise InputError(
            f"no pooled trial evidence available ({type(exc).__name__}); use the sceptical prior"
        ) from None
    need = {"condition", "scale", "estimate", "se"}
    if not isinstance(table, pd.DataFrame) or not need <= set(table.columns):
        raise InputError(
            "the pooled evidence table has no per-scale mean differences; use the sceptical prior"
        )
    rows = table.loc[(table["condition"] == condition) & (table["scale"] == code)]
    if rows.empty:
        raise InputError(
            f"no pooled mean difference on {code} for condition {condition!r} in the trial "
            "evidence; use the sceptical prior"
        )
    row = rows.iloc[0]
    sign = -1.0 if get_scale(code).lower_is_better else 1.0
    tau2 = float(row["tau2"]) if "tau2" in rows.columns and pd.notna(row["tau2"]) else 0.0
    sd = math.sqrt(float(row["se"]) ** 2 + tau2)
    k = f", k = {int(row['k'])}" if "k" in rows.columns else ""
    mean = sign * float(row["estimate"])
    return DeltaPrior(
        mean,
        sd,
        f"evidence: δ ~ N({mean:.3g}, {sd:.3g}²), pooled trial mean "
        f"difference for {condition} on {code}{k} (SD = √(SE² + τ²))",
    )


def patient_analysis(
    session: Session,
    code: str,
    scale: str | None = None,
    *,
    actor: ActorLike = SYSTEM,
    clinic_id: int | None = None,
    settings: NOf1Settings | None = None,
    prior: PriorChoice = "sceptical",
) -> PatientAnalysis:
    """Course + N-of-1 result (or the reason there is none) for the patient page and the CLI."""
    settings = settings or NOf1Settings.from_parameters()
    _, conditions = _find_patient(session, code, actor, clinic_id)
    course = load_course(session, code, scale, actor=actor, clinic_id=clinic_id)
    delta_prior = None
    if prior == "evidence":
        cond = next(
            (c for c in conditions.split(";") if c in course.scale.conditions),
            conditions.split(";")[0],
        )
        delta_prior = evidence_prior(cond, course.scale.code)
    elif prior != "sceptical":
        raise InputError(f"prior must be 'sceptical' or 'evidence', got {prior!r}")
    return analyse_patient(course, settings, delta_prior=delta_prior)


def patient_analyses(
    session: Session,
    code: str,
    *,
    actor: ActorLike = SYSTEM,
    clinic_id: int | None = None,
    settings: NOf1Settings | None = None,
) -> list[PatientAnalysis]:
    """One sceptical-prior analysis per scale the patient has assessments on (most assessed
    first); an empty list when there are none. For the patient page."""
    settings = settings or NOf1Settings.from_parameters()
    pid, _ = _find_patient(session, code, actor, clinic_id)
    frames = load_frames(session, actor=actor, patient_ids=[pid])
    counts = frames.assessments["scale"].value_counts()
    scales = sorted((s for s in counts.index if s in SCALES), key=lambda s: (-counts[s], s))
    return [analyse_patient(course_from_frames(frames, pid, s), settings) for s in scales]


def cohort_report(
    session: Session,
    *,
    actor: ActorLike = SYSTEM,
    clinic_id: int | None = None,
    settings: NOf1Settings | None = None,
) -> CohortReport:
    """The cohort report over all patients the actor may read (optionally one clinic)."""
    frames = load_frames(session, actor=actor, clinic_id=clinic_id)
    evidence, note = pooled_evidence()
    return build_report(
        frames,
        settings or NOf1Settings.from_parameters(),
        evidence=evidence,
        evidence_note=note,
        trial_adverse_events=trial_adverse_events(),
    )
