"""Login for pages and API alike: bound the input, throttle, gate the password check, count.

`attempt_login` (blocking: run it in the threadpool) answers

- 422 when the username or password is empty or longer than `MAX_CREDENTIAL_CHARS` (the same
  limit for the login form and `POST /api/v1/auth/token`; nothing is hashed or counted);
- 429 with Retry-After while (username, address) or the address as a whole is throttled —
  even a correct password is refused then, so guessing cannot continue;
- 503 with Retry-After when the password-check gate is full (`HashGate`);
- 401 with one neutral message for an unknown user, a wrong password or an inactive account,
  each after exactly one password hash check, so the time taken does not tell them apart.
"""

from __future__ import annotations

from fastapi import HTTPException, Request
from sqlalchemy.orm import Session

from ldn.registry import services
from ldn.registry.models import User
from ldn.web.security import GateBusy, HashGate, LoginThrottle

BAD_LOGIN = "unknown username or wrong password (accounts that are switched off cannot log in)"
MAX_CREDENTIAL_CHARS = 256
BUSY = "the server is checking many logins at the moment; try again in a few seconds"


def client_address(request: Request) -> str:
    """The peer address of the request (proxies are not trusted)."""
    return request.client.host if request.client else "unknown"


def check_credential_lengths(username: str, password: str) -> None:
    """HTTP 422 unless both are 1…`MAX_CREDENTIAL_CHARS` characters."""
    for name, value in (("username", username), ("password", password)):
        if not 0 < len(value) <= MAX_CREDENTIAL_CHARS:
            raise HTTPException(
                status_code=422,
                detail=f"{name}: give 1 to {MAX_CREDENTIAL_CHARS} characters (got {len(value)})",
            )


def _throttled(throttle: LoginThrottle, keys: tuple[str, str], username: str) -> None:
    waits = [w for w in (throttle.retry_after_s(k) for k in keys) if w is not None]
    if not waits:
        return
    wait_s = max(waits)
    minutes = max(1, round(wait_s / 60))
    raise HTTPException(
        status_code=429,
        detail=(
            f"too many failed logins for {username.strip()[:64]!r} from this address; "
            f"try again in about {minutes} minute{'s' if minutes != 1 else ''}"
        ),
        headers={"Retry-After": str(wait_s)},
    )


def attempt_login(request: Request, session: Session, username: str, password: str) -> User:
    """The user if the credentials are right; HTTP 422/429/503/401 otherwise (see above)."""
    check_credential_lengths(username, password)
    throttle: LoginThrottle = request.app.state.throttle
    address = client_address(request)
    keys = (LoginThrottle.key(username, address), LoginThrottle.address_key(address))
    _throttled(throttle, keys, username)
    gate: HashGate = request.app.state.hash_gate
    try:
        with gate.slot():
            user = services.authenticate(
                session=session, username=username.strip(), password=password
            )
    except GateBusy:
        raise HTTPException(status_code=503, detail=BUSY, headers={"Retry-After": "5"}) from None
    if user is None:
        for key in keys:
            throttle.record_failure(key)
        raise HTTPException(status_code=401, detail=BAD_LOGIN)
    throttle.reset(keys[0])
    return user
