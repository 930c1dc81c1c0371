"""Every route × role gets the status in `matrix.ROWS`; plus what each role may *see*."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from ldn.registry import services
from ldn.registry.db import Registry
from ldn.registry.permissions import SYSTEM
from registry_fixtures import World

from .conftest import BASE_URL, bearer, page_login, seed_course
from .matrix import ROLES, ROWS, Row, markdown_table

DOCS = Path(__file__).resolve().parents[2] / "docs" / "web.md"
_codes = itertools.count(1)


def _code() -> str:
    return f"M-{next(_codes):04d}"


class Targets:
    """Fresh rows in clinic A for each request, created as the system actor."""

    def __init__(self, registry: Registry, world: World) -> None:
        self.registry = registry
        self.world = world

    def _with(self, fn: Callable[..., Any], **kwargs: Any) -> int:
        with self.registry.session() as s:
            return int(fn(session=s, actor=SYSTEM, **kwargs).id)

    def new_patient(self) -> int:
        data = {
            "code": _code(),
            "birth_year": 1980,
            "sex": "male",
            "clinic_id": self.world.clinic_a,
        }
        return self._with(services.create_patient, data=data)

    def prescription(self) -> int:
        data = {"dose_mg": 3.0, "start_date": "2025-01-01"}
        return self._with(services.add_prescription, patient_id=self.world.patient_a, data=data)

    def assessment(self) -> int:
        data = {"scale": "das28", "value": 4.0, "assessed_on": "2025-06-01"}
        return self._with(services.add_assessment, patient_id=self.world.patient_a, data=data)

    def adverse_event(self) -> int:
        data = {"event_type": "headache", "severity": "mild", "onset_date": "2025-06-02"}
        return self._with(services.add_adverse_event, patient_id=self.world.patient_a, data=data)


def _csv(clinic_code: str) -> bytes:
    return (
        "record_type,patient_code,birth_year,sex,conditions\n"
        f"patient,{clinic_code},1977,female,ra\n"
    ).encode()


def _request(row: Row, targets: Targets, world: World) -> tuple[str, dict[str, Any]]:
    """The URL and request arguments (body, form, files) of one matrix row."""
    ids = {"patient": world.patient_a, "clinic_a": world.clinic_a}
    for name in ("new_patient", "prescription", "assessment", "adverse_event"):
        if "{" + name + "}" in row.path:
            ids[name] = getattr(targets, name)()
    url = row.path.format(**ids)
    kwargs: dict[str, Any] = {}
    if row.label == "POST /api/v1/patients":
        kwargs["json"] = {
            "code": _code(),
            "birth_year": 1990,
            "sex": "female",
            "conditions": ["ra"],
            "clinic_id": world.clinic_a,
        }
    elif row.method == "PATCH":
        kwargs["json"] = {
            "patient": {"birth_year": 1971},
            "prescription": {"dose_mg": 4.5},
            "assessment": {"value": 3.9},
            "adverse_event": {"severity": "moderate"},
        }[
            next(
                k
                for k in ("patient", "prescription", "assessment", "adverse_event")
                if "{" + k in row.path
            )
        ]
    elif row.method == "POST" and row.path.endswith("/prescriptions"):
        kwargs["json"] = {"dose_mg": 1.5, "start_date": "2025-02-01"}
    elif row.method == "POST" and row.path.endswith("/assessments"):
        kwargs["json"] = {"scale": "das28", "value": 4.4, "assessed_on": "2025-07-01"}
    elif row.method == "POST" and row.path.endswith("/adverse-events"):
        kwargs["json"] = {"event_type": "insomnia", "severity": "mild", "onset_date": "2025-07-02"}
    elif row.path.endswith("import"):
        kwargs["files"] = {"file": ("import.csv", _csv(_code()), "text/csv")}
        kwargs["data"] = {"clinic_id": str(world.clinic_a)}
    elif row.label == "POST /patients/new":
        kwargs["data"] = {
            "code": _code(),
            "birth_year": "1988",
            "sex": "female",
            "conditions": ["ms"],
            "clinic_id": str(world.clinic_a),
        }
    if row.path.endswith("n-of-1.png"):
        url += "?scale=das28"
    if row.kind == "page" and row.method == "POST" and "json" in kwargs:
        kwargs["data"] = {k: str(v) for k, v in kwargs.pop("json").items()}
    return url, kwargs


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(role: str, app: FastAPI, registry: Registry, world: World) -> None:
    seed_course(registry, world.patient_a)
    targets = Targets(registry, world)
    user_ids = {a: getattr(world, a).id for a in ("admin", "clin_a", "clin_b", "researcher")}
    headers = bearer(app, user_ids[role]) if role != "anonymous" else {}
    mismatches = []
    with TestClient(app, base_url=BASE_URL) as page_client:
        csrf = page_login(page_client, role) if role != "anonymous" else ""
        for row in ROWS:
            expected = row.expected[ROLES.index(role)]
            url, kwargs = _request(row, targets, world)
            if row.kind == "api":
                with TestClient(app, base_url=BASE_URL) as api_client:
                    r = api_client.request(row.method, url, headers=headers, **kwargs)
            else:
                if row.method == "POST":
                    kwargs.setdefault("data", {})["csrf_token"] = csrf
                r = page_client.request(row.method, url, follow_redirects=False, **kwargs)
            if r.status_code != expected:
                mismatches.append(
                    f"{row.label}: got {r.status_code}, want {expected}: {r.text[:200]}"
                )
    assert not mismatches, "\n".join(mismatches)


def test_docs_show_the_tested_matrix() -> None:
    assert markdown_table() in DOCS.read_text(encoding="utf-8"), (
        "docs/web.md is out of date: paste the output of `python -m tests.web.matrix`"
    )


def test_clinician_lists_only_own_clinic(app: FastAPI, client: TestClient, world: World) -> None:
    r = client.get("/api/v1/patients", headers=bearer(app, world.clin_b.id))
    assert r.status_code == 200
    assert {p["clinic_id"] for p in r.json()["data"]} == {world.clinic_b}
    assert r.json()["count"] == 1


def test_researcher_sees_all_clinics_without_free_text(
    app: FastAPI, client: TestClient, registry: Registry, world: World
) -> None:
    with registry.session() as s:
        services.add_assessment(
            session=s,
            actor=SYSTEM,
            patient_id=world.patient_a,
            data={
                "scale": "das28",
                "value": 4.0,
                "assessed_on": "2025-06-01",
                "notes": "mentions a holiday in Rome",
            },
        )
    researcher = bearer(app, world.researcher.id)
    listed = client.get("/api/v1/patients", headers=researcher).json()
    assert {p["clinic_id"] for p in listed["data"]} == {world.clinic_a, world.clinic_b}
    rows = client.get(f"/api/v1/patients/{world.patient_a}/assessments", headers=researcher).json()[
        "data"
    ]
    assert rows and all(row["notes"] is None for row in rows)
    clinician = client.get(
        f"/api/v1/patients/{world.patient_a}/assessments", headers=bearer(app, world.clin_a.id)
    ).json()["data"]
    assert clinician[0]["notes"] == "mentions a holiday in Rome"
    export = client.get(f"/api/v1/export.csv?clinic_id={world.clinic_a}", headers=researcher)
    assert "Rome" not in export.text


def test_forbidden_write_leaves_no_trace(
    app: FastAPI, client: TestClient, registry: Registry, world: World
) -> None:
    r = client.post(
        f"/api/v1/patients/{world.patient_a}/assessments",
        headers=bearer(app, world.clin_b.id),
        json={"scale": "das28", "value": 4.4, "assessed_on": "2025-07-01"},
    )
    assert r.status_code == 404  # another clinic's patient looks like a missing one
    assert r.json()["detail"] == f"patient {world.patient_a} not found"
    with registry.session() as s:
        rows = services.list_assessments(session=s, actor=SYSTEM, patient_id=world.patient_a)
    assert rows == []
