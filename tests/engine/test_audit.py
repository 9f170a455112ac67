"""The audit log: one hash-chained event per action, and a verifier that names the first tampered row
(RELIABILITY "Tamper-evident audit log", F22)."""

from __future__ import annotations

import dataclasses
import sqlite3
from contextlib import closing
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from engine import CHINA_TZ, Engine, FrozenClock
from engine.audit import GENESIS
from tests.engine.conftest import clock_of

START = {"subject_name": "冯乙", "subject_unit": "SJJ", "handling_office": "JC1", "subject_user": "fengyi"}
COLUMNS = "at, actor, instance_id, task_id, kind, payload, prev_hash, hash"


def events(engine: Engine) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(Path(engine.settings.instance_dir) / "qinglian.db")) as db:
        return db.execute(f"SELECT seq, {COLUMNS} FROM audit_event ORDER BY seq").fetchall()


def tamper(engine: Engine, sql: str, *params: Any) -> None:
    """Change the audit table behind the engine's back, as someone with the database file could."""
    with closing(sqlite3.connect(Path(engine.settings.instance_dir) / "qinglian.db")) as db, db:
        db.execute(sql, params)


@pytest.fixture
def chained(mini_engine: Engine, actor) -> Engine:  # type: ignore[no-untyped-def]
    """An engine whose audit log holds three events: a start, a completed task, a fired timer."""
    mini_engine.start(actor("zhaoliu"), "mini", {"case_no": "M-001", **START})
    officer = actor("qianqi")
    (task,) = mini_engine.inbox(officer)
    mini_engine.complete(officer, task.id, {"served_at": "2025-09-01"})
    clock_of(mini_engine).set(datetime(2025, 9, 17, 9, 0, tzinfo=CHINA_TZ))  # the reminder before 09-22
    assert len(mini_engine.fire_due_timers()) == 1
    assert [e[5] for e in events(mini_engine)] == ["instance_started", "task_completed", "timers_fired"]
    return mini_engine


# --- one event per action, chained -------------------------------------------------------------------


def test_every_action_appends_exactly_one_chained_event(mini_engine: Engine, actor) -> None:  # type: ignore[no-untyped-def]
    assert events(mini_engine) == []
    instance_id = mini_engine.start(actor("zhaoliu"), "mini", {"case_no": "M-001", **START})
    (started,) = events(mini_engine)
    assert started[2:6] == ("zhaoliu", instance_id, None, "instance_started")
    assert started[7] == GENESIS

    officer = actor("qianqi")
    (task,) = mini_engine.inbox(officer)
    mini_engine.complete(officer, task.id, {"served_at": "2025-09-01"})
    _, completed = events(mini_engine)
    assert completed[2:6] == ("qianqi", instance_id, task.id, "task_completed")
    assert '"served_at": "2025-09-01"' in completed[6]
    assert completed[7] == started[8]

    assert mini_engine.fire_due_timers() == []  # nothing due yet: nothing written
    assert len(events(mini_engine)) == 2
    clock_of(mini_engine).set(datetime(2025, 9, 17, 9, 0, tzinfo=CHINA_TZ))
    mini_engine.fire_due_timers()
    *_, fired = events(mini_engine)
    assert fired[2:6] == ("system", instance_id, None, "timers_fired")
    assert "发送提醒" in fired[6]
    assert fired[7] == completed[8]
    assert len(events(mini_engine)) == 3
    assert len({e[8] for e in events(mini_engine)}) == 3
    assert mini_engine.verify_audit() is None


def test_refused_action_writes_no_event(mini_engine: Engine, actor) -> None:  # type: ignore[no-untyped-def]
    from engine import InvalidSubmission, NotPermitted

    with pytest.raises(NotPermitted):
        mini_engine.start(actor("wangwu"), "mini", {"case_no": "M-001", **START})
    with pytest.raises(InvalidSubmission):
        mini_engine.start(actor("zhaoliu"), "mini", {"case_no": "not a case number", **START})
    assert events(mini_engine) == []
    assert mini_engine.verify_audit() is None


def test_intact_chain_verifies(chained: Engine) -> None:
    assert chained.verify_audit() is None


# --- tampering is found, and the first bad row named --------------------------------------------------


def test_edited_payload_is_found(chained: Engine) -> None:
    tamper(
        chained, "UPDATE audit_event SET payload = replace(payload, '2025-09-01', '2025-09-08') WHERE seq = 2"
    )
    assert chained.verify_audit() == 2


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("actor", "lisi"),
        ("kind", "instance_started"),
        ("instance_id", 99),
        ("task_id", 99),
        ("at", "2025-09-02 01:00:00.000000"),
    ],
)
def test_edited_column_is_found(chained: Engine, column: str, value: Any) -> None:
    tamper(chained, f"UPDATE audit_event SET {column} = ? WHERE seq = 2", value)
    assert chained.verify_audit() == 2


def test_edited_last_event_is_found(chained: Engine) -> None:
    tamper(chained, "UPDATE audit_event SET actor = 'lisi' WHERE seq = 3")
    assert chained.verify_audit() == 3


def test_deleted_event_is_found_at_the_next_one(chained: Engine) -> None:
    tamper(chained, "DELETE FROM audit_event WHERE seq = 2")
    assert chained.verify_audit() == 3


def test_swapped_events_are_found(chained: Engine) -> None:
    first, second = events(chained)[0:2]
    assignments = ", ".join(f"{c.strip()} = ?" for c in COLUMNS.split(","))
    tamper(chained, f"UPDATE audit_event SET {assignments} WHERE seq = 1", *second[1:])
    tamper(chained, f"UPDATE audit_event SET {assignments} WHERE seq = 2", *first[1:])
    assert chained.verify_audit() == 1


def test_rewritten_hashes_without_the_key_are_found(chained: Engine) -> None:
    # Whoever edits a row and recomputes a plain SHA-256 chain still fails: the chain is an HMAC.
    import hashlib

    tamper(chained, "UPDATE audit_event SET payload = '{}' WHERE seq = 2")
    second = events(chained)[1]
    forged = hashlib.sha256((second[7] + second[6]).encode()).hexdigest()
    tamper(chained, "UPDATE audit_event SET hash = ? WHERE seq = 2", forged)
    tamper(chained, "UPDATE audit_event SET prev_hash = ? WHERE seq = 3", forged)
    assert chained.verify_audit() == 2


# --- the key ------------------------------------------------------------------------------------------


def test_chain_verifies_only_under_the_key_that_wrote_it(chained: Engine, actor) -> None:  # type: ignore[no-untyped-def]
    settings = dataclasses.replace(chained.settings, audit_key="another-deployment-audit-key")
    other = Engine(settings, clock=FrozenClock(datetime(2025, 9, 18, 9, 0, tzinfo=CHINA_TZ)))
    try:
        assert other.verify_audit() == 1  # every event was written under the first key

        other.start(actor("zhaoliu"), "mini", {"case_no": "M-002", **START})
        assert len(events(chained)) == 4
        assert chained.verify_audit() == 4  # the first event written under the other key
    finally:
        other.close()
