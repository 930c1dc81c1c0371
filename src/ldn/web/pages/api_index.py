"""`/api`: a plain list of the JSON API's operations, drawn from the OpenAPI schema.

FastAPI's Swagger UI pulls its JavaScript from a CDN, which the clinic machines cannot reach,
so the app serves this self-contained index instead (the full schema is /openapi.json)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from ldn.web.deps import PageUser
from ldn.web.templating import render

router = APIRouter()


@router.get("/api")
def api_index(request: Request, user: PageUser) -> Response:
    """Every API operation with its summary."""
    schema = request.app.openapi()
    operations = [
        {
            "method": method.upper(),
            "path": path,
            "summary": op.get("summary", ""),
            "description": (op.get("description") or "").split("\n")[0],
        }
        for path, item in schema["paths"].items()
        for method, op in item.items()
    ]
    return render(request, "api.html", {"operations": operations, "version": schema["info"]})
