"""The unit of work: the only place in Qinglian that commits."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from .models import ProcessInstance
from .session import create_schema, make_engine, make_session_factories


class Database:
    """One database: an engine plus reading and writing session factories."""

    def __init__(self, url: str):
        self.url = url
        self.engine: Engine = make_engine(url)
        self._reading, self._writing = make_session_factories(self.engine)

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def create_schema(self) -> None:
        create_schema(self.engine)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One write transaction: committed when the block ends, rolled back if it raises."""
        with self._writing() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only session: it refuses to write (no flush, no INSERT/UPDATE/DELETE); loaded objects stay
        readable after it closes. On PostgreSQL it runs without a transaction (each statement its own
        snapshot, as READ COMMITTED gives anyway): no locks, no server-side cursors."""
        with self._reading() as session:
            yield session

    def lock_instance(
        self, session: Session, instance_id: int, skip_locked: bool = False
    ) -> ProcessInstance | None:
        """Load an instance under its row lock (PostgreSQL FOR UPDATE; SQLite holds its write lock).

        The row is always re-read as the lock sees it: an instance already in the session (read before
        the lock) would otherwise come back with its stale attributes (SpiffArena PR #189).
        With `skip_locked` (workers) a row another transaction holds gives None instead of waiting.
        """
        query = (
            select(ProcessInstance)
            .where(ProcessInstance.id == instance_id)
            .execution_options(populate_existing=True)
        )
        if self.is_postgres:
            query = query.with_for_update(skip_locked=skip_locked)
        return session.scalars(query).first()

    def dispose(self) -> None:
        self.engine.dispose()
