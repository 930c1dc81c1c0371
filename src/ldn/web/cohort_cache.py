"""A per-process cache of cohort reports, because one report analyses every patient (seconds).

A report is reused while the registry has not changed since it was built (the newest audit-log
id is the change stamp: every write appends one) or while it is younger than `max_age_s`
(default 60 s, `LDN_COHORT_CACHE_S`), so a busy clinic's dashboard is at most a minute behind
instead of recomputing after every saved assessment. Keys are the reader's scope (role and
clinic), because clinicians see only their clinic. One lock per key: concurrent requests for
the same report wait for one computation instead of running it many times.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from ldn.analysis.cohort import CohortReport
from ldn.registry.analysis_io import cohort_report
from ldn.registry.audit import change_stamp


@dataclass(frozen=True)
class _Entry:
    report: CohortReport
    stamp: int
    built_at: float


class CohortCache:
    """Cohort reports by reader scope; see the module docstring for when one is reused."""

    def __init__(self, max_age_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_age_s = max_age_s
        self._clock = clock
        self._entries: dict[tuple[str, int | None], _Entry] = {}
        self._locks: dict[tuple[str, int | None], threading.Lock] = {}
        self._guard = threading.Lock()
        self._derived: dict[tuple[int, str], Any] = {}

    def _lock(self, key: tuple[str, int | None]) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    def report(self, session: Session, actor: Any) -> CohortReport:
        """The cohort report the actor may read (InputError when there is nothing to report)."""
        key = (str(actor.role), actor.clinic_id if actor.role == "clinician" else None)
        with self._lock(key):
            stamp = change_stamp(session)
            entry = self._entries.get(key)
            now = self._clock()
            if entry is not None and (
                entry.stamp == stamp or now - entry.built_at < self.max_age_s
            ):
                return entry.report
            report = cohort_report(session, actor=actor)
            self._entries[key] = _Entry(report, stamp, self._clock())
            live = {id(e.report) for e in self._entries.values()}
            self._derived = {k: v for k, v in self._derived.items() if k[0] in live}
            return report

    def derived(self, report: CohortReport, name: str, build: Callable[[], Any]) -> Any:
        """`build()` computed once per cached report (e.g. its JSON or figures)."""
        key = (id(report), name)
        with self._guard:
            if key in self._derived:
                return self._derived[key]
        value = build()
        with self._guard:
            self._derived[key] = value
        return value
