"""The role/permission matrix of the web app: every route × role and the status it must get.

`test_permissions.py` checks every cell; docs/web.md shows `markdown_table()` (a test keeps
the two in sync: regenerate with `python -m tests.web.matrix`).

Roles: admin; clinician of clinic A (`clin_a`, owns the target patient); clinician of clinic B
(`clin_b`); researcher; anonymous. Targets are in clinic A; every write gets fresh records.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

ROLES: Final = ("admin", "clin_a", "clin_b", "researcher", "anonymous")


@dataclass(frozen=True)
class Row:
    """One route and the status each role gets (in `ROLES` order)."""

    method: str
    path: str
    expected: tuple[int, int, int, int, int]
    kind: str = "api"  # "api" (bearer token) or "page" (session cookie + form CSRF)

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


READ_ALL = (200, 200, 200, 200, 401)
READ_A = (200, 200, 403, 200, 401)  # researcher reads (pseudonymised), clin_b may not
WRITE_A = (200, 200, 403, 403, 401)
CREATE_A = (201, 201, 403, 403, 401)
DELETE_A = (204, 204, 403, 403, 401)
PAGE_ALL = (200, 200, 200, 200, 303)  # anonymous is redirected to /login
PAGE_READ_A = (200, 200, 403, 200, 303)
PAGE_WRITE_A = (303, 303, 403, 403, 303)
# routes naming a patient or record by id: another clinic's ids answer like missing ones (404)
ID_READ_A = (200, 200, 404, 200, 401)
ID_WRITE_A = (200, 200, 404, 403, 401)
ID_CREATE_A = (201, 201, 404, 403, 401)
ID_DELETE_A = (204, 204, 404, 403, 401)
ID_PAGE_READ_A = (200, 200, 404, 200, 303)
ID_PAGE_WRITE_A = (303, 303, 404, 403, 303)

ROWS: Final = (
    Row("GET", "/api/v1/auth/me", READ_ALL),
    Row("GET", "/api/v1/patients", READ_ALL),
    Row("POST", "/api/v1/patients", CREATE_A),
    Row("GET", "/api/v1/patients/{patient}", ID_READ_A),
    Row("PATCH", "/api/v1/patients/{patient}", ID_WRITE_A),
    Row("DELETE", "/api/v1/patients/{new_patient}", ID_DELETE_A),
    Row("GET", "/api/v1/patients/{patient}/prescriptions", ID_READ_A),
    Row("POST", "/api/v1/patients/{patient}/prescriptions", ID_CREATE_A),
    Row("PATCH", "/api/v1/prescriptions/{prescription}", ID_WRITE_A),
    Row("DELETE", "/api/v1/prescriptions/{prescription}", ID_DELETE_A),
    Row("GET", "/api/v1/patients/{patient}/assessments", ID_READ_A),
    Row("POST", "/api/v1/patients/{patient}/assessments", ID_CREATE_A),
    Row("PATCH", "/api/v1/assessments/{assessment}", ID_WRITE_A),
    Row("DELETE", "/api/v1/assessments/{assessment}", ID_DELETE_A),
    Row("GET", "/api/v1/patients/{patient}/adverse-events", ID_READ_A),
    Row("POST", "/api/v1/patients/{patient}/adverse-events", ID_CREATE_A),
    Row("PATCH", "/api/v1/adverse-events/{adverse_event}", ID_WRITE_A),
    Row("DELETE", "/api/v1/adverse-events/{adverse_event}", ID_DELETE_A),
    Row("GET", "/api/v1/patients/{patient}/n-of-1", ID_READ_A),
    Row("GET", "/api/v1/patients/{patient}/fhir", ID_READ_A),
    Row("GET", "/api/v1/cohort/summary", READ_ALL),
    Row("GET", "/api/v1/export.csv?clinic_id={clinic_a}", READ_A),
    Row("POST", "/api/v1/import", (200, 200, 403, 403, 401)),
    Row("GET", "/patients", PAGE_ALL, "page"),
    Row("GET", "/patients/new", (200, 200, 200, 403, 303), "page"),
    Row("POST", "/patients/new", (303, 303, 403, 403, 303), "page"),
    Row("GET", "/patients/{patient}", ID_PAGE_READ_A, "page"),
    Row("GET", "/patients/{patient}/timeline.png", ID_PAGE_READ_A, "page"),
    Row("GET", "/patients/{patient}/n-of-1.png", ID_PAGE_READ_A, "page"),
    Row("GET", "/patients/{patient}/fhir.json", ID_PAGE_READ_A, "page"),
    Row("POST", "/patients/{patient}/prescriptions", ID_PAGE_WRITE_A, "page"),
    Row("POST", "/patients/{patient}/assessments", ID_PAGE_WRITE_A, "page"),
    Row("POST", "/patients/{patient}/adverse-events", ID_PAGE_WRITE_A, "page"),
    Row("GET", "/cohort", PAGE_ALL, "page"),
    Row("GET", "/data", PAGE_ALL, "page"),
    Row("GET", "/data/export.csv?clinic_id={clinic_a}", PAGE_READ_A, "page"),
    Row("POST", "/data/import", (200, 200, 403, 403, 303), "page"),
    Row("GET", "/api", PAGE_ALL, "page"),
)


def markdown_table() -> str:
    """The matrix as a Markdown table (the text in docs/web.md)."""
    head = "| route | " + " | ".join(ROLES) + " |"
    rule = "|---|" + "---|" * len(ROLES)
    lines = [head, rule]
    for row in ROWS:
        cells = " | ".join(str(code) for code in row.expected)
        lines.append(f"| `{row.label}` | {cells} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown_table())
