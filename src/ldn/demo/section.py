"""`DemoSection`: what each demo section (`ldn.demo.pk`, `chain`, …) returns to the summary.

Its own module so the sections import it without importing `ldn.demo.summary`, which imports
the sections (no cycle, and import-linter sees every edge).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DemoSection:
    """One part of the demo: a title, Markdown text, and the files it wrote (relative paths)."""

    title: str
    markdown: str
    figures: tuple[str, ...] = field(default_factory=tuple)
    files: tuple[str, ...] = field(default_factory=tuple)
