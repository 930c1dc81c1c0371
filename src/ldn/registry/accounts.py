"""Clinic and user services (re-exported by `ldn.registry.services`).

Keyword-only `*, session, actor` functions; see `ldn.registry.services` for the conventions.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from contextlib import suppress
from functools import cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ldn.registry import audit
from ldn.registry._common import audited_create, audited_write, commit
from ldn.registry._common import changes as _changes
from ldn.registry._common import check_version as _check_version
from ldn.registry.errors import ConflictError, InputError, NotFound
from ldn.registry.models import Clinic, User
from ldn.registry.permissions import ActorLike, require
from ldn.registry.schemas import (
    ClinicCreate,
    ClinicPublic,
    UserCreate,
    UserPublic,
    UserUpdate,
    parse,
)
from ldn.registry.security import hash_password, needs_rehash, verify_password
from ldn.registry.web_sessions import end_user_sessions


# ---------------------------------------------------------------- clinics
def create_clinic(
    *, session: Session, actor: ActorLike, data: ClinicCreate | Mapping[str, Any]
) -> ClinicPublic:
    """Create a clinic (admin only)."""
    require(actor, "write", "clinic")
    spec = parse(ClinicCreate, data)
    if session.scalar(select(Clinic.id).where(Clinic.name == spec.name)) is not None:
        raise ConflictError(f"a clinic named {spec.name!r} already exists; choose another name")
    clinic = Clinic(name=spec.name)
    audited_create(session, actor, clinic, entity="clinic", clinic_id=None)
    return ClinicPublic.model_validate(clinic)


def get_clinic(*, session: Session, actor: ActorLike, clinic_id: int) -> ClinicPublic:
    """One clinic (clinicians: their own only)."""
    require(actor, "read", "clinic", clinic_id=clinic_id)
    clinic = session.get(Clinic, clinic_id)
    if clinic is None:
        raise NotFound(f"clinic {clinic_id} not found")
    return ClinicPublic.model_validate(clinic)


def get_clinic_by_name(*, session: Session, actor: ActorLike, name: str) -> ClinicPublic:
    """The clinic called `name`."""
    clinic = session.scalar(select(Clinic).where(Clinic.name == name))
    if clinic is None:
        raise NotFound(f"clinic {name!r} not found")
    require(actor, "read", "clinic", clinic_id=clinic.id)
    return ClinicPublic.model_validate(clinic)


def list_clinics(*, session: Session, actor: ActorLike) -> list[ClinicPublic]:
    """Clinics the actor may see."""
    require(actor, "read", "clinic")
    stmt = select(Clinic).order_by(Clinic.name)
    if actor.role == "clinician":
        stmt = stmt.where(Clinic.id == actor.clinic_id)
    return [ClinicPublic.model_validate(c) for c in session.scalars(stmt)]


# ---------------------------------------------------------------- users
def create_user(
    *, session: Session, actor: ActorLike, data: UserCreate | Mapping[str, Any]
) -> UserPublic:
    """Create a user with an argon2-hashed password (admin only)."""
    require(actor, "write", "user")
    spec = parse(UserCreate, data)
    if spec.clinic_id is not None and session.get(Clinic, spec.clinic_id) is None:
        raise NotFound(f"clinic {spec.clinic_id} not found; create it first")
    if session.scalar(select(User.id).where(User.username == spec.username)) is not None:
        raise ConflictError(f"username {spec.username!r} is taken; choose another")
    user = User(
        username=spec.username,
        password_hash=hash_password(spec.password),
        role=spec.role,
        clinic_id=spec.clinic_id,
        active=True,
    )
    audited_create(session, actor, user, entity="user", clinic_id=user.clinic_id)
    return UserPublic.model_validate(user)


def _load_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id} not found")
    return user


def get_user(*, session: Session, actor: ActorLike, user_id: int) -> UserPublic:
    """One user (admins; anyone may read their own account)."""
    if actor.id != user_id:
        require(actor, "read", "user")
    return UserPublic.model_validate(_load_user(session, user_id))


def list_users(*, session: Session, actor: ActorLike) -> list[UserPublic]:
    """All users (admin only)."""
    require(actor, "read", "user")
    return [UserPublic.model_validate(u) for u in session.scalars(select(User).order_by(User.id))]


def update_user(
    *, session: Session, actor: ActorLike, user_id: int, data: UserUpdate | Mapping[str, Any]
) -> UserPublic:
    """Change role, clinic, active flag or password (admin only)."""
    require(actor, "write", "user")
    changes = _changes(data, UserUpdate)
    user = _load_user(session, user_id)
    _check_version(user, "user", changes.pop("version", None))
    before = audit.snapshot(user)
    new_password = changes.pop("password", None)
    if new_password is not None:
        user.password_hash = hash_password(new_password)
    for key, value in changes.items():
        setattr(user, key, value)
    if user.role == "clinician" and user.clinic_id is None:
        session.rollback()
        raise InputError("a clinician must belong to a clinic: give clinic_id")
    if new_password is not None or not user.active:
        # a new password or a switched-off account ends every session and API token at once
        end_user_sessions(session, user.id)
    audited_write(
        session,
        actor,
        action="update",
        entity="user",
        row=user,
        clinic_id=user.clinic_id,
        before=before,
    )
    return UserPublic.model_validate(user)


@cache
def _dummy_hash_for(profile: str) -> str:
    return hash_password("not-a-real-password")


def _dummy_hash() -> str:
    return _dummy_hash_for(os.environ.get("LDN_PASSWORD_HASH_PROFILE", ""))


def warm_dummy_hash() -> None:
    """Make the dummy hash now (a server calls this at start-up; it costs one hash)."""
    _dummy_hash()


def authenticate(*, session: Session, username: str, password: str) -> User | None:
    """The active user with this username and password, else None (no reason given).

    Upgrades the stored hash when the argon2 parameters changed. Throttling is the caller's job.
    """
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        # exactly one hash check whatever the account state, so the answer time tells nothing
        # about whether the account exists or is switched off
        verify_password(_dummy_hash(), password)
        return None
    if not verify_password(user.password_hash, password):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        with suppress(ConflictError):  # someone else changed the row; the old hash still works
            commit(session)
    return user
