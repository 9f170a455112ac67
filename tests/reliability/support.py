"""Tools of the reliability suite: hook points that stop a thread inside the mutation path (Camunda's
ControllableThread pattern, with threading.Event instead of wait/notify), contender threads that keep
their outcome, and a Rig: one seeded database with as many Engine objects ("processes") as a test needs.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select, text

from engine import CHINA_TZ, Actor, Engine, FrozenClock, Settings
from engine.db.models import AuditEvent, HumanTask, InstanceParticipant, Notification, ProcessInstance
from tests.conftest import AUDIT_KEY, SESSION_KEY

TIMEOUT = 20.0  # seconds any hook or thread may take before the test fails instead of hanging
T0 = datetime(2025, 9, 1, 9, 0, tzinfo=CHINA_TZ)  # the clock of tests/conftest.build_engine


class Gate:
    """A hook point: the thread that arrives stops until the test opens the gate."""

    def __init__(self, name: str):
        self.name = name
        self.reached = threading.Event()
        self.opened = threading.Event()

    def arrive(self) -> None:
        self.reached.set()
        if not self.opened.wait(TIMEOUT):
            raise TimeoutError(f"gate {self.name} was never opened")

    def wait_reached(self) -> None:
        if not self.reached.wait(TIMEOUT):
            raise AssertionError(f"{self.name}: the thread never reached its hook point")

    def open(self) -> None:
        self.opened.set()


def pause_after(monkeypatch: pytest.MonkeyPatch, owner: Any, attr: str, thread_name: str) -> Gate:
    """The first call of `owner.attr` made by `thread_name` runs, then stops at the returned gate."""
    return _pause(monkeypatch, owner, attr, thread_name, before=False)


def pause_before(monkeypatch: pytest.MonkeyPatch, owner: Any, attr: str, thread_name: str) -> Gate:
    """The first call of `owner.attr` made by `thread_name` stops at the returned gate, then runs."""
    return _pause(monkeypatch, owner, attr, thread_name, before=True)


def _pause(monkeypatch: pytest.MonkeyPatch, owner: Any, attr: str, thread_name: str, before: bool) -> Gate:
    original = getattr(owner, attr)
    gate = Gate(f"{thread_name} {'before' if before else 'after'} {owner.__name__}.{attr}")

    def stop_here() -> None:
        if threading.current_thread().name == thread_name and not gate.reached.is_set():
            gate.arrive()

    def hooked(*args: Any, **kwargs: Any) -> Any:
        if before:
            stop_here()
        result = original(*args, **kwargs)
        if not before:
            stop_here()
        return result

    monkeypatch.setattr(owner, attr, hooked)
    return gate


class Contender(threading.Thread):
    """A thread running one engine call; its return value or exception is kept, never lost."""

    def __init__(self, name: str, call: Callable[[], Any]):
        super().__init__(name=name, daemon=True)
        self.call = call
        self.value: Any = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.value = self.call()
        except BaseException as exc:  # kept for the test to assert on
            self.error = exc

    def outcome(self) -> Any:
        """The call's return value, or the exception it raised."""
        self.join(TIMEOUT)
        if self.is_alive():
            raise AssertionError(f"thread {self.name} is still running after {TIMEOUT}s (deadlock?)")
        return self.error if self.error is not None else self.value


def eventually(predicate: Callable[[], bool], what: str) -> None:
    """Wait for a condition the database reports (bounded poll of an observable state, not a timer)."""
    deadline = time.monotonic() + TIMEOUT
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        time.sleep(0.005)


@dataclass(frozen=True)
class TaskRow:
    id: int
    bpmn_id: str
    status: str
    role: str
    assignee_id: int | None
    completed_by: int | None
    completed_at: datetime | None
    due_date: date | None


TASK_COLUMNS = (
    HumanTask.id,
    HumanTask.bpmn_id,
    HumanTask.status,
    HumanTask.role,
    HumanTask.assignee_id,
    HumanTask.completed_by,
    HumanTask.completed_at,
    HumanTask.due_date,
)


@dataclass(frozen=True)
class InstanceRow:
    state_json: str
    row_version: int
    status: str
    next_timer_at: datetime | None
    updated_at: datetime


INSTANCE_COLUMNS = (
    ProcessInstance.state_json,
    ProcessInstance.row_version,
    ProcessInstance.status,
    ProcessInstance.next_timer_at,
    ProcessInstance.updated_at,
)

CASE = {"subject_name": "褚丁", "subject_unit": "CZJ", "subject_user": "chuding", "handling_office": "JC1"}


@dataclass
class Rig:
    """One seeded database (demo county + the mini process) and the Engines ("processes") on it."""

    url: str
    workflows: Path
    tmp: Path
    engines: list[Engine] = field(default_factory=list)
    write_begun: dict[str, threading.Event] = field(default_factory=lambda: defaultdict(threading.Event))

    @property
    def is_postgres(self) -> bool:
        return self.url.startswith("postgresql")

    def engine(self, at: datetime | None = None) -> Engine:
        """A new Engine on this database with its own FrozenClock, as a separate process would have."""
        settings = Settings(
            database_url=self.url,
            instance_dir=str(self.tmp / "instance"),
            workflows_dir=str(self.workflows),
            secret_key=SESSION_KEY,
            audit_key=AUDIT_KEY,
        )
        engine = Engine(settings, clock=FrozenClock(at or T0))
        event.listen(engine.ctx.db.engine, "before_cursor_execute", self._note_write_begin)
        self.engines.append(engine)
        return engine

    def _note_write_begin(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement == "BEGIN IMMEDIATE":  # SQLite: this thread now waits for (or takes) the write lock
            self.write_begun[threading.current_thread().name].set()

    def close(self) -> None:
        for engine in self.engines:
            engine.close()

    # --- blocking ----------------------------------------------------------------------------------
    def wait_blocked(self, thread_name: str) -> None:
        """Return once `thread_name` waits for the lock another thread holds (or is about to)."""
        if self.is_postgres:
            eventually(lambda: self._pg_lock_waiters() > 0, f"{thread_name} waits on a row lock")
        elif not self.write_begun[thread_name].wait(TIMEOUT):
            raise AssertionError(f"{thread_name} never began its write transaction")

    def _pg_lock_waiters(self) -> int:
        with self.engines[0].ctx.db.engine.connect() as conn:
            return int(
                conn.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                    )
                ).scalar_one()
            )

    # --- cases ---------------------------------------------------------------------------------------
    def actor(self, username: str) -> Actor:
        found = self.engines[0].actor_by_name(username)
        assert found is not None, username
        return found

    def start_case(self, engine: Engine, number: int) -> int:
        return engine.start(self.actor("zhaoliu"), "mini", {"case_no": f"M-{number:03d}", **CASE})

    def serve_task(self, instance_id: int) -> int:
        return self._ready_task(instance_id, "serve")

    def reply_task(self, instance_id: int) -> int:
        return self._ready_task(instance_id, "reply")

    def _ready_task(self, instance_id: int, bpmn_id: str) -> int:
        rows = self.tasks(instance_id, bpmn_id, "ready")
        assert len(rows) == 1, (instance_id, bpmn_id, rows)
        return rows[0].id

    def case_at_reply(self, engine: Engine, number: int, served_at: str = "2025-09-01") -> int:
        """An instance whose reply task (with its reminder and overdue timers) is READY."""
        instance_id = self.start_case(engine, number)
        engine.complete(self.actor("qianqi"), self.serve_task(instance_id), {"served_at": served_at})
        return instance_id

    # --- what the database holds ---------------------------------------------------------------
    def tasks(self, instance_id: int, bpmn_id: str | None = None, status: str | None = None) -> list[TaskRow]:
        query = select(*TASK_COLUMNS).where(HumanTask.instance_id == instance_id).order_by(HumanTask.id)
        if bpmn_id:
            query = query.where(HumanTask.bpmn_id == bpmn_id)
        if status:
            query = query.where(HumanTask.status == status)
        with self.engines[0].ctx.db.reading() as session:
            return [TaskRow(*row) for row in session.execute(query)]

    def instance(self, instance_id: int) -> InstanceRow:
        with self.engines[0].ctx.db.reading() as session:
            row = session.execute(
                select(*INSTANCE_COLUMNS).where(ProcessInstance.id == instance_id)
            ).one_or_none()
            assert row is not None, instance_id
            return InstanceRow(*row)

    def audit_kinds(self, instance_id: int) -> list[str]:
        with self.engines[0].ctx.db.reading() as session:
            return list(
                session.scalars(
                    select(AuditEvent.kind)
                    .where(AuditEvent.instance_id == instance_id)
                    .order_by(AuditEvent.seq)
                )
            )

    def notifications(self, instance_id: int) -> list[tuple[int, str]]:
        with self.engines[0].ctx.db.reading() as session:
            return [
                (user_id, text_)
                for user_id, text_ in session.execute(
                    select(Notification.user_id, Notification.text)
                    .where(Notification.instance_id == instance_id, Notification.kind == "notice")
                    .order_by(Notification.id)
                )
            ]

    def count(self, model: Any) -> int:
        with self.engines[0].ctx.db.reading() as session:
            return int(session.scalar(select(func.count()).select_from(model)) or 0)

    def verify_audit(self) -> None:
        assert self.engines[0].verify_audit() is None, "audit chain broken"

    def snapshot(self, instance_id: int) -> dict[str, Any]:
        """Everything a half-done action could have touched, for before/after comparison."""
        inst = self.instance(instance_id)
        with self.engines[0].ctx.db.reading() as session:
            audit = list(
                session.execute(
                    select(AuditEvent.seq, AuditEvent.kind, AuditEvent.hash).order_by(AuditEvent.seq)
                )
            )
            participants = sorted(
                (user_id, kind)
                for user_id, kind in session.execute(
                    select(InstanceParticipant.user_id, InstanceParticipant.kind).where(
                        InstanceParticipant.instance_id == instance_id
                    )
                )
            )
        return {
            "instance": inst,
            "tasks": self.tasks(instance_id),
            "audit": [tuple(row) for row in audit],
            "notifications": self.notifications(instance_id),
            "participants": participants,
        }
