"""Who may do what: the role/permission matrix, enforced inside the services.

Roles (`models.ROLES`):

- **admin** — everything, in every clinic: clinics, users, patients and their records, the
  audit log, import and export.
- **clinician** — reads and writes patients (and their prescriptions, assessments and adverse
  events) of their own clinic only; reads the audit log of their own clinic; imports into and
  exports from their own clinic. Cannot manage users or clinics.
- **researcher** — reads patients of all clinics *pseudonymised*: free-text fields (notes,
  stop reasons) are removed; codes, birth year, sex, conditions, dates and values are kept
  (dates are needed for the N-of-1 analysis). Never writes; no audit log, no user list.

`MATRIX[(role, resource, action)]` is the table shown in docs/registry.md and tested cell by
cell; `require(actor, action, resource, clinic_id=...)` raises `PermissionDenied`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal, Protocol

from ldn.registry.errors import PermissionDenied

Action = Literal["read", "write"]
Resource = Literal["clinic", "user", "patient", "audit", "import", "export"]
Scope = Literal["all", "own clinic", "pseudonymised", "none"]

RESOURCES: Final[tuple[Resource, ...]] = ("clinic", "user", "patient", "audit", "import", "export")
ACTIONS: Final[tuple[Action, ...]] = ("read", "write")
# The meaningful (resource, action) cells; anything else is refused for everyone. Nobody writes
# the audit log directly: services append to it as a side effect of every change.
OPERATIONS: Final[tuple[tuple[Resource, Action], ...]] = (
    ("clinic", "read"),
    ("clinic", "write"),
    ("user", "read"),
    ("user", "write"),
    ("patient", "read"),
    ("patient", "write"),
    ("audit", "read"),
    ("import", "write"),
    ("export", "read"),
)


class ActorLike(Protocol):
    """Anything with the attributes of a logged-in user (a `models.User` qualifies)."""

    @property
    def id(self) -> int | None: ...
    @property
    def username(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def clinic_id(self) -> int | None: ...


@dataclass(frozen=True, slots=True)
class Actor:
    """A plain actor for code paths without a logged-in user (CLI, imports, tests)."""

    id: int | None
    username: str
    role: str
    clinic_id: int | None = None


SYSTEM: Final = Actor(id=None, username="system", role="admin", clinic_id=None)

_ROWS: Final[dict[str, tuple[Scope, ...]]] = {
    # order of OPERATIONS:   clinic r, clinic w, user r, user w, patient r, patient w,
    #                        audit r, import w, export r
    "admin": ("all", "all", "all", "all", "all", "all", "all", "all", "all"),
    "clinician": (
        "own clinic",
        "none",
        "none",
        "none",
        "own clinic",
        "own clinic",
        "own clinic",
        "own clinic",
        "own clinic",
    ),
    "researcher": (
        "all",
        "none",
        "none",
        "none",
        "pseudonymised",
        "none",
        "none",
        "none",
        "pseudonymised",
    ),
}
MATRIX: Final[dict[tuple[str, str, str], Scope]] = {
    (role, res, act): sc
    for role, scopes in _ROWS.items()
    for (res, act), sc in zip(OPERATIONS, scopes, strict=True)
}


def scope(actor: ActorLike, action: Action, resource: Resource) -> Scope:
    """The scope the actor's role has for `action` on `resource` ("none" if unknown role)."""
    return MATRIX.get((actor.role, resource, action), "none")


def can(actor: ActorLike, action: Action, resource: Resource, clinic_id: int | None = None) -> bool:
    """True if `actor` may `action` the `resource` (in `clinic_id`, when given)."""
    sc = scope(actor, action, resource)
    if sc == "none":
        return False
    if sc == "own clinic":
        return actor.clinic_id is not None and (clinic_id is None or clinic_id == actor.clinic_id)
    return True


def require(
    actor: ActorLike, action: Action, resource: Resource, clinic_id: int | None = None
) -> Scope:
    """Return the actor's scope, or raise `PermissionDenied` explaining the rule."""
    sc = scope(actor, action, resource)
    if can(actor, action, resource, clinic_id):
        return sc
    if sc == "own clinic":
        raise PermissionDenied(
            f"user {actor.username!r} ({actor.role}) may {action} {resource} records of their "
            "own clinic only"
        )
    raise PermissionDenied(
        f"user {actor.username!r} has role {actor.role!r}, which may not {action} {resource} "
        "records; ask an admin"
    )


def is_pseudonymised(actor: ActorLike) -> bool:
    """True when the actor sees patient data with free text removed."""
    return scope(actor, "read", "patient") == "pseudonymised"


def visible_clinic(actor: ActorLike) -> int | None:
    """The clinic an actor is restricted to when reading patients (None = all clinics)."""
    return actor.clinic_id if scope(actor, "read", "patient") == "own clinic" else None
