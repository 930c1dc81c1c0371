"""The cohort dashboard: responders by condition and dose, side-effect rates, trial evidence.

Tables are laid out for people by `ldn.web.cohort_view` (labels, units, rounded numbers)."""

from __future__ import annotations

import base64

from fastapi import APIRouter, Request
from starlette.responses import Response

from ldn.errors import InputError
from ldn.figures import figure_png
from ldn.web.cohort_view import adverse_table, by_dose_table, mid_sources, responders_table
from ldn.web.deps import PageUser, SessionDep
from ldn.web.templating import render

router = APIRouter()


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


@router.get("/cohort")
def cohort_page(request: Request, session: SessionDep, user: PageUser) -> Response:
    """Cohort tables and figures for the patients the user may read."""
    try:
        cache = request.app.state.cohort_cache
        report = cache.report(session, user)
    except InputError as exc:  # e.g. no dated records yet
        return render(request, "cohort.html", {"report": None, "message": str(exc)})
    return render(
        request,
        "cohort.html",
        {
            "report": report,
            "n_evaluable": int((report.patients["status"] != "not evaluable").sum())
            if not report.patients.empty
            else 0,
            "side_by_side": cache.derived(
                report, "side_by_side.table", lambda: responders_table(report.side_by_side())
            ),
            "by_dose": by_dose_table(report.responders),
            "adverse": adverse_table(report.adverse_events),
            "mid_sources": mid_sources(report.side_by_side()),
            "responders_png": cache.derived(
                report, "responders.png", lambda: _data_uri(figure_png(report.plot_responders()))
            ),
            "adverse_png": cache.derived(
                report, "adverse.png", lambda: _data_uri(figure_png(report.plot_adverse_events()))
            ),
        },
    )
