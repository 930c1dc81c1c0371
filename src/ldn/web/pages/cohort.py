"""The cohort dashboard: responders by condition and dose, side-effect rates, trial evidence."""

from __future__ import annotations

import base64
from typing import Any

import pandas as pd
from fastapi import APIRouter, Request
from starlette.responses import Response

from ldn.errors import InputError
from ldn.web.deps import PageUser, SessionDep
from ldn.web.plots import figure_png
from ldn.web.templating import render

router = APIRouter()


def _records(frame: pd.DataFrame | None) -> tuple[list[str], list[dict[str, Any]]]:
    if frame is None or frame.empty:
        return [], []
    shown = frame.copy()
    for col in shown.columns:
        if pd.api.types.is_float_dtype(shown[col]):
            shown[col] = shown[col].map(lambda v: "" if pd.isna(v) else f"{v:.3g}")
    shown = shown.astype(object).where(shown.notna(), "")
    return list(shown.columns), shown.to_dict(orient="records")


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
    responders = report.responders
    if not responders.empty:
        responders = responders.loc[responders["dose_band"] != "all doses"]
    return render(
        request,
        "cohort.html",
        {
            "report": report,
            "n_evaluable": int((report.patients["status"] != "not evaluable").sum())
            if not report.patients.empty
            else 0,
            "side_by_side": _records(report.side_by_side()),
            "by_dose": _records(responders),
            "adverse": _records(report.adverse_events),
            "responders_png": cache.derived(
                report, "responders.png", lambda: _data_uri(figure_png(report.plot_responders()))
            ),
            "adverse_png": cache.derived(
                report, "adverse.png", lambda: _data_uri(figure_png(report.plot_adverse_events()))
            ),
        },
    )
