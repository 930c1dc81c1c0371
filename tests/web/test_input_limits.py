"""NUL characters and out-of-range row ids are refused by the shared schemas (422 with a clear
message) on SQLite and PostgreSQL alike, before anything reaches the database."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from ldn.errors import InputError
from ldn.registry.db import Registry
from ldn.registry.models import AdverseEvent, Assessment, Patient
from ldn.registry.schemas import (
    MAX_ROW_ID,
    AdverseEventCreate,
    AssessmentCreate,
    PatientCreate,
    UserUpdate,
    parse,
)
from registry_fixtures import World

from .conftest import BASE_URL, bearer

NUL_MESSAGE = "NUL character"


def _counts(registry: Registry) -> tuple[int, int, int]:
    with registry.session() as s:
        return tuple(  # type: ignore[return-value]
            int(s.scalar(select(func.count()).select_from(m)) or 0)
            for m in (Patient, Assessment, AdverseEvent)
        )


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (
            "/api/v1/patients/{patient}/assessments",
            {"scale": "das28", "value": 3, "assessed_on": "2025-01-01", "notes": "a\x00b"},
            "notes",
        ),
        (
            "/api/v1/patients/{patient}/prescriptions",
            {
                "dose_mg": 4.5,
                "start_date": "2025-01-01",
                "stop_date": "2025-02-01",
                "stop_reason": "dreams\x00",
            },
            "stop_reason",
        ),
        (
            "/api/v1/patients/{patient}/adverse-events",
            {
                "event_type": "headache",
                "severity": "mild",
                "onset_date": "2025-01-01",
                "prescription_id": 2**70,
            },
            "prescription_id",
        ),
        (
            "/api/v1/patients",
            {"code": "P-9", "birth_year": 1970, "sex": "male", "clinic_id": 2**65},
            "clinic_id",
        ),
        (
            "/api/v1/patients",
            {"code": "P-9", "birth_year": 1970, "sex": "male", "clinic_id": 0},
            "clinic_id",
        ),
    ],
)
def test_unstorable_input_is_422_on_both_back_ends(
    app: FastAPI, world: World, registry: Registry, path: str, body: dict[str, Any], field: str
) -> None:
    before = _counts(registry)
    with TestClient(app, base_url=BASE_URL, raise_server_exceptions=False) as client:
        r = client.post(
            path.format(patient=world.patient_a), headers=bearer(app, world.admin.id), json=body
        )
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert field in detail
    if any("\x00" in str(v) for v in body.values()):
        assert NUL_MESSAGE in detail
    else:
        assert str(MAX_ROW_ID) in detail or "greater than or equal to 1" in detail
    assert _counts(registry) == before  # nothing written


def test_schema_messages_name_the_field_and_the_rule() -> None:
    with pytest.raises(InputError, match=r"notes: text must not contain the NUL character"):
        parse(
            AssessmentCreate,
            {"scale": "das28", "value": 3, "assessed_on": "2025-01-01", "notes": "\x00"},
        )
    with pytest.raises(InputError, match=r"prescription_id: .*2147483647"):
        parse(
            AdverseEventCreate,
            {
                "event_type": "headache",
                "severity": "mild",
                "onset_date": "2025-01-01",
                "prescription_id": MAX_ROW_ID + 1,
            },
        )
    with pytest.raises(InputError, match=r"clinic_id: .*2147483647"):
        parse(PatientCreate, {"code": "P-1", "birth_year": 1970, "sex": "male", "clinic_id": 2**40})
    with pytest.raises(InputError, match=r"clinic_id"):
        parse(UserUpdate, {"clinic_id": -1})
    # the largest id and ordinary text still pass
    ok = parse(
        AdverseEventCreate,
        {
            "event_type": "headache",
            "severity": "mild",
            "onset_date": "2025-01-01",
            "prescription_id": MAX_ROW_ID,
            "notes": "tab\tand newline\n are fine",
        },
    )
    assert ok.prescription_id == MAX_ROW_ID
