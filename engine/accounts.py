"""Changing an account: a new password, or the account disabled. Either ends every session the person
has open (engine/sign_ins.py), so an old cookie or a stolen password stops working at once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import lockout
from .db.models import User
from .directory import MIN_PASSWORD_LENGTH, hash_password
from .errors import InvalidSubmission
from .sign_ins import end_all


def _user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise InvalidSubmission({"username": "查无此人"})
    return user


def set_password(session: Session, username: str, password: str, now: datetime) -> int:
    """Give the account a new password; returns how many of its sessions ended."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidSubmission({"password": f"密码至少 {MIN_PASSWORD_LENGTH} 个字符"})
    user = _user(session, username)
    user.password_hash = hash_password(password)
    lockout.forget(session, username)
    return end_all(session, user.id, "password", now)


def disable(session: Session, username: str, now: datetime) -> int:
    """Disable the account (it can no longer sign in); returns how many of its sessions ended."""
    user = _user(session, username)
    user.active = False
    return end_all(session, user.id, "disabled", now)
