"""Database engine and session factory, with the SQLite pragmas that make it a safe single writer."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from .migrate import upgrade

WRITE_OPTION = "qinglian_write"


def make_engine(url: str) -> Engine:
    """Create the SQLAlchemy engine; SQLite gets WAL, a busy timeout and BEGIN IMMEDIATE for writes."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            _private_file(Path(path))
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        _configure_sqlite(engine)
        return engine
    # READ COMMITTED is pinned, not left to the server default: the lock protocol (FOR UPDATE, then
    # re-read the task) must see the commit of the transaction it waited for. Under a database default
    # of REPEATABLE READ the waiter gets SerializationFailure (HTTP 500) instead of a clean Conflict.
    return create_engine(
        url, pool_pre_ping=True, pool_size=10, max_overflow=10, isolation_level="READ COMMITTED"
    )


def _private_file(path: Path) -> None:
    """The database file made readable by its owner alone (0600, in a 0700 folder) before SQLite opens
    it; SQLite gives its -wal and -shm files the same permissions."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (pysqlite's own is deferred)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # type: ignore[no-untyped-def]
        # A write transaction takes the write lock up front: two writers never interleave, and a
        # reader-turned-writer cannot deadlock (RELIABILITY F11). Reads stay deferred (WAL readers).
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE_OPTION) else "BEGIN")


def make_session_factories(engine: Engine) -> tuple[sessionmaker[Session], sessionmaker[Session]]:
    """(reading, writing) session factories; writing sessions take SQLite's write lock at BEGIN."""
    readers = engine
    if engine.dialect.name == "postgresql":
        # Under READ COMMITTED every statement takes its own snapshot, so a reading transaction gives
        # nothing a statement alone does not; without one a read saves its BEGIN and ROLLBACK round trips.
        # What a reading session therefore cannot do: hold a row or advisory lock past its statement, open
        # a server-side cursor (stream_results / yield_per), or write — all of which belong in transaction().
        readers = engine.execution_options(isolation_level="AUTOCOMMIT")
    reading = sessionmaker(readers, expire_on_commit=False, autoflush=False)
    event.listen(reading, "before_flush", _refuse_flush)
    event.listen(reading, "do_orm_execute", _refuse_dml)
    writing = sessionmaker(engine.execution_options(**{WRITE_OPTION: True}), expire_on_commit=False)
    return reading, writing


READ_ONLY = "a reading session writes nothing: use Database.transaction()"


def _refuse_flush(session: Session, flush_context: object, instances: object) -> None:
    raise RuntimeError(READ_ONLY)


def _refuse_dml(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        raise RuntimeError(READ_ONLY)


def create_schema(engine: Engine) -> None:
    """Bring the database to the current schema (Alembic migrations in engine/db/migrations)."""
    upgrade(engine)
