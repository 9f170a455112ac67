"""Signed-in sessions that can end (issue 11 #4): a browser session is a row here, found by the hash of
a random token its cookie carries. A logout ends it; a password change or a disabled account ends all of
the person's; one left idle longer than the setting (`QINGLIAN_IDLE_MINUTES`, 30) ends at its next use.
A saved cookie is then worth nothing, whatever its signature."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .clock import Clock, SystemClock
from .db.models import SignIn, User, UserRole
from .directory import ACTOR_COLUMNS, actor_from_rows
from .records import Actor

if TYPE_CHECKING:
    from .context import EngineContext

SEEN_EVERY = timedelta(minutes=1)  # how stale `seen_at` may get before a request writes it again


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def end_all(session: Session, user_id: int, why: str, now: datetime) -> int:
    """End every open session of the person (password changed, account disabled); how many ended."""
    result = session.execute(
        update(SignIn)
        .where(SignIn.user_id == user_id, SignIn.ended_at.is_(None))
        .values(ended_at=now, ended_why=why)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


class SignIns:
    """Built by the Engine (`engine.sign_ins`). Idleness is a person's real time at the browser, so it
    runs on the wall clock, not on the engine's (which tests and demos move by days)."""

    def __init__(self, ctx: EngineContext, clock: Clock | None = None):
        self.ctx = ctx
        self.clock: Clock = clock or SystemClock()

    @property
    def idle(self) -> timedelta:
        return timedelta(minutes=self.ctx.settings.idle_minutes)

    def open(self, actor: Actor) -> str:
        """A new session for the person who just signed in; the token goes into the cookie."""
        token = secrets.token_urlsafe(32)
        now = self.clock.now()
        with self.ctx.db.transaction() as session:
            session.add(SignIn(token_sha256=_digest(token), user_id=actor.id, started_at=now, seen_at=now))
        return token

    def actor_of(self, token: str | None) -> Actor | None:
        """The person whose open session this is, with their roles, else None (ended, idle too long,
        account disabled): one statement on every request of a signed-in page."""
        if not token:
            return None
        now = self.clock.now()
        with self.ctx.db.reading() as session:
            rows = session.execute(
                select(SignIn.id, SignIn.seen_at, *ACTOR_COLUMNS)
                .join(User, User.id == SignIn.user_id)
                .outerjoin(UserRole, UserRole.user_id == User.id)
                .where(
                    SignIn.token_sha256 == _digest(token), SignIn.ended_at.is_(None), User.active.is_(True)
                )
            ).all()
        if not rows:
            return None
        row_id, seen_at = rows[0][:2]
        if now - seen_at > self.idle:
            self._end(row_id, "idle", now)
            return None
        if now - seen_at > SEEN_EVERY:
            with self.ctx.db.transaction() as session:
                session.execute(update(SignIn).where(SignIn.id == row_id).values(seen_at=now))
        return actor_from_rows([r[2:] for r in rows])

    def close(self, token: str | None) -> None:
        """Logout: the session ends on the server, not only in this browser."""
        if token:
            with self.ctx.db.reading() as session:
                found = session.scalar(select(SignIn.id).where(SignIn.token_sha256 == _digest(token)))
            if found is not None:
                self._end(found, "logout", self.clock.now())

    def _end(self, row_id: int, why: str, now: datetime) -> None:
        with self.ctx.db.transaction() as session:
            session.execute(
                update(SignIn)
                .where(SignIn.id == row_id, SignIn.ended_at.is_(None))
                .values(ended_at=now, ended_why=why)
            )
