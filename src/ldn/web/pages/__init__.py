"""Server-rendered pages (Jinja2 templates in `ldn/web/templates`), one module per area."""

from __future__ import annotations

from fastapi import APIRouter

from ldn.web.pages import api_index, auth, cohort, data, diary, patients, plots, practice

pages_router = APIRouter(include_in_schema=False)
for _module in (auth, patients, plots, cohort, data, api_index, practice, diary):
    pages_router.include_router(_module.router)

__all__ = ["pages_router"]
