"""FHIR R4 export: the Bundle validates with fhir.resources (R4B models), parses back, and
carries the pseudonymous identifier, birth year, dosage with time of day, scales and AEs."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.orm import Session

from ldn.registry import services as svc
from ldn.registry.fhir import bundle_dict, export_fhir, validate_bundle
from ldn.registry.models import Patient


def _fill(session: Session, world) -> int:
    pid = world.patient_a
    rx = svc.add_prescription(
        session=session,
        actor=world.clin_a,
        patient_id=pid,
        data={
            "dose_mg": 4.5,
            "clock_time": "22:00",
            "titration": [{"dose_mg": 1.5, "days": 7}, {"dose_mg": 3.0, "days": 7}],
            "start_date": "2024-01-01",
            "stop_date": "2024-06-30",
            "stop_reason": "insomnia",
        },
    )
    svc.add_assessment(
        session=session,
        actor=world.clin_a,
        patient_id=pid,
        data={"scale": "das28", "value": 4.2, "assessed_on": "2024-02-01", "notes": "ok"},
    )
    svc.add_adverse_event(
        session=session,
        actor=world.clin_a,
        patient_id=pid,
        data={
            "event_type": "insomnia",
            "severity": "moderate",
            "onset_date": "2024-01-02",
            "end_date": "2024-01-09",
            "prescription_id": rx.id,
        },
    )
    return pid


def test_bundle_validates_and_round_trips(session: Session, world) -> None:
    pid = _fill(session, world)
    text = export_fhir(session=session, actor=world.clin_a, patient_ids=[pid])
    bundle = validate_bundle(text)  # parses back through fhir.resources.R4B
    kinds = [e.resource.__resource_type__ for e in bundle.entry]
    assert kinds == ["Patient", "MedicationRequest", "Observation", "AdverseEvent"]
    data = json.loads(text)
    patient, med, obs, ae = (e["resource"] for e in data["entry"])
    assert patient["birthDate"] == "1970" and patient["gender"] == "female"
    assert patient["identifier"][0]["value"] == "P-0001" and "name" not in patient
    steps = med["dosageInstruction"]
    assert [s["doseAndRate"][0]["doseQuantity"]["value"] for s in steps] == [1.5, 3.0, 4.5]
    assert steps[0]["timing"]["repeat"]["timeOfDay"] == ["22:00:00"]
    assert steps[1]["timing"]["repeat"]["boundsPeriod"] == {
        "start": "2024-01-08",
        "end": "2024-01-14",
    }
    assert steps[2]["timing"]["repeat"]["boundsPeriod"] == {
        "start": "2024-01-15",
        "end": "2024-06-30",
    }
    assert med["status"] == "stopped" and med["statusReason"]["text"] == "insomnia"
    assert obs["code"]["coding"][0]["code"] == "das28" and obs["valueQuantity"]["value"] == 4.2
    assert ae["severity"]["coding"][0]["code"] == "moderate"
    assert ae["suspectEntity"][0]["instance"]["reference"] == data["entry"][1]["fullUrl"]
    assert ae["subject"]["reference"] == data["entry"][0]["fullUrl"]


def test_researcher_bundle_has_no_free_text(session: Session, world) -> None:
    pid = _fill(session, world)
    data = json.loads(export_fhir(session=session, actor=world.researcher, patient_ids=[pid]))
    med, obs = data["entry"][1]["resource"], data["entry"][2]["resource"]
    assert "statusReason" not in med and "note" not in obs


def test_invalid_bundle_is_refused_by_the_library(session: Session, world) -> None:
    patient = session.get(Patient, world.patient_a)
    assert patient is not None
    data = bundle_dict([patient])
    data["entry"][0]["resource"]["birthDate"] = "nineteen-seventy"
    with pytest.raises(ValueError, match="birthDate"):
        validate_bundle(data)
