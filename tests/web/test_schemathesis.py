"""Schemathesis (property-based, from the OpenAPI schema) finds no server error in the API.

Every operation of /openapi.json is called in-process (ASGI) with `EXAMPLES` generated
requests each, as an admin (who may reach every route), on SQLite and on PostgreSQL; the
check is schemathesis' `not_a_server_error`. Bounded so the whole run stays under a minute.
"""

from __future__ import annotations

import time

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from ldn.registry.db import Registry
from registry_fixtures import World

from .conftest import bearer, seed_course

EXAMPLES = {"sqlite": 50, "postgresql": 25}  # per operation; PostgreSQL checks driver errors

pytestmark = pytest.mark.slow


def test_openapi_schema_is_valid(app: FastAPI) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    labels = [result.ok().label for result in schema.get_all_operations()]
    assert "POST /api/v1/patients" in labels
    assert len(labels) >= 20


def test_no_server_errors(
    request: pytest.FixtureRequest, app: FastAPI, registry: Registry, world: World
) -> None:
    examples = EXAMPLES[request.node.callspec.params["db_url"]]
    seed_course(registry, world.patient_a)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    headers = bearer(app, world.admin.id)
    calls: list[str] = []
    started = time.perf_counter()
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.label == "POST /api/v1/auth/logout":
            continue  # it ends the admin's token that every other call uses (tested elsewhere)

        @given(case=operation.as_strategy())
        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers, checks=[not_a_server_error])
            calls.append(case.operation.label)

        check()
    elapsed = time.perf_counter() - started
    print(
        f"schemathesis: {len(calls)} requests over {len(set(calls))} operations in {elapsed:.1f} s"
    )
    assert len(set(calls)) >= 20
