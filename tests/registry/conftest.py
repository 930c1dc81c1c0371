"""Registry test fixtures (defined in tests/registry_fixtures.py so tests/web can reuse them)."""

from __future__ import annotations

from registry_fixtures import *  # noqa: F403
