"""The database row of a stored file (engine/files.py): one per content, whoever stored it first."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from .db.dialect import dialect_insert
from .db.models import Attachment
from .files import StoredFile


def hold(session: Session, stored: StoredFile, at: datetime) -> None:
    """The content's Attachment row, made if missing and locked until the transaction ends.

    An upsert (DO UPDATE, not DO NOTHING): on PostgreSQL it waits for the stale-upload sweep's lock on the row
    and takes the row lock itself, and inserts the row afresh if the sweep deleted it meanwhile
    (engine/upload_sweep.py); SQLite's write lock serializes both anyway."""
    insert = dialect_insert(session)(Attachment).values(
        sha256=stored.sha256, size=stored.size, mime=stored.mime, created_at=at
    )
    session.execute(
        insert.on_conflict_do_update(index_elements=["sha256"], set_={"sha256": insert.excluded.sha256})
    )
