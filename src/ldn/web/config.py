"""Settings of the clinic web app, read from the environment (prefix `LDN_`).

    LDN_SECRET_KEY        signs session cookies and API tokens. In development a random key is
                          generated once and kept in the user data directory; in any other
                          environment it must be set (at least 32 characters).
    LDN_ENVIRONMENT       "development" (default) or "production".
    LDN_DATABASE_URL      the registry database (see `ldn.registry.config`); None = its default.
    LDN_COOKIE_SECURE     mark the session cookie `Secure` (default true). Chromium accepts Secure
                          cookies from http://127.0.0.1 and http://localhost, so this stays on for
                          local use; turn it off only behind a plain-http hostname.
    LDN_SESSION_MAX_AGE_S lifetime of a login session or API token from login (default 8 h,
                          absolute; logout, a password change or switching the account off
                          ends it earlier).
    LDN_LOGIN_MAX_FAILURES, LDN_LOGIN_WINDOW_S
                          login throttling: after this many failed logins for one username from
                          one address within the window, further attempts get 429 with
                          Retry-After until the window has passed (default 5 in 15 min).
    LDN_LOGIN_MAX_FAILURES_PER_ADDRESS
                          the same for all usernames from one address together (default 50).
    LDN_LOGIN_CONCURRENCY, LDN_LOGIN_QUEUE
                          password checks (argon2, ~0.5 s CPU and 64 MiB each) run at most this
                          many at once (default 2), with at most this many more waiting
                          (default 4); further logins get 503 with Retry-After.
    LDN_COHORT_CACHE_S    how stale the cohort dashboard may be while data are being written
                          (default 60 s; see `ldn.web.cohort_cache`).
    LDN_USER_CACHE_S      how long a logged-in user's row is reused between requests (default
                          5 s, 0 = off; changes made through this process apply at once, see
                          `ldn.web.user_cache`).
    LDN_THREADS           threads that run database work and analyses per server process
                          (AnyIO's threadpool; default 16).

The numbers above are operational settings, not model constants, so they live here and not in
the parameter TOML files.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ldn.errors import InputError

_MIN_SECRET_CHARS = 32
_UNSAFE_SECRETS = frozenset({"", "changethis", "secret", "change-me", "dev"})


class WebSettings(BaseSettings):
    """Typed settings of the web app; every field can be set as `LDN_<NAME>`."""

    model_config = SettingsConfigDict(env_prefix="LDN_", extra="ignore")

    environment: Literal["development", "production"] = "development"
    secret_key: str | None = None
    database_url: str | None = None
    cookie_secure: bool = True
    session_max_age_s: int = Field(default=8 * 3600, gt=0)
    login_max_failures: int = Field(default=5, ge=1)
    login_window_s: float = Field(default=15 * 60, gt=0)
    login_max_failures_per_address: int = Field(default=50, ge=1)
    login_concurrency: int = Field(default=2, ge=1, le=64)
    login_queue: int = Field(default=4, ge=0, le=256)
    cohort_cache_s: float = Field(default=60, ge=0)
    user_cache_s: float = Field(default=5, ge=0)
    threads: int = Field(default=16, ge=1, le=256)

    @field_validator("secret_key")
    @classmethod
    def _strip(cls, value: str | None) -> str | None:
        return value.strip() if value is not None else None


def resolve_secret_key(settings: WebSettings, *, key_file: Path | None = None) -> str:
    """The key that signs sessions: the configured one, or a persisted random key in development.

    Outside development an unset, short or well-known key is refused with an `InputError`
    (an app whose sessions anyone can forge must not start).
    """
    key = settings.secret_key
    if key is not None and (key.lower() in _UNSAFE_SECRETS or len(key) < _MIN_SECRET_CHARS):
        if settings.environment != "development":
            raise InputError(
                f"LDN_SECRET_KEY is unsafe (it is {len(key)} characters long or a well-known "
                f"placeholder); in production it must be a random string of at least "
                f"{_MIN_SECRET_CHARS} characters. Create one with "
                "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`."
            )
        key = None
    if key is not None:
        return key
    if settings.environment != "development":
        raise InputError(
            "LDN_SECRET_KEY is not set; in production the app needs a random secret of at least "
            f"{_MIN_SECRET_CHARS} characters to sign sessions. Set it in the environment "
            "(e.g. `export LDN_SECRET_KEY=$(python -c 'import secrets; "
            "print(secrets.token_urlsafe(48))')`)."
        )
    return _development_key(key_file)


def _development_key(key_file: Path | None) -> str:
    """A random key kept in the user data directory, so dev logins survive a restart."""
    if key_file is None:
        from platformdirs import user_data_path

        key_file = user_data_path("ldn") / "web-secret-key"
    if key_file.is_file():
        stored = key_file.read_text(encoding="utf-8").strip()
        if len(stored) >= _MIN_SECRET_CHARS:
            return stored
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file.write_text(key + "\n", encoding="utf-8")
    key_file.chmod(0o600)
    return key
