"""FHIR export: a patient's registry records as a FHIR R4 `Bundle` (type "collection").

Validated with `fhir.resources` 8.3. That release models FHIR R5 at the top level
(`fhir.resources.__fhir_version__ == "5.0.0"`); we build and validate with its R4B subpackage
(`fhir.resources.R4B`, FHIR 4.3.0), whose Patient, MedicationRequest, Observation and
AdverseEvent have the R4 shape (R4B changed medication-definition and evidence resources,
not these).

Mapping (see docs/registry.md for the table):
- Patient: pseudonymous `identifier` (system `urn:ldn:clinic:<id>:patient-code`, value = code),
  `gender`, `birthDate` = birth year "YYYY". No names.
- MedicationRequest per prescription: naltrexone (RxNorm 7243), status active/stopped,
  `authoredOn` = start date, one `dosageInstruction` per titration step and one for the
  maintenance dose, each with `doseQuantity` in mg (UCUM), `timing.repeat` once daily at
  `timeOfDay` and a `boundsPeriod`; `statusReason.text` = stop reason.
- Observation per assessment: `code` = scale (system `urn:ldn:scale`, display = label, text),
  `valueQuantity` (unit "score"), `effectiveDateTime` = date; `note` = notes.
- AdverseEvent per side effect: `actuality` actual, `event.text` = type, `severity` (HL7
  adverse-event-severity codes), `date` = onset, `outcome` resolved/ongoing, end date in an
  extension, `suspectEntity` → the linked MedicationRequest.
Researchers get the same bundle without free text (notes, stop reasons).
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any, Final

from sqlalchemy.orm import Session

from ldn.registry.models import AdverseEvent, Assessment, Patient, Prescription
from ldn.registry.patients import _load_patient
from ldn.registry.permissions import ActorLike, is_pseudonymised
from ldn.scales import SCALES

FHIR_VERSION: Final = "4.3.0 (R4B, R4-compatible resources)"
_NS: Final = uuid.UUID("6f1d3c1e-5a52-4c7e-9d8e-2f0b8c7a4e11")
RXNORM_NALTREXONE: Final = {
    "system": "http://www.nlm.nih.gov/research/umls/rxnorm",
    "code": "7243",
    "display": "naltrexone",
}
SEVERITY_SYSTEM: Final = "http://terminology.hl7.org/CodeSystem/adverse-event-severity"
OUTCOME_SYSTEM: Final = "http://terminology.hl7.org/CodeSystem/adverse-event-outcome"
SCALE_SYSTEM: Final = "urn:ldn:scale"
AE_TYPE_SYSTEM: Final = "urn:ldn:adverse-event-type"
END_DATE_EXTENSION: Final = "urn:ldn:fhir:adverse-event-end-date"


def _urn(kind: str, row_id: int) -> str:
    return f"urn:uuid:{uuid.uuid5(_NS, f'{kind}/{row_id}')}"


def _patient(p: Patient) -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "id": f"patient-{p.id}",
        "identifier": [{"system": f"urn:ldn:clinic:{p.clinic_id}:patient-code", "value": p.code}],
        "gender": p.sex,
        "birthDate": f"{p.birth_year:04d}",
    }


def _dosage(seq: int, dose_mg: float, clock: str, start: date, end: date | None) -> dict[str, Any]:
    bounds = {"start": start.isoformat()}
    if end is not None:
        bounds["end"] = end.isoformat()
    return {
        "sequence": seq,
        "text": f"{dose_mg:g} mg by mouth once daily at {clock}",
        "timing": {
            "repeat": {
                "boundsPeriod": bounds,
                "frequency": 1,
                "period": 1,
                "periodUnit": "d",
                "timeOfDay": [f"{clock}:00"],
            }
        },
        "doseAndRate": [
            {
                "doseQuantity": {
                    "value": dose_mg,
                    "unit": "mg",
                    "system": "http://unitsofmeasure.org",
                    "code": "mg",
                }
            }
        ],
    }


def _medication_request(rx: Prescription, patient_ref: str, blank: bool) -> dict[str, Any]:
    dosages = []
    day = rx.start_date
    for i, step in enumerate(rx.titration, start=1):
        end = day + timedelta(days=int(step["days"]) - 1)
        dosages.append(_dosage(i, float(step["dose_mg"]), rx.clock_time, day, end))
        day = end + timedelta(days=1)
    dosages.append(_dosage(len(dosages) + 1, rx.dose_mg, rx.clock_time, day, rx.stop_date))
    res: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "id": f"prescription-{rx.id}",
        "status": "stopped" if rx.stop_date is not None else "active",
        "intent": "order",
        "medicationCodeableConcept": {
            "coding": [RXNORM_NALTREXONE],
            "text": f"naltrexone (low dose), {rx.formulation}",
        },
        "subject": {"reference": patient_ref},
        "authoredOn": rx.start_date.isoformat(),
        "dosageInstruction": dosages,
    }
    if rx.stop_reason and not blank:
        res["statusReason"] = {"text": rx.stop_reason}
    if rx.notes and not blank:
        res["note"] = [{"text": rx.notes}]
    return res


def _observation(a: Assessment, patient_ref: str, blank: bool) -> dict[str, Any]:
    scale = SCALES.get(a.scale)
    label = scale.label if scale else a.scale
    res: dict[str, Any] = {
        "resourceType": "Observation",
        "id": f"assessment-{a.id}",
        "status": "final",
        "code": {
            "coding": [{"system": SCALE_SYSTEM, "code": a.scale, "display": label}],
            "text": label,
        },
        "subject": {"reference": patient_ref},
        "effectiveDateTime": a.assessed_on.isoformat(),
        "valueQuantity": {"value": a.value, "unit": "score"},
    }
    if a.notes and not blank:
        res["note"] = [{"text": a.notes}]
    return res


def _adverse_event(ae: AdverseEvent, patient_ref: str, rx_refs: dict[int, str]) -> dict[str, Any]:
    res: dict[str, Any] = {
        "resourceType": "AdverseEvent",
        "id": f"adverse-event-{ae.id}",
        "actuality": "actual",
        "event": {
            "coding": [{"system": AE_TYPE_SYSTEM, "code": ae.event_type}],
            "text": ae.event_type.replace("_", " "),
        },
        "subject": {"reference": patient_ref},
        "date": ae.onset_date.isoformat(),
        "severity": {"coding": [{"system": SEVERITY_SYSTEM, "code": ae.severity}]},
        "outcome": {
            "coding": [
                {
                    "system": OUTCOME_SYSTEM,
                    "code": "resolved" if ae.end_date is not None else "ongoing",
                }
            ]
        },
    }
    if ae.end_date is not None:
        res["extension"] = [{"url": END_DATE_EXTENSION, "valueDate": ae.end_date.isoformat()}]
    if ae.prescription_id is not None and ae.prescription_id in rx_refs:
        res["suspectEntity"] = [{"instance": {"reference": rx_refs[ae.prescription_id]}}]
    return res


def bundle_dict(patients: list[Patient], *, pseudonymised: bool = False) -> dict[str, Any]:
    """A FHIR R4 Bundle (as a plain dict) of these patients and all their records."""
    entries: list[dict[str, Any]] = []

    def add(kind: str, row_id: int, resource: dict[str, Any]) -> str:
        url = _urn(kind, row_id)
        entries.append({"fullUrl": url, "resource": resource})
        return url

    for p in patients:
        pref = add("patient", p.id, _patient(p))
        rx_refs = {
            rx.id: add("prescription", rx.id, _medication_request(rx, pref, pseudonymised))
            for rx in p.prescriptions
        }
        for a in p.assessments:
            add("assessment", a.id, _observation(a, pref, pseudonymised))
        for ae in p.adverse_events:
            add("adverse_event", ae.id, _adverse_event(ae, pref, rx_refs))
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def validate_bundle(data: dict[str, Any] | str) -> Any:
    """Parse a bundle (dict or JSON text) with `fhir.resources.R4B`; raises on invalid data."""
    from fhir.resources.R4B.bundle import Bundle

    if isinstance(data, str):
        return Bundle.model_validate_json(data)
    return Bundle.model_validate(data)


def export_fhir(*, session: Session, actor: ActorLike, patient_ids: list[int]) -> str:
    """Validated FHIR R4 Bundle JSON of the given patients (the actor must be allowed to read)."""
    patients = []
    for pid in patient_ids:  # another clinic's patient answers like a missing one (404)
        patients.append(_load_patient(session, actor, pid, "read"))
    bundle = validate_bundle(bundle_dict(patients, pseudonymised=is_pseudonymised(actor)))
    return str(bundle.model_dump_json(indent=2, exclude_none=True))
