"""Web-side security: API tokens, CSRF tokens and login throttling.

Sessions themselves are Starlette's `SessionMiddleware` (a signed, HttpOnly, SameSite=Lax,
Secure cookie); this module adds what it does not do:

- `TokenSigner`: signed, expiring bearer tokens for the JSON API (itsdangerous). A token
  carries only the user id; the user is looked up (and must still be active) on every request.
- CSRF: one random token per session, sent back in a hidden form field `csrf_token` or in the
  `X-CSRF-Token` header; compared in constant time. Requests authenticated by a bearer token
  need none (a browser never attaches that header on its own).
- `LoginThrottle`: counts failed logins per (username, client address) in a sliding window and
  refuses further attempts (429 + Retry-After) after `max_failures`. It is in-process memory:
  with several server workers each keeps its own count (documented in docs/web.md).

Password hashing is not here: it is `ldn.registry.security` (argon2).
"""

from __future__ import annotations

import hmac
import math
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, MutableMapping
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

CSRF_SESSION_KEY = "csrf"
CSRF_FORM_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
MAX_TRACKED_KEYS = 10_000  # above this, expired throttle entries are swept on each failure


class TokenSigner:
    """Issues and checks bearer tokens `{"uid": id}` signed with the app's secret key."""

    def __init__(self, secret_key: str, max_age_s: int) -> None:
        self._serializer = URLSafeTimedSerializer(secret_key, salt="ldn-api-token")
        self.max_age_s = max_age_s

    def issue(self, user_id: int) -> str:
        """A token for `user_id`, valid for `max_age_s` seconds."""
        return self._serializer.dumps({"uid": user_id})

    def user_id(self, token: str) -> int | None:
        """The user id in a valid, unexpired token; None for anything else."""
        try:
            payload = self._serializer.loads(token, max_age=self.max_age_s)
        except (SignatureExpired, BadSignature):
            return None
        uid = payload.get("uid") if isinstance(payload, dict) else None
        return uid if isinstance(uid, int) else None


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
    return hmac.compare_digest(expected.encode(), sent.encode())


class LoginThrottle:
    """Sliding-window counter of failed logins per key; thread-safe.

    `retry_after_s(key)` is None while attempts are allowed, else the whole seconds until the
    oldest counted failure leaves the window.
    """

    def __init__(
        self,
        max_failures: int,
        window_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def key(username: str, client: str) -> str:
        """The throttling key: case-folded username and client address."""
        return f"{username.strip().casefold()}|{client}"

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
            if len(times) < self.max_failures:
                return None
            return max(1, math.ceil(self.window_s - (now - times[0])))

    def record_failure(self, key: str) -> None:
        """Count one failed login for `key` (expired keys are dropped when many are kept)."""
        with self._lock:
            now = self._clock()
            if len(self._failures) >= MAX_TRACKED_KEYS:  # e.g. a flood of made-up usernames
                for old in list(self._failures):
                    self._prune(old, now)
            times = self._prune(key, now)
            times.append(now)
            self._failures[key] = times

    def tracked_keys(self) -> int:
        """How many (username, address) pairs currently have failures counted."""
        with self._lock:
            return len(self._failures)

    def reset(self, key: str) -> None:
        """Forget the failures of `key` (after a successful login)."""
        with self._lock:
            self._failures.pop(key, None)
