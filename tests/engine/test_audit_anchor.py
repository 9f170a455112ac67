"""The newest audit events deleted are detected (issue 11 #7): the chain's head is kept outside the
database (instance/audit.head, written by every worker sweep and `qinglian audit anchor`); deleting one,
fifty or all of the newest events — which leaves a valid shorter chain — fails `audit verify`. On
PostgreSQL the application cannot change or delete audit rows at all."""

from __future__ import annotations

import itertools
import sqlite3
import stat
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from engine import Engine
from engine.worker import run_forever
from tests.conftest import FIXTURES, build_engine, make_workflows_dir
from tests.engine.test_notices import START, actor

NUMBERS = itertools.count(200)


def _cases(engine: Engine, n: int) -> None:
    for _ in range(n):
        engine.start(actor(engine, "zhaoliu"), "mini", {**START, "case_no": f"M-{next(NUMBERS)}"})


def _delete_newest(engine: Engine, how_many: int) -> None:
    database = Path(engine.settings.instance_dir) / "qinglian.db"
    with closing(sqlite3.connect(database)) as db, db:
        db.execute(
            "DELETE FROM audit_event WHERE seq IN (SELECT seq FROM audit_event ORDER BY seq DESC LIMIT ?)",
            (how_many,),
        )


@pytest.mark.parametrize("how_many", [1, 50, 10_000])
def test_deleting_the_newest_events_is_detected(mini_engine: Engine, how_many: int) -> None:
    _cases(mini_engine, 30)
    head = mini_engine.operations.anchor_audit()
    assert head is not None and mini_engine.verify_audit() is None
    _delete_newest(mini_engine, how_many)
    assert mini_engine.verify_audit() == head.seq


def test_the_anchor_only_moves_forward_and_is_private(mini_engine: Engine) -> None:
    _cases(mini_engine, 2)
    first = mini_engine.operations.anchor_audit()
    _cases(mini_engine, 1)
    second = mini_engine.operations.anchor_audit()
    assert first is not None and second is not None and second.seq > first.seq
    anchor = Path(mini_engine.settings.instance_dir) / "audit.head"
    assert stat.S_IMODE(anchor.stat().st_mode) == 0o600
    assert mini_engine.verify_audit() is None  # events written after the anchor are fine


def test_the_worker_sweep_writes_the_anchor(mini_engine: Engine) -> None:
    _cases(mini_engine, 1)
    anchor = Path(mini_engine.settings.instance_dir) / "audit.head"
    stop = threading.Event()
    worker = threading.Thread(target=run_forever, args=(mini_engine.ctx, stop))
    worker.start()
    try:
        deadline = time.monotonic() + 30  # waiting for the thread's first pass, not for a timer
        while not anchor.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        worker.join(timeout=30)
    assert anchor.exists()


def test_on_postgresql_audit_rows_cannot_be_changed_or_deleted(tmp_path: Path, fresh_postgres: str) -> None:
    engine = build_engine(
        tmp_path, make_workflows_dir(tmp_path, FIXTURES / "mini"), database_url=fresh_postgres
    )
    try:
        _cases(engine, 1)
        for statement in (
            "UPDATE audit_event SET actor = 'lisi'",
            "DELETE FROM audit_event",
            "TRUNCATE audit_event",
        ):
            with pytest.raises(SQLAlchemyError, match="append-only"), engine.ctx.db.engine.begin() as db:
                db.execute(text(statement))
        assert engine.verify_audit() is None
    finally:
        engine.close()
