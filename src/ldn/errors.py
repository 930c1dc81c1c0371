"""Exceptions that carry a message meant for the user.

Edges (CLI, web, file readers) raise these with a sentence that names the bad value, the rule it
breaks and, where possible, the fix. The CLI prints the message without a traceback.
"""

from __future__ import annotations


class LdnError(Exception):
    """Base class for every error `ldn` reports to a user."""


class InputError(LdnError, ValueError):
    """A value given by the user (argument, file, form field) is invalid."""


class DataFileError(LdnError):
    """A data file shipped with or given to `ldn` cannot be read or fails its schema."""
