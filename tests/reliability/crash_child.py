"""Child process of test_crash.py: completes a task (or sweeps timers) and dies right before the commit.

Run as `python -m tests.reliability.crash_child '<json>'` from the project root. The JSON names the
database, the action ("complete" a task as a user with form data, or "sweep" due timers), the clock,
and how to die: "exit" (os._exit(137), as the OOM killer or a segfault leaves it) or "sigkill"
(report, then wait for the parent's kill -9).
"""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import Engine, FrozenClock, Settings
from engine.db.models import AuditEvent, HumanTask


def main(args: dict[str, Any]) -> None:
    settings = Settings(
        database_url=args["url"],
        instance_dir=args["instance_dir"],
        workflows_dir=args["workflows_dir"],
        secret_key=args["secret_key"],
        audit_key=args["audit_key"],
    )
    engine = Engine(settings, clock=FrozenClock(datetime.fromisoformat(args["at"])))

    def die_instead_of_committing(session: Session) -> None:
        # Everything is written but not committed: show the parent what the doomed transaction holds.
        seen = {
            "audit_rows": session.scalar(select(func.count()).select_from(AuditEvent)),
            "task_status": session.scalar(select(HumanTask.status).where(HumanTask.id == args["task"])),
        }
        sys.stdout.write(json.dumps(seen) + "\n")
        sys.stdout.flush()
        if args["how"] == "exit":
            os._exit(137)
        sys.stdin.readline()  # the parent kills us while we wait here
        os._exit(3)  # stdin closed without a kill: the parent's test fails on this code

    if args["action"] == "complete":
        actor = engine.actor_by_name(args["user"])
        Session.commit = die_instead_of_committing  # type: ignore[method-assign]
        engine.complete(actor, args["task"], args["data"])  # type: ignore[arg-type]
    else:
        Session.commit = die_instead_of_committing  # type: ignore[method-assign]
        engine.fire_due_timers()
    os._exit(2)  # never reached: the commit above does not return


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
