"""Password hashing with argon2id.

`hash_password(plain) -> str`, `verify_password(hash, plain) -> bool` (never raises on a wrong
password or a malformed hash), `needs_rehash(hash) -> bool` (parameters changed since the hash
was made; rehash after a successful login).

Parameters come from argon2-cffi's profiles, chosen by `LDN_PASSWORD_HASH_PROFILE`:
`rfc9106-low-memory` (default; RFC 9106's second recommended option: t=3, m=64 MiB, p=4,
≈0.7 s per hash on a 2-core machine) or `cheapest` (t=1, m=8 KiB: for test suites only,
never for real accounts).
"""

from __future__ import annotations

import os
from functools import cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ldn.errors import InputError

MIN_PASSWORD_LENGTH = 8
PROFILES = {"rfc9106-low-memory": profiles.RFC_9106_LOW_MEMORY, "cheapest": profiles.CHEAPEST}


@cache
def _hasher_for(profile: str) -> PasswordHasher:
    if profile not in PROFILES:
        raise InputError(
            f"LDN_PASSWORD_HASH_PROFILE={profile!r} is unknown; use one of {', '.join(PROFILES)}"
        )
    return PasswordHasher.from_parameters(PROFILES[profile])


def _hasher() -> PasswordHasher:
    return _hasher_for(os.environ.get("LDN_PASSWORD_HASH_PROFILE", "rfc9106-low-memory"))


def check_password_strength(plain: str) -> None:
    """InputError if the password is too short to be accepted for a new account."""
    if len(plain) < MIN_PASSWORD_LENGTH:
        raise InputError(
            f"password is {len(plain)} characters long; use at least {MIN_PASSWORD_LENGTH}"
        )


def hash_password(plain: str) -> str:
    """An argon2id hash string of `plain` (salted; includes its parameters)."""
    return _hasher().hash(plain)


def verify_password(password_hash: str, plain: str) -> bool:
    """True when `plain` matches `password_hash`; False for a mismatch or a bad hash."""
    try:
        return _hasher().verify(password_hash, plain)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with other parameters than the current defaults."""
    try:
        return _hasher().check_needs_rehash(password_hash)
    except InvalidHashError:
        return True
