"""The timer worker: finds instances whose earliest timer is due and fires them, safely in parallel."""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from sqlalchemy import select

from . import runtime
from .context import EngineContext
from .db.models import ProcessInstance
from .errors import ProcessFailed
from .records import FiredTimers

log = logging.getLogger(__name__)
BATCH = 100


def due_instance_ids(ctx: EngineContext, now: datetime, limit: int = BATCH) -> list[int]:
    with ctx.db.reading() as session:
        return list(
            session.scalars(
                select(ProcessInstance.id)
                .where(ProcessInstance.status == "running", ProcessInstance.next_timer_at <= now)
                .order_by(ProcessInstance.next_timer_at)
                .limit(limit)
            )
        )


def sweep(ctx: EngineContext) -> list[FiredTimers]:
    """Fire everything due by the engine clock; each instance in its own transaction."""
    fired: list[FiredTimers] = []
    seen: set[int] = set()
    while True:
        ids = [i for i in due_instance_ids(ctx, ctx.clock.now()) if i not in seen]
        if not ids:
            return fired
        for instance_id in ids:
            seen.add(instance_id)
            try:
                steps = runtime.fire_timers(ctx, instance_id, skip_locked=True)
            except ProcessFailed as exc:
                log.error("instance %s: timers failed (incident %s): %s", instance_id, exc.incident_id, exc)
                continue
            if steps is not None:
                with ctx.db.reading() as session:
                    inst = session.get(ProcessInstance, instance_id)
                    title = inst.title if inst else ""
                fired.append(FiredTimers(instance_id, title, tuple(steps)))


def run_forever(ctx: EngineContext, stop: threading.Event) -> None:
    """Sweep every `worker_interval` seconds until `stop` is set."""
    while not stop.is_set():
        try:
            for item in sweep(ctx):
                log.info("instance %s: %s", item.instance_id, ", ".join(item.fired))
        except Exception:  # a worker must outlive a bad sweep (e.g. database restarting)
            log.exception("timer sweep failed")
        stop.wait(ctx.settings.worker_interval)
