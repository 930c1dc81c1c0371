"""The cohort cache reuses a report until the data change and its maximum age has passed."""

from __future__ import annotations

import pytest

from ldn.registry import services
from ldn.registry.db import Registry
from ldn.registry.permissions import SYSTEM
from ldn.web.cohort_cache import CohortCache
from registry_fixtures import World

from .conftest import seed_course


@pytest.fixture
def db_url(sqlite_url: str) -> str:
    return sqlite_url


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_reuse_until_changed_and_stale(registry: Registry, world: World) -> None:
    seed_course(registry, world.patient_a)
    clock = Clock()
    cache = CohortCache(max_age_s=60, clock=clock)
    with registry.session() as s:
        first = cache.report(s, world.admin)
        assert cache.report(s, world.admin) is first
        clock.now = 1000  # old, but nothing changed: still reused
        assert cache.report(s, world.admin) is first
        services.add_assessment(
            session=s,
            actor=SYSTEM,
            patient_id=world.patient_a,
            data={"scale": "das28", "value": 3.0, "assessed_on": "2025-09-01"},
        )
        fresh = cache.report(s, world.admin)
        assert fresh is not first  # changed and older than max_age: rebuilt
        services.add_assessment(
            session=s,
            actor=SYSTEM,
            patient_id=world.patient_a,
            data={"scale": "das28", "value": 3.1, "assessed_on": "2025-10-01"},
        )
        assert cache.report(s, world.admin) is fresh  # changed but younger than max_age
        own = cache.report(s, world.clin_a)
        assert own is not fresh  # clinicians get their clinic's report
