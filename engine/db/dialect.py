"""SQL that SQLite and PostgreSQL spell differently."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def dialect_insert(session: Session):  # type: ignore[no-untyped-def]
    """The INSERT construct of the session's database (for ON CONFLICT DO NOTHING / DO UPDATE)."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
