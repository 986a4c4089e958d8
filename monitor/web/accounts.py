"""Users and passwords: Argon2 hashes in the database, roles viewer < operator < admin."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Engine
from sqlmodel import select

from monitor.errors import GroundswellError
from monitor.storage.engine import transaction
from monitor.storage.tables import User

Role = Literal["viewer", "operator", "admin"]
ROLES: tuple[Role, ...] = ("viewer", "operator", "admin")
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")
MIN_PASSWORD = 10
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("a password nobody has")  # verifying unknown names costs the same time


@dataclass(frozen=True)
class Account:
    """Who is signed in (what the request handlers see; never the hash)."""

    id: int
    name: str
    role: Role

    def can(self, role: Role) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)


def check_new(name: str, password: str, role: str) -> None:
    """One clear line for each thing wrong with a new user."""
    if not NAME_RE.match(name):
        raise GroundswellError(f"user name {name!r} is not allowed (letters, digits, _ . @ -; at most 64)")
    if role not in ROLES:
        raise GroundswellError(f"role {role!r} is unknown (use viewer, operator or admin)")
    if len(password) < MIN_PASSWORD:
        raise GroundswellError(f"the password is too short (at least {MIN_PASSWORD} characters)")


def add_user(engine: Engine, name: str, password: str, role: str, *, now: datetime, replace: bool = False) -> None:
    """Create a user, or with ``replace`` set a new password and role for an existing one."""
    check_new(name, password, role)
    with transaction(engine) as session:
        user = session.exec(select(User).where(User.name == name)).first()
        if user is not None and not replace:
            raise GroundswellError(f"user {name!r} exists (use --replace to set a new password or role)")
        user = user or User(name=name, password_hash="", created_at=now)
        user.password_hash, user.role, user.disabled = _hasher.hash(password), role, False
        session.add(user)


def set_disabled(engine: Engine, name: str, disabled: bool) -> None:
    with transaction(engine) as session:
        user = session.exec(select(User).where(User.name == name)).first()
        if user is None:
            raise GroundswellError(f"no user {name!r} (see `groundswell users list`)")
        user.disabled = disabled
        session.add(user)


def list_users(engine: Engine) -> list[User]:
    with transaction(engine) as session:
        return list(session.exec(select(User).order_by(User.name)).all())


def authenticate(engine: Engine, name: str, password: str) -> Account | None:
    """The account when name and password match an enabled user; None otherwise (same work either way)."""
    with transaction(engine) as session:
        user = session.exec(select(User).where(User.name == name)).first()
        try:
            _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            return None
        if user is None or user.disabled or user.id is None:
            return None
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = _hasher.hash(password)
            session.add(user)
        return Account(user.id, user.name, _role(user.role))


def account(engine: Engine, user_id: int) -> Account | None:
    """Re-read on every request, so a disabled user or a changed role takes effect at once."""
    with transaction(engine) as session:
        user = session.get(User, user_id)
        if user is None or user.disabled:
            return None
        return Account(user_id, user.name, _role(user.role))


def account_named(engine: Engine, name: str) -> Account | None:
    """The enabled user of that name (a trusted proxy's sign-in); None when there is none."""
    with transaction(engine) as session:
        user = session.exec(select(User).where(User.name == name)).first()
        if user is None or user.disabled or user.id is None:
            return None
        return Account(user.id, user.name, _role(user.role))


def _role(value: str) -> Role:
    for role in ROLES:
        if value == role:
            return role
    return "viewer"
