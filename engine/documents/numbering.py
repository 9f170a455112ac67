"""Document numbers: one sequence per kind and calendar year, from 1, without gaps or repeats."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from ..db.dialect import dialect_insert
from ..db.models import DocumentCounter


def next_number(session: Session, kind: str, year: int) -> int:
    """The next number of (kind, year), taken under the counter's row lock until the caller commits.

    PostgreSQL: the insert of a missing counter waits for a concurrent insert of the same key, the update
    waits for the row lock and, under READ COMMITTED, increments the committed value. SQLite: write
    transactions begin IMMEDIATE, so there is one writer at a time anyway.
    """
    insert = dialect_insert(session)
    session.execute(insert(DocumentCounter).values(kind=kind, year=year, last=0).on_conflict_do_nothing())
    bump = (
        update(DocumentCounter)
        .where(DocumentCounter.kind == kind, DocumentCounter.year == year)
        .values(last=DocumentCounter.last + 1)
        .returning(DocumentCounter.last)
        .execution_options(synchronize_session=False)
    )
    return int(session.execute(bump).scalar_one())


def format_number(prefix: str, year: int, seq: int) -> str:
    """示纪函〔2026〕3号: the prefix, the year in 六角括号, the sequence number."""
    return f"{prefix}〔{year}〕{seq}号"
