"""The demo county of DOMAIN.md §12 (workflows/county.toml): units, one account per role, conflicts."""

from __future__ import annotations

import secrets
import string
import tomllib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from .db.models import User
from .directory import add_recusal, add_user, ensure_unit


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    display_name: str
    post: str
    roles: tuple[str, ...]


def _password() -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(14))


def seed_county(session: Session, county_file: Path, passwords: dict[str, str]) -> list[DemoLogin]:
    """Create missing units and demo users; existing accounts keep their passwords.

    `passwords` holds the passwords handed out earlier (username → password); new users get a fresh
    random one, added to it. Returns every demo login.
    """
    county = tomllib.loads(county_file.read_text(encoding="utf-8"))
    for code, name in county["units"].items():
        ensure_unit(session, code, name)
    session.flush()
    logins = []
    for username, (display, post, unit, roles) in county["users"].items():
        if session.scalar(select(User.id).where(User.username == username)) is None:
            passwords[username] = passwords.get(username) or _password()
            add_user(session, username, display, passwords[username], unit=unit, roles=list(roles), post=post)
            for rec in county.get("recusals", []):
                if rec["user"] == username:
                    add_recusal(session, username, rec["subject_name"], rec["reason"])
        logins.append(DemoLogin(username, passwords.get(username, "（已修改）"), display, post, tuple(roles)))
    return logins
