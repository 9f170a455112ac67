"""F3: the process dies between the engine step and the commit (kill -9, OOM, segfault).

A child process (a fresh interpreter: no inherited connections) opens the same database, completes a
task or sweeps timers, and dies inside `Session.commit` after everything was flushed. The parent then
finds the last committed wait state: instance JSON, human_task rows, audit chain, notifications and
participants unchanged, the chain verifying, and the action can be done again normally.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import AUDIT_KEY, SESSION_KEY
from tests.reliability.support import T0, TIMEOUT, Rig

ROOT = Path(__file__).resolve().parents[2]
LATER = T0.replace(month=11)  # two months on: the reminder and the overdue deadline have both passed
EXIT_CODE = {"exit": 137, "sigkill": -signal.SIGKILL}


def _crash(rig: Rig, how: str, **action: Any) -> dict[str, Any]:
    """Run the child until it dies at the commit; return what its doomed transaction had written."""
    args = {
        "url": rig.url,
        "instance_dir": str(rig.tmp / "instance"),
        "workflows_dir": str(rig.workflows),
        "secret_key": SESSION_KEY,
        "audit_key": AUDIT_KEY,
        "how": how,
        "at": action.pop("at", T0).isoformat(),
        **action,
    }
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.crash_child", json.dumps(args)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        ready, _, _ = select.select([child.stdout], [], [], TIMEOUT)
        assert ready, "child never reached the commit"
        line = child.stdout.readline()  # type: ignore[union-attr]
        if how == "sigkill":
            os.kill(child.pid, signal.SIGKILL)
        _, err = child.communicate(timeout=TIMEOUT)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == EXIT_CODE[how], err
    assert line, err
    return dict(json.loads(line))


@pytest.mark.parametrize("how", ["exit", "sigkill"])
def test_f3_crash_before_commit_of_a_completion(rig: Rig, how: str) -> None:
    web = rig.engines[0]
    instance_id = rig.start_case(web, 1)
    task = rig.serve_task(instance_id)
    before = rig.snapshot(instance_id)

    doomed = _crash(rig, how, action="complete", task=task, user="qianqi", data={"served_at": "2025-09-01"})
    assert doomed == {"audit_rows": len(before["audit"]) + 1, "task_status": "completed"}

    assert rig.snapshot(instance_id) == before
    rig.verify_audit()
    assert web.complete(rig.actor("qianqi"), task, {"served_at": "2025-09-01"}) == instance_id
    assert rig.audit_kinds(instance_id) == ["instance_started", "task_completed"]
    assert [t.status for t in rig.tasks(instance_id, "reply")] == ["ready"]
    rig.verify_audit()


def test_f3_worker_crash_before_commit_of_fired_timers(rig: Rig) -> None:
    web = rig.engines[0]
    instance_id = rig.case_at_reply(web, 1)
    before = rig.snapshot(instance_id)

    doomed = _crash(rig, "exit", action="sweep", at=LATER, task=rig.reply_task(instance_id))
    assert doomed == {"audit_rows": len(before["audit"]) + 1, "task_status": "cancelled"}

    assert rig.snapshot(instance_id) == before  # no reminder was sent, no escalation opened
    rig.verify_audit()
    worker = rig.engine(at=LATER)  # the restarted worker fires the timers, once
    assert [f.instance_id for f in worker.fire_due_timers()] == [instance_id]
    assert worker.fire_due_timers() == []
    assert len(rig.notifications(instance_id)) == 1
    assert [t.status for t in rig.tasks(instance_id, "escalate")] == ["ready"]
    assert rig.audit_kinds(instance_id).count("timers_fired") == 1
    rig.verify_audit()
