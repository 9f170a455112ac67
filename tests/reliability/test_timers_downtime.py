"""F5 (and F23): timers that fell due while nothing was running.

"Down" is an Engine closed at T0; "restart" is a new Engine whose FrozenClock stands two months later:
the reply task's reminder (3 working days before the deadline) and its interrupting overdue timer
(end of the deadline day) are both long past. No sleeping: only the injected clocks move.
"""

from __future__ import annotations

from datetime import datetime

import pytest

import engine.spiff
import engine.worker
from engine import CHINA_TZ, ProcessFailed
from engine.db.models import Incident
from tests.reliability.support import T0, Rig

LATER = datetime(2025, 11, 1, 9, 0, tzinfo=CHINA_TZ)  # two months on
AFTER_REMINDER = datetime(2025, 9, 17, 10, 0, tzinfo=CHINA_TZ)  # reminder due 09-17 00:00, deadline 09-22
ANSWER = {"admits": False, "reply_text": "已作说明"}
REMINDER = "请于 2025-09-22 前答复"


def _assert_nothing_fires(rig: Rig, instance_id: int) -> None:
    for at in (LATER, LATER.replace(year=2026)):
        worker = rig.engine(at=at)
        assert worker.fire_due_timers() == []
        assert worker.fire_due_timers() == []
    assert rig.tasks(instance_id, "escalate") == []


def test_f5_timers_due_while_down_fire_once_after_restart(rig: Rig) -> None:
    before_downtime = rig.engine(at=T0)
    instance_id = rig.case_at_reply(before_downtime, 1)
    before_downtime.close()

    restarted = rig.engine(at=LATER)
    fired = restarted.fire_due_timers()
    assert [f.instance_id for f in fired] == [instance_id]
    assert {"到期前提醒", "逾期", "发送提醒"} <= set(fired[0].fired)
    assert restarted.fire_due_timers() == []  # second sweep of the same process
    assert rig.engine(at=LATER).fire_due_timers() == []  # and of another process started after it

    assert rig.notifications(instance_id) == [(rig.actor("chuding").id, REMINDER)]
    assert [(t.status, t.role) for t in rig.tasks(instance_id, "escalate")] == [("ready", "FG")]
    assert [t.status for t in rig.tasks(instance_id, "reply")] == ["cancelled"]
    assert rig.audit_kinds(instance_id).count("timers_fired") == 1
    assert rig.instance(instance_id).next_timer_at is None
    rig.verify_audit()


def test_f5_boundary_timers_of_a_completed_task_never_fire(rig: Rig) -> None:
    web = rig.engines[0]
    instance_id = rig.case_at_reply(web, 1)
    assert web.complete(rig.actor("chuding"), rig.reply_task(instance_id), ANSWER) == instance_id
    assert rig.instance(instance_id).status == "completed"

    _assert_nothing_fires(rig, instance_id)
    assert rig.notifications(instance_id) == []
    assert "timers_fired" not in rig.audit_kinds(instance_id)
    assert rig.instance(instance_id).next_timer_at is None
    rig.verify_audit()


def test_f5_overdue_timer_of_a_task_answered_after_the_reminder_never_fires(rig: Rig) -> None:
    web = rig.engines[0]
    instance_id = rig.case_at_reply(web, 1)
    assert [f.instance_id for f in rig.engine(at=AFTER_REMINDER).fire_due_timers()] == [instance_id]
    assert [t.status for t in rig.tasks(instance_id, "reply")] == ["ready"]  # reminder does not interrupt

    web.clock.set(AFTER_REMINDER)  # type: ignore[attr-defined]
    assert web.complete(rig.actor("chuding"), rig.reply_task(instance_id), ANSWER) == instance_id

    _assert_nothing_fires(rig, instance_id)
    assert rig.notifications(instance_id) == [(rig.actor("chuding").id, REMINDER)]
    assert rig.audit_kinds(instance_id).count("timers_fired") == 1
    assert rig.instance(instance_id).status == "completed"
    rig.verify_audit()


def test_f5_sweep_reaches_due_instances_behind_failing_ones(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After downtime a full page of instances whose timer path fails (incidents) must not hide the
    due instances behind them; before the fix the sweep stopped at the first page of failures."""
    web = rig.engines[0]
    broken = [rig.case_at_reply(web, n, served_at="2025-09-01") for n in (1, 2, 3)]  # due first
    healthy = [rig.case_at_reply(web, n, served_at="2025-09-05") for n in (4, 5, 6)]
    monkeypatch.setattr(engine.worker, "BATCH", len(broken))
    worker = rig.engine(at=LATER)
    assert engine.worker.due_instance_ids(worker.ctx, LATER) == broken  # the first page: all failing
    real_run = engine.spiff.run

    def run(wf, budget, on_task):  # type: ignore[no-untyped-def]
        if engine.spiff.current_data(wf).get("case_no") in {f"M-00{n}" for n in (1, 2, 3)}:
            raise ProcessFailed("步骤「发送提醒」执行出错：injected")
        return real_run(wf, budget, on_task)

    monkeypatch.setattr(engine.spiff, "run", run)
    assert [f.instance_id for f in worker.fire_due_timers()] == healthy
    assert rig.count(Incident) == len(broken)
    for instance_id in broken:
        assert rig.instance(instance_id).status == "running"  # rolled back to the last wait state
        assert rig.instance(instance_id).next_timer_at is None  # parked until an officer acts on it
        assert "timers_fired" not in rig.audit_kinds(instance_id)
    assert worker.fire_due_timers() == []  # the healthy ones fired once…
    assert rig.count(Incident) == len(broken)  # …and the failing ones are not retried every sweep
    rig.verify_audit()
