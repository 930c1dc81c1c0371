"""Errors raised by registry services; the web layer maps them to HTTP status codes.

| error                        | meaning                                  | HTTP |
|------------------------------|------------------------------------------|------|
| `ldn.errors.InputError`      | invalid value (message names the rule)   | 422  |
| `PermissionDenied`           | the actor's role does not allow this     | 403  |
| `NotFound`                   | no such row (or not visible to the actor)| 404  |
| `ConflictError`              | edited concurrently / duplicate key      | 409  |
"""

from __future__ import annotations

from ldn.errors import InputError, LdnError

__all__ = ["ConflictError", "InputError", "NotFound", "PermissionDenied"]


class PermissionDenied(LdnError):
    """The actor's role or clinic does not allow the requested action."""


class NotFound(LdnError, LookupError):
    """The requested row does not exist."""


class ConflictError(LdnError):
    """A row was changed by someone else since it was read, or a unique value is taken."""
