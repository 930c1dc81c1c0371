"""API login: exchange a username and password for a bearer token; who am I."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from ldn.registry.schemas import UserPublic
from ldn.web.api.common import ERRORS, ErrorOut
from ldn.web.auth import MAX_CREDENTIAL_CHARS, attempt_login
from ldn.web.deps import CurrentUser, SessionDep, in_session

router = APIRouter(prefix="/auth", tags=["auth"])


class TokenRequest(BaseModel):
    """Credentials of a registry user."""

    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=MAX_CREDENTIAL_CHARS)
    password: str = Field(min_length=1, max_length=MAX_CREDENTIAL_CHARS)


class TokenOut(BaseModel):
    """A bearer token; send it as `Authorization: Bearer <access_token>`."""

    access_token: str
    token_type: str = "bearer"
    expires_in_s: int


@router.post(
    "/token",
    responses={
        401: {"model": ErrorOut, "description": "wrong credentials"},
        422: ERRORS[422],
        429: {"model": ErrorOut, "description": "too many failed logins; see Retry-After"},
        503: {"model": ErrorOut, "description": "too many logins at once; see Retry-After"},
    },
)
async def login_for_token(request: Request, session: SessionDep, body: TokenRequest) -> TokenOut:
    """Check the password (throttled per username and address) and issue a bearer token.

    The token is valid for the session lifetime (8 h by default) unless the user logs out, the
    password is changed or the account is switched off, which end every token of the user."""
    token = await in_session(session, _login, request=request, body=body)
    return TokenOut(access_token=token, expires_in_s=request.app.state.tokens.max_age_s)


@router.post("/logout", status_code=204, responses={401: ERRORS[401]})
async def logout(request: Request, user: CurrentUser) -> Response:
    """End every session and token of the logged-in user (browser sessions too)."""
    await run_in_threadpool(request.app.state.tokens.end_all, user.id, request.app.state.user_cache)
    return Response(status_code=204)


@router.get("/me", responses={401: ERRORS[401]})
async def read_me(user: CurrentUser) -> UserPublic:
    """The logged-in user."""
    return UserPublic.model_validate(user)


def _login(*, session: Session, request: Request, body: TokenRequest) -> str:
    # in the threadpool: argon2 takes a large fraction of a second
    user = attempt_login(request, session, body.username, body.password)
    return str(request.app.state.tokens.issue(user.id, "bearer", session=session))
