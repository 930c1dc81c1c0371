"""Unit tests of the web security helpers: settings secret, CSRF, login throttle."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ldn.errors import InputError
from ldn.web.config import WebSettings, resolve_secret_key
from ldn.web.security import LoginThrottle, csrf_ok, csrf_token

STRONG = "k" * 40


def test_production_refuses_missing_secret() -> None:
    with pytest.raises(InputError, match="LDN_SECRET_KEY is not set"):
        resolve_secret_key(WebSettings(environment="production", secret_key=None))


@pytest.mark.parametrize("weak", ["changethis", "short-key"])
def test_production_refuses_weak_secret(weak: str) -> None:
    with pytest.raises(InputError, match="at least 32 characters"):
        resolve_secret_key(WebSettings(environment="production", secret_key=weak))


def test_production_accepts_strong_secret() -> None:
    settings = WebSettings(environment="production", secret_key=STRONG)
    assert resolve_secret_key(settings) == STRONG


def test_development_generates_and_persists_a_key(tmp_path: Path) -> None:
    key_file = tmp_path / "sub" / "web-secret-key"
    settings = WebSettings(environment="development", secret_key=None)
    first = resolve_secret_key(settings, key_file=key_file)
    assert len(first) >= 32
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert resolve_secret_key(settings, key_file=key_file) == first


def test_development_replaces_placeholder_secret(tmp_path: Path) -> None:
    settings = WebSettings(environment="development", secret_key="changethis")
    key = resolve_secret_key(settings, key_file=tmp_path / "k")
    assert key != "changethis" and len(key) >= 32


def test_csrf_token_is_stable_per_session_and_checked() -> None:
    session: dict[str, object] = {}
    token = csrf_token(session)
    assert csrf_token(session) == token
    assert csrf_ok(session, token)
    assert not csrf_ok(session, token + "x")
    assert not csrf_ok(session, None)
    assert not csrf_ok({}, token)


@given(st.text(max_size=80))
def test_csrf_rejects_arbitrary_strings(sent: str) -> None:
    session: dict[str, object] = {}
    token = csrf_token(session)
    assert csrf_ok(session, sent) == (sent == token)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_throttle_blocks_after_max_failures_until_window_passes() -> None:
    clock = FakeClock()
    throttle = LoginThrottle(max_failures=5, window_s=900, clock=clock)
    key = LoginThrottle.key("Alice ", "127.0.0.1")
    assert key == LoginThrottle.key("alice", "127.0.0.1")
    for _ in range(5):
        assert throttle.retry_after_s(key) is None
        throttle.record_failure(key)
        clock.now += 10
    assert throttle.retry_after_s(key) == 900 - 50
    other = LoginThrottle.key("alice", "10.0.0.9")
    assert throttle.retry_after_s(other) is None  # another address is counted separately
    clock.now += 900 - 50
    assert throttle.retry_after_s(key) is None  # the oldest failure has left the window


def test_throttle_reset_after_success() -> None:
    throttle = LoginThrottle(max_failures=2, window_s=60, clock=FakeClock())
    throttle.record_failure("k")
    throttle.reset("k")
    throttle.record_failure("k")
    assert throttle.retry_after_s("k") is None


def test_throttle_forgets_expired_keys() -> None:
    clock = FakeClock()
    throttle = LoginThrottle(max_failures=5, window_s=60, clock=clock)
    keys = [LoginThrottle.key(f"user{i}", "1.2.3.4") for i in range(50)]
    for key in keys:
        throttle.record_failure(key)
    assert throttle.tracked_keys() == 50
    clock.now += 61
    assert throttle.retry_after_s(keys[0]) is None
    assert throttle.tracked_keys() == 49
