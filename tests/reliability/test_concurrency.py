"""F1, F2, F6, F11: competing actions on one database, interleaved deterministically.

Pattern (Camunda's ControllableThread): thread A runs an engine call and stops at a hook point inside
the mutation path (`pause_after` wraps a module function and waits on a threading.Event); the test
then lets B run until it has finished or is provably waiting for A's lock; then it releases A.

Qinglian locks pessimistically, so which thread wins depends on where A stops:
- after `spiff.load` A holds the instance lock (PostgreSQL `FOR UPDATE`; SQLite's write lock taken
  by `BEGIN IMMEDIATE`): B must wait, A wins, B gets Conflict;
- after reading the task, before `lock_instance`: on PostgreSQL A holds no lock yet, so B completes
  while A waits, and A gets Conflict when it resumes (it read the task as READY, but re-reads it
  under the lock); on SQLite A's write transaction already excludes B, so A wins.
"""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import select, text

import engine.runtime
import engine.spiff
from engine import Conflict, InvalidSubmission
from engine.db.models import ProcessInstance
from engine.db.uow import Database
from tests.reliability.support import CASE, T0, TIMEOUT, Contender, Rig, pause_after, pause_before

SERVED = {"A": "2025-09-01", "B": "2025-09-02"}
REPLY_DUE = {"2025-09-01": date(2025, 9, 22), "2025-09-02": date(2025, 9, 23)}  # +15 working days
HOOKS = {  # where thread A stops: (pause function, owner, attribute)
    "after_load": (pause_after, engine.runtime, "_load"),  # A holds the instance lock and has the workflow
    "before_lock": (pause_before, Database, "lock_instance"),  # A has read the task as READY, no lock yet
}
ANSWER = {"admits": True, "reply_text": "情况属实，已整改"}
LATER = T0 + timedelta(days=61)  # past the reminder and the overdue deadline of every case below


def _race_for_serve(rig: Rig, monkeypatch: pytest.MonkeyPatch, pause: str, users: dict[str, str]) -> None:
    """A and B (two web processes) complete the same serve task; assert exactly one of them did."""
    web_a, web_b = rig.engines[0], rig.engine()
    instance_id = rig.start_case(web_a, 1)
    task = rig.serve_task(instance_id)
    actors = {name: rig.actor(user) for name, user in users.items()}
    version_before = rig.instance(instance_id).row_version

    pause_fn, owner, attr = HOOKS[pause]
    gate = pause_fn(monkeypatch, owner, attr, "A")
    a = Contender("A", lambda: web_a.complete(actors["A"], task, {"served_at": SERVED["A"]}))
    b = Contender("B", lambda: web_b.complete(actors["B"], task, {"served_at": SERVED["B"]}))
    a.start()
    gate.wait_reached()
    b.start()
    b_wins = rig.is_postgres and pause == "before_lock"  # A read the task but holds no lock yet
    if b_wins:
        assert b.outcome() == instance_id, "B should complete while A is paused"
    else:
        rig.wait_blocked("B")
    gate.open()

    winner, loser = ("B", "A") if b_wins else ("A", "B")
    outcomes = {"A": a.outcome(), "B": b.outcome()}
    assert outcomes[winner] == instance_id, outcomes
    assert isinstance(outcomes[loser], Conflict), outcomes
    serve = rig.tasks(instance_id, "serve")
    assert [(t.status, t.completed_by) for t in serve] == [("completed", actors[winner].id)]
    reply = rig.tasks(instance_id, "reply")
    assert [(t.status, t.due_date) for t in reply] == [("ready", REPLY_DUE[SERVED[winner]])]
    assert rig.audit_kinds(instance_id) == ["instance_started", "task_completed"]
    assert rig.instance(instance_id).row_version == version_before + 1
    rig.verify_audit()


@pytest.mark.parametrize("who", ["two_officers", "double_click"])
@pytest.mark.parametrize("pause", ["after_load", "before_lock"])
def test_f1_same_task_completed_twice_at_once(
    rig: Rig, monkeypatch: pytest.MonkeyPatch, pause: str, who: str
) -> None:
    users = {"A": "qianqi", "B": "sunba" if who == "two_officers" else "qianqi"}
    _race_for_serve(rig, monkeypatch, pause, users)


def _two_instances_interleaved(rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    """A holds instance 1 (paused after loading it), B completes instance 2; both must succeed."""
    web_a, web_b = rig.engines[0], rig.engine()
    first, second = rig.start_case(web_a, 1), rig.start_case(web_a, 2)
    tasks = {"A": rig.serve_task(first), "B": rig.serve_task(second)}
    officer = rig.actor("qianqi")
    gate = pause_after(monkeypatch, engine.runtime, "_load", "A")
    a = Contender("A", lambda: web_a.complete(officer, tasks["A"], {"served_at": "2025-09-01"}))
    b = Contender("B", lambda: web_b.complete(officer, tasks["B"], {"served_at": "2025-09-01"}))
    a.start()
    gate.wait_reached()
    b.start()
    if rig.is_postgres:  # row locks: another instance is not held up
        assert b.outcome() == second
    else:  # SQLite: one writer at a time, B waits (busy_timeout) instead of failing
        rig.wait_blocked("B")
    gate.open()
    assert (a.outcome(), b.outcome()) == (first, second)
    for instance_id in (first, second):
        assert rig.audit_kinds(instance_id) == ["instance_started", "task_completed"]
    rig.verify_audit()  # A appended after B although it began before B: still one chain


def test_f11_writer_on_another_instance_waits_or_proceeds_never_fails(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    _two_instances_interleaved(rig, monkeypatch)


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
@pytest.mark.parametrize("scenario", ["same_task", "other_instance"])
def test_locking_holds_when_the_server_defaults_to_repeatable_read(
    rig: Rig, monkeypatch: pytest.MonkeyPatch, postgres_url: str, scenario: str
) -> None:
    """Lock-then-re-read needs READ COMMITTED. Under a DBA's default of REPEATABLE READ the loser of
    a race got SerializationFailure (HTTP 500) instead of Conflict, and an audit append read the
    chain head from its pre-lock snapshot, forking the hash chain."""
    dbname = postgres_url.rsplit("/", 1)[1]
    with rig.engines[0].ctx.db.engine.connect() as conn:
        conn.execute(
            text(f"ALTER DATABASE \"{dbname}\" SET default_transaction_isolation = 'repeatable read'")
        )
        conn.commit()
    rig.engines[0].ctx.db.engine.dispose()  # new connections pick the database default up
    if scenario == "same_task":
        _race_for_serve(rig, monkeypatch, "after_load", {"A": "qianqi", "B": "sunba"})
    else:
        _two_instances_interleaved(rig, monkeypatch)


def test_f2_same_completion_submitted_twice_in_a_row(rig: Rig) -> None:
    web = rig.engines[0]
    instance_id = rig.start_case(web, 1)
    task = rig.serve_task(instance_id)
    officer = rig.actor("qianqi")
    assert web.complete(officer, task, {"served_at": "2025-09-01"}) == instance_id
    after_first = rig.snapshot(instance_id)
    with pytest.raises(Conflict):
        web.complete(officer, task, {"served_at": "2025-09-01"})
    assert rig.snapshot(instance_id) == after_first  # no second step, no audit row, no notification
    rig.verify_audit()


def test_f2_start_form_submitted_twice_in_a_row(rig: Rig) -> None:
    web = rig.engines[0]
    data = {"case_no": "M-007", **CASE}
    web.start(rig.actor("zhaoliu"), "mini", data)
    with pytest.raises(InvalidSubmission):
        web.start(rig.actor("zhaoliu"), "mini", data)
    assert rig.count(ProcessInstance) == 1


def test_f2_start_form_submitted_twice_at_once(rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    """Double-submitted start form: one case per number. A stops after the duplicate-number SELECT.
    On PostgreSQL that SELECT locks nothing: B registers the case meanwhile, and A, resuming, must hit
    the unique (process_id, business_key) and get InvalidSubmission. On SQLite B waits for A's write
    transaction and then finds the number taken."""
    web_a, web_b = rig.engines[0], rig.engine()
    clerk = rig.actor("zhaoliu")
    data = {"case_no": "M-007", **CASE}
    gate = pause_after(monkeypatch, engine.spiff, "new_workflow", "A")  # A passed the duplicate check
    a = Contender("A", lambda: web_a.start(clerk, "mini", data))
    b = Contender("B", lambda: web_b.start(clerk, "mini", data))
    a.start()
    gate.wait_reached()
    b.start()
    if rig.is_postgres:
        assert isinstance(b.outcome(), int), b.outcome()
    else:
        rig.wait_blocked("B")
    gate.open()
    winner, loser = (b, a) if rig.is_postgres else (a, b)
    assert isinstance(winner.outcome(), int), winner.outcome()
    assert isinstance(loser.outcome(), InvalidSubmission), loser.outcome()
    with rig.engines[0].ctx.db.reading() as session:
        keys = list(session.scalars(select(ProcessInstance.business_key)))
    assert keys == ["M-007"]
    rig.verify_audit()


@pytest.mark.parametrize("holder", ["subject", "worker"])
def test_f1_reply_races_the_overdue_timer(rig: Rig, monkeypatch: pytest.MonkeyPatch, holder: str) -> None:
    """The person concerned answers while the worker fires the overdue timer: one of them wins."""
    web = rig.engines[0]
    instance_id = rig.case_at_reply(web, 1)
    reply = rig.reply_task(instance_id)
    subject = rig.actor("chuding")
    worker = rig.engine(at=LATER)

    gate = pause_after(monkeypatch, engine.runtime, "_load", holder)  # the holder stops with the lock held
    s = Contender("subject", lambda: web.complete(subject, reply, ANSWER))
    w = Contender("worker", worker.fire_due_timers)
    first, second = (s, w) if holder == "subject" else (w, s)
    first.start()
    gate.wait_reached()
    second.start()
    if holder == "subject" and rig.is_postgres:
        assert w.outcome() == [], "SKIP LOCKED: the worker passes a locked instance by without waiting"
    else:
        rig.wait_blocked(second.name)
    gate.open()

    if holder == "subject":
        assert s.outcome() == instance_id
        assert w.outcome() == []
        assert worker.fire_due_timers() == []
        assert rig.instance(instance_id).status == "completed"
        assert rig.tasks(instance_id, "escalate") == []
        assert rig.notifications(instance_id) == []
        assert "timers_fired" not in rig.audit_kinds(instance_id)
    else:
        assert isinstance(s.outcome(), Conflict)
        assert [f.instance_id for f in w.outcome()] == [instance_id]
        _assert_fired_once(rig, [instance_id])
    rig.verify_audit()


# --- F6: two workers (two processes: each its own Engine and clock) on the same due timers -------------
N_DUE = 20


def _due_cases(rig: Rig) -> list[int]:
    return [rig.case_at_reply(rig.engines[0], number) for number in range(1, N_DUE + 1)]


def _assert_fired_once(rig: Rig, instance_ids: list[int]) -> None:
    subject_id = rig.actor("chuding").id
    for instance_id in instance_ids:
        assert rig.audit_kinds(instance_id).count("timers_fired") == 1, instance_id
        assert rig.notifications(instance_id) == [(subject_id, "请于 2025-09-22 前答复")], instance_id
        assert [t.status for t in rig.tasks(instance_id, "escalate")] == ["ready"], instance_id
        assert [t.status for t in rig.tasks(instance_id, "reply")] == ["cancelled"], instance_id
        assert rig.instance(instance_id).next_timer_at is None
    rig.verify_audit()


def test_f6_two_workers_sweep_the_same_due_timers(rig: Rig) -> None:
    instance_ids = _due_cases(rig)
    workers = [rig.engine(at=LATER), rig.engine(at=LATER)]
    barrier = threading.Barrier(2)

    def sweep(index: int) -> list[int]:
        barrier.wait(TIMEOUT)
        return [f.instance_id for f in workers[index].fire_due_timers()]

    threads = [Contender(f"W{i + 1}", lambda i=i: sweep(i)) for i in range(2)]
    for t in threads:
        t.start()
    fired = [t.outcome() for t in threads]
    assert all(isinstance(f, list) for f in fired), fired
    assert sorted(fired[0] + fired[1]) == instance_ids  # every instance by exactly one worker
    _assert_fired_once(rig, instance_ids)
    assert workers[0].fire_due_timers() == [] and workers[1].fire_due_timers() == []


def test_f6_second_worker_passes_the_instance_the_first_one_holds(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    instance_ids = _due_cases(rig)
    w1, w2 = rig.engine(at=LATER), rig.engine(at=LATER)
    gate = pause_after(monkeypatch, engine.runtime, "_load", "W1")  # W1 holds the lock of its first instance
    t1 = Contender("W1", lambda: [f.instance_id for f in w1.fire_due_timers()])
    t2 = Contender("W2", lambda: [f.instance_id for f in w2.fire_due_timers()])
    t1.start()
    gate.wait_reached()
    t2.start()
    if rig.is_postgres:  # FOR UPDATE SKIP LOCKED: W2 sweeps everything else without waiting for W1
        swept_by_w2 = t2.outcome()
        assert isinstance(swept_by_w2, list) and len(swept_by_w2) == N_DUE - 1, swept_by_w2
    else:  # SQLite: one writer at a time; W2 waits for W1's commit, then finds that instance done
        rig.wait_blocked("W2")
    gate.open()
    fired_1, fired_2 = t1.outcome(), t2.outcome()
    held = fired_1[0]  # the instance W1 stopped on, fired by W1 once released
    assert held not in fired_2
    assert sorted(fired_1 + fired_2) == instance_ids
    _assert_fired_once(rig, instance_ids)


# --- F11: many writers, different instances ---------------------------------------------------------
def test_f11_ten_threads_complete_ten_instances_at_once(rig: Rig) -> None:
    web = rig.engines[0]  # one process, ten request threads
    instance_ids = [rig.start_case(web, number) for number in range(1, 11)]
    tasks = [rig.serve_task(i) for i in instance_ids]
    officer = rig.actor("qianqi")
    barrier = threading.Barrier(len(tasks))

    def complete(task: int) -> int:
        barrier.wait(TIMEOUT)
        return web.complete(officer, task, {"served_at": "2025-09-01"})

    threads = [Contender(f"T{n}", lambda task=task: complete(task)) for n, task in enumerate(tasks)]
    for t in threads:
        t.start()
    assert [t.outcome() for t in threads] == instance_ids
    for instance_id in instance_ids:
        assert rig.audit_kinds(instance_id) == ["instance_started", "task_completed"]
        assert [t.status for t in rig.tasks(instance_id, "reply")] == ["ready"]
    rig.verify_audit()


# --- the lock helper itself ------------------------------------------------------------------------
def test_lock_instance_returns_the_row_as_committed_not_as_cached(rig: Rig) -> None:
    """A row read earlier in the transaction must not hide what the lock sees (SpiffArena PR #189)."""
    web = rig.engines[0]
    instance_id = rig.start_case(web, 1)
    db = web.ctx.db
    with db.transaction() as session:
        cached = session.get(ProcessInstance, instance_id)
        assert cached is not None and cached.title != "changed"
        session.execute(  # stands for a writer that committed between the read and the lock
            text(
                "UPDATE process_instance SET title = 'changed', row_version = row_version + 1 WHERE id = :id"
            ),
            {"id": instance_id},
        )
        locked = db.lock_instance(session, instance_id)
        assert locked is not None
        assert (locked.title, locked.row_version) == ("changed", rig.instance(instance_id).row_version + 1)
        session.rollback()
