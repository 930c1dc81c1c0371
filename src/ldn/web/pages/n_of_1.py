"""N-of-1 results for the patient page, from the analyst's `ldn.registry.analysis_io`."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ldn.analysis.course import PatientAnalysis
from ldn.registry.analysis_io import patient_analysis
from ldn.registry.schemas import AssessmentPublic, PatientPublic, PrescriptionPublic
from ldn.scales import SCALES


def analysis_for(
    session: Session, user: Any, patient: PatientPublic, scale: str | None
) -> PatientAnalysis:
    """The N-of-1 analysis of one scale (default: the most-assessed one); InputError if none."""
    return patient_analysis(session, patient.code, scale, actor=user, clinic_id=patient.clinic_id)


def patient_analyses(
    session: Session,
    user: Any,
    patient: PatientPublic,
    assessments: list[AssessmentPublic],
    prescriptions: list[PrescriptionPublic],
) -> list[dict[str, Any]]:
    """One entry per assessed scale: label, counts and the analysis summary or its reason."""
    scales = sorted({a.scale for a in assessments})
    out = []
    for code in scales:
        analysis = analysis_for(session, user, patient, code)
        summary = analysis.summary()
        scale = SCALES[code]
        summary["label"] = scale.label
        # the published source of the MID (a citation and its link), not internal notes
        cited = scale.mid_provenance
        summary.update(
            mid_kind=cited.kind,
            mid_source=cited.source,
            mid_url=cited.url,
            mid_reason=cited.reason,
        )
        summary["has_prescription"] = bool(prescriptions)
        out.append(summary)
    return out
