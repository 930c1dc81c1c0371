"""The JSON API under /api/v1: one router per resource in `ldn.web.api.routes`."""

from __future__ import annotations

from fastapi import APIRouter

from ldn.web.api.routes import (
    adverse_events,
    assessments,
    auth,
    cohort,
    data,
    patients,
    prescriptions,
)

api_router = APIRouter()
for _module in (auth, patients, prescriptions, assessments, adverse_events, cohort, data):
    api_router.include_router(_module.router)

__all__ = ["api_router"]
