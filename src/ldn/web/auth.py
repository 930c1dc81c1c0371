"""Login for pages and API alike: throttle, check the password (registry service), count.

`attempt_login` answers 429 with Retry-After while (username, address) is throttled — even a
correct password is refused then, so guessing cannot continue — and 401 with one neutral
message for an unknown user, a wrong password or an inactive account.
"""

from __future__ import annotations

from fastapi import HTTPException, Request
from sqlalchemy.orm import Session

from ldn.registry import services
from ldn.registry.models import User
from ldn.web.security import LoginThrottle

BAD_LOGIN = "unknown username or wrong password (accounts that are switched off cannot log in)"
MAX_CREDENTIAL_CHARS = 256


def client_address(request: Request) -> str:
    """The peer address of the request (proxies are not trusted)."""
    return request.client.host if request.client else "unknown"


def attempt_login(request: Request, session: Session, username: str, password: str) -> User:
    """The user if the credentials are right; HTTP 429 while throttled, 401 otherwise."""
    throttle: LoginThrottle = request.app.state.throttle
    key = LoginThrottle.key(username, client_address(request))
    wait_s = throttle.retry_after_s(key)
    if wait_s is not None:
        minutes = max(1, round(wait_s / 60))
        raise HTTPException(
            status_code=429,
            detail=(
                f"too many failed logins for {username.strip()!r} from this address; "
                f"try again in about {minutes} minute{'s' if minutes != 1 else ''}"
            ),
            headers={"Retry-After": str(wait_s)},
        )
    user = None
    if 0 < len(username) <= MAX_CREDENTIAL_CHARS and 0 < len(password) <= MAX_CREDENTIAL_CHARS:
        user = services.authenticate(session=session, username=username.strip(), password=password)
    if user is None:
        throttle.record_failure(key)
        raise HTTPException(status_code=401, detail=BAD_LOGIN)
    throttle.reset(key)
    return user
