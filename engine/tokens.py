"""API tokens that can end (issue 11 #6): each expires (`QINGLIAN_TOKEN_DAYS`, 90 by default), can be
listed per person and revoked, and stops working when its account is disabled or locked. Only a token's
hash is stored; the token itself is shown once, when it is made."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from .db.models import ApiToken, User, UserRole
from .directory import ACTOR_COLUMNS, actor_from_rows
from .errors import InvalidSubmission, NotFound
from .records import Actor

PREFIX = "ql_"


@dataclass(frozen=True)
class TokenView:
    id: int
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None

    def state(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return "已撤销"
        return "已过期" if self.expires_at <= now else "有效"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise InvalidSubmission({"username": "查无此人"})
    return user


def issue(session: Session, username: str, now: datetime, days: int) -> str:
    """A new token for the person, valid `days` days; only its hash is kept."""
    if days < 1:
        raise InvalidSubmission({"days": "有效期至少 1 天"})
    user = _user(session, username)
    token = PREFIX + secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            user_id=user.id,
            token_sha256=_digest(token),
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
    )
    return token


def actor_for(session: Session, token: str, now: datetime) -> Actor | None:
    """Whose token this is, while it is unexpired, unrevoked and its account enabled."""
    rows = session.execute(  # one statement per request: the account and its roles together
        select(*ACTOR_COLUMNS)
        .join(ApiToken, ApiToken.user_id == User.id)
        .outerjoin(UserRole, UserRole.user_id == User.id)
        .where(
            ApiToken.token_sha256 == _digest(token),
            ApiToken.revoked_at.is_(None),
            ApiToken.expires_at > now,
            User.active.is_(True),
        )
    ).all()
    return actor_from_rows(rows) if rows else None


def of(session: Session, username: str) -> list[TokenView]:
    """The person's tokens, newest first (never the tokens themselves)."""
    user = _user(session, username)
    rows = session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc()))
    return [TokenView(r.id, r.created_at, r.expires_at, r.revoked_at) for r in rows]


def revoke(session: Session, token_id: int, now: datetime) -> None:
    """The token stops working now; revoking it twice changes nothing."""
    row = session.get(ApiToken, token_id)
    if row is None:
        raise NotFound(f"令牌 {token_id} 不存在")
    if row.revoked_at is None:
        row.revoked_at = now
