"""Web-side security: CSRF tokens, login throttling and the password-check gate.

Sessions and API tokens are rows of the registry database (`ldn.registry.web_sessions`, used
through `ldn.web.sessions`); the browser's signed cookie (Starlette's `SessionMiddleware`)
carries the session secret, the CSRF token and flash messages. This module adds:

- CSRF: one random token per session, sent back in a hidden form field `csrf_token` or in the
  `X-CSRF-Token` header; compared in constant time. Requests authenticated by a bearer token
  need none (a browser never attaches that header on its own).
- `LoginThrottle`: counts failed logins per (username, client address) and per address in a
  sliding window and refuses further attempts (429 + Retry-After) after the limit. Its memory
  is bounded whatever the input: keys are fixed-size digests (a 1 MiB username costs the same
  as a short one), each key keeps at most `limit` timestamps, and at most `max_keys` keys are
  kept (expired ones are swept first, then the oldest are dropped). In-process memory: with
  several server workers each keeps its own count (docs/web.md).
- `HashGate`: at most `concurrent` password checks (argon2: ~0.3-0.7 s of CPU and 64 MiB
  each) run at once and at most `queue` more wait; further logins get 503 + Retry-After at
  once instead of piling up on the CPU and in memory.

Password hashing itself is `ldn.registry.security` (argon2).
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import contextmanager
from typing import Any

CSRF_SESSION_KEY = "csrf"
CSRF_FORM_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
MAX_TRACKED_KEYS = 10_000  # throttle keys kept at most (each ≤ ~0.5 kB)
MAX_KEY_INPUT_CHARS = 256  # longer usernames are cut before hashing (they cannot exist anyway)


def csrf_token(session: MutableMapping[str, Any]) -> str:
    """The session's CSRF token, created on first use."""
    token = session.get(CSRF_SESSION_KEY)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        session[CSRF_SESSION_KEY] = token
    return token


def csrf_ok(session: MutableMapping[str, Any], sent: str | None) -> bool:
    """True when `sent` equals the session's CSRF token (constant-time comparison)."""
    expected = session.get(CSRF_SESSION_KEY)
    if not isinstance(expected, str) or not expected or not sent:
        return False
    return hmac.compare_digest(expected.encode(), sent.encode("utf-8", "surrogatepass"))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


class LoginThrottle:
    """Sliding-window counter of failed logins per key; thread-safe, bounded memory.

    `retry_after_s(key)` is None while attempts are allowed, else the whole seconds until the
    oldest counted failure leaves the window.
    """

    def __init__(
        self,
        max_failures: int,
        window_s: float,
        clock: Callable[[], float] = time.monotonic,
        *,
        max_failures_per_address: int | None = None,
        max_keys: int = MAX_TRACKED_KEYS,
    ) -> None:
        self.max_failures = max_failures
        self.max_failures_per_address = max_failures_per_address or 10 * max_failures
        self.window_s = window_s
        self.max_keys = max_keys
        self._clock = clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(username: str, client: str) -> str:
        """The key of (case-folded username, client address): a fixed-size digest."""
        name = username.strip().casefold()[:MAX_KEY_INPUT_CHARS]
        return "u" + _digest(f"{name}|{client[:MAX_KEY_INPUT_CHARS]}")

    @staticmethod
    def address_key(client: str) -> str:
        """The key counting every failed login from one client address."""
        return "a" + _digest(client[:MAX_KEY_INPUT_CHARS])

    def _limit(self, key: str) -> int:
        return self.max_failures_per_address if key.startswith("a") else self.max_failures

    def _prune(self, key: str, now: float) -> deque[float]:
        times = self._failures.get(key, deque())
        while times and now - times[0] >= self.window_s:
            times.popleft()
        if not times:
            self._failures.pop(key, None)
        return times

    def retry_after_s(self, key: str) -> int | None:
        """Seconds to wait before another attempt is allowed, or None if allowed now."""
        with self._lock:
            now = self._clock()
            times = self._prune(key, now)
            if len(times) < self._limit(key):
                return None
            return max(1, math.ceil(self.window_s - (now - times[0])))

    def record_failure(self, key: str) -> None:
        """Count one failed login for `key` (keeps at most `max_keys` keys)."""
        with self._lock:
            now = self._clock()
            times = self._prune(key, now)
            if key not in self._failures:
                # keys are kept in order of their latest failure, so the expired ones are at
                # the front: drop them, then (still full) the least recently failed ones
                while self._failures:
                    oldest = next(iter(self._failures.values()))
                    expired = now - oldest[-1] >= self.window_s
                    if not expired and len(self._failures) < self.max_keys:
                        break
                    self._failures.popitem(last=False)
            if times.maxlen != self._limit(key):
                times = deque(times, maxlen=self._limit(key))
            times.append(now)
            self._failures[key] = times
            self._failures.move_to_end(key)

    def tracked_keys(self) -> int:
        """How many keys currently have failures counted."""
        with self._lock:
            return len(self._failures)

    def reset(self, key: str) -> None:
        """Forget the failures of `key` (after a successful login)."""
        with self._lock:
            self._failures.pop(key, None)


class GateBusy(Exception):
    """More password checks are running and waiting than the gate allows."""


class HashGate:
    """Limits concurrent password checks: `concurrent` at once, `queue` more waiting.

    `with gate.slot(): ...` raises `GateBusy` at once when the queue is full, or after
    `wait_s` seconds without a free slot.
    """

    def __init__(self, concurrent: int, queue: int, wait_s: float = 10.0) -> None:
        self.concurrent = concurrent
        self.queue = queue
        self.wait_s = wait_s
        self._slots = threading.BoundedSemaphore(concurrent)
        self._lock = threading.Lock()
        self._inside = 0  # running + waiting
        self.peak = 0  # the most password checks that ran at once (for tests and benchmarks)
        self._running = 0

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one of the `concurrent` slots while the body runs."""
        with self._lock:
            if self._inside >= self.concurrent + self.queue:
                raise GateBusy
            self._inside += 1
        try:
            if not self._slots.acquire(timeout=self.wait_s):
                raise GateBusy
            try:
                with self._lock:
                    self._running += 1
                    self.peak = max(self.peak, self._running)
                yield
            finally:
                with self._lock:
                    self._running -= 1
                self._slots.release()
        finally:
            with self._lock:
                self._inside -= 1
