"""People, units and roles: accounts, passwords (argon2id), API tokens, declared conflicts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import lockout
from .db.models import InstanceRecusal, Recusal, Unit, User, UserRole
from .errors import InvalidSubmission
from .person_keys import person_key
from .records import Actor

_HASHER = PasswordHasher()
MIN_PASSWORD_LENGTH = 12


def hash_password(password: str) -> str:
    """The stored form of a password (argon2id)."""
    return _HASHER.hash(password)


ACTOR_COLUMNS = (User.id, User.username, User.display_name, User.unit_id, User.post, UserRole.role)


def actor_from_rows(rows: Sequence[Sequence[Any]]) -> Actor:
    """The actor read as ACTOR_COLUMNS with UserRole outer-joined: one row per role (one without)."""
    uid, username, name, unit, post, _role = rows[0]
    return Actor(uid, username, name, unit, frozenset(r[-1] for r in rows if r[-1]), post)


def actor_of(session: Session, user: User) -> Actor:
    roles = frozenset(session.scalars(select(UserRole.role).where(UserRole.user_id == user.id)))
    return Actor(user.id, user.username, user.display_name, user.unit_id, roles, user.post)


def find_actor(session: Session, username: str) -> Actor | None:
    user = session.scalar(select(User).where(User.username == username, User.active.is_(True)))
    return actor_of(session, user) if user else None


def by_name(session: Session, text: str) -> str | None:
    """The login of the active person whose login or (unique) name this is, else None: 钱七 → qianqi."""
    text = text.strip()
    found = session.scalar(select(User.username).where(User.username == text, User.active.is_(True)))
    if found:
        return str(found)
    named = list(
        session.scalars(select(User.username).where(User.display_name == text, User.active.is_(True)))
    )
    return str(named[0]) if len(named) == 1 else None


def field_texts(session: Session, logins: set[str] | None = None) -> dict[str, str]:
    """What a person field shows for each active person (all of them unless `logins`): the name where
    `by_name` reads it back as that person (the name of one active person and nobody's login), else the
    login — a person reads 钱七 in the field, not qianqi, unless two 钱七 would make the name ambiguous."""
    query = select(User.username, User.display_name).where(User.active.is_(True))
    if logins is not None:
        query = query.where(User.username.in_(logins))
    people = dict(session.execute(query).all())
    names = set(people.values())
    counts = dict(
        session.execute(  # type: ignore[arg-type]
            select(User.display_name, func.count())
            .where(User.active.is_(True), User.display_name.in_(names))
            .group_by(User.display_name)
        ).all()
    )
    taken = set(session.scalars(select(User.username).where(User.active.is_(True), User.username.in_(names))))
    return {
        login: name if counts.get(name) == 1 and name not in taken else login
        for login, name in people.items()
    }


def actor_by_id(session: Session, user_id: int) -> Actor | None:
    user = session.get(User, user_id)
    return actor_of(session, user) if user and user.active else None


def authenticate(
    session: Session, username: str, password: str, now: datetime, source: str = ""
) -> Actor | None:
    """The actor if the password is right and `source` (the client's address) not locked out of the account,
    else None (the same answer, after the same work, for every reason: engine/lockout.py)."""
    user = session.scalar(select(User).where(User.username == username, User.active.is_(True)))
    if user is None:
        _HASHER.hash(password)  # same work whether or not the account exists
        return None
    if lockout.locked(session, username, source, now):
        _HASHER.hash(password)  # as long as a wrong password takes: a lock tells nothing either
        return None
    try:
        _HASHER.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        lockout.failed(session, username, source, now)
        return None
    lockout.succeeded(session, username, source)
    if _HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = _HASHER.hash(password)
    return actor_of(session, user)


def ensure_unit(session: Session, code: str, name: str) -> None:
    unit = session.get(Unit, code)
    if unit is None:
        session.add(Unit(id=code, name=name))
    else:
        unit.name = name


def add_user(
    session: Session,
    username: str,
    display_name: str,
    password: str,
    *,
    unit: str | None,
    roles: list[str],
    post: str = "",
) -> User:
    """Create an account; refuses a taken name, an unknown unit or a password under 12 characters."""
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise InvalidSubmission({"username": "用户名已存在"})
    if unit is not None and session.get(Unit, unit) is None:
        raise InvalidSubmission({"unit": "单位不存在"})
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidSubmission({"password": f"密码至少 {MIN_PASSWORD_LENGTH} 个字符"})
    user = User(
        username=username,
        display_name=display_name,
        post=post,
        unit_id=unit,
        password_hash=hash_password(password),
        active=True,
    )
    session.add(user)
    session.flush()
    session.add_all(UserRole(user_id=user.id, role=r) for r in sorted(set(roles)))
    session.flush()
    return user


def add_recusal(session: Session, username: str, subject_name: str, reason: str) -> None:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise InvalidSubmission({"user": "查无此人"})
    session.add(
        Recusal(
            user_id=user.id, subject_name=subject_name, subject_key=person_key(subject_name), reason=reason
        )
    )


def is_recused(session: Session, username: str, subject_name: str) -> bool:
    return (
        session.scalar(
            select(Recusal.id)
            .join(User, User.id == Recusal.user_id)
            .where(User.username == username, Recusal.subject_key == person_key(subject_name))
        )
        is not None
    )


def withdrew(session: Session, instance_id: int, username: str) -> bool:
    """Decided to withdraw (回避) from this case."""
    query = (
        select(InstanceRecusal.user_id)
        .join(User, User.id == InstanceRecusal.user_id)
        .where(InstanceRecusal.instance_id == instance_id, User.username == username)
    )
    return session.scalar(query) is not None


def recused_user_ids(session: Session, subject_name: str) -> list[int]:
    key = person_key(subject_name)
    return list(session.scalars(select(Recusal.user_id).where(Recusal.subject_key == key)))


def list_users(session: Session) -> list[tuple[Actor, str]]:
    """Every account with its unit name, by username."""
    units = {u.id: u.name for u in session.scalars(select(Unit))}
    users = session.scalars(select(User).order_by(User.username))
    return [(actor_of(session, u), units.get(u.unit_id or "", "")) for u in users]
