"""Wrong passwords counted per account and per address (issue 11 #10, ASVS 2.2.1): five in a row from one
address lock that address out of that account for 15 minutes. Whoever guesses at a named person's password
locks out only himself; the person signs in from his own desk as usual. The counters live in the
database, so they hold across server processes (the per-address request rate is web/throttle.py's)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from .db.models import LoginLock

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)


def locked(session: Session, username: str, source: str, now: datetime) -> bool:
    """Whether sign-ins to `username` from `source` are refused for now."""
    row = session.get(LoginLock, (username, source[:64]))
    return row is not None and row.locked_until is not None and now < row.locked_until


def failed(session: Session, username: str, source: str, now: datetime) -> None:
    """One more wrong password; the fifth in a row locks the address out of the account."""
    row = session.get(LoginLock, (username, source[:64]))
    if row is None:
        row = LoginLock(username=username, source=source[:64], failures=0)
        session.add(row)
    row.failures += 1
    if row.failures >= MAX_FAILED_LOGINS:
        row.failures, row.locked_until = 0, now + LOCKOUT


def succeeded(session: Session, username: str, source: str) -> None:
    session.execute(delete(LoginLock).where(LoginLock.username == username, LoginLock.source == source[:64]))


def forget(session: Session, username: str) -> None:
    """Every address's count for the account (a new password starts afresh)."""
    session.execute(delete(LoginLock).where(LoginLock.username == username))
