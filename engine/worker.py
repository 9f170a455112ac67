"""The timer worker: finds instances whose earliest timer is due and fires them, safely in parallel."""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime

from sqlalchemy import and_, or_, select

from . import audit_anchor, case_deadlines, mailer, notices, pdf_rendering, runtime, upload_sweep
from .context import EngineContext
from .db.models import ProcessInstance
from .errors import ProcessFailed
from .records import FiredTimers

log = logging.getLogger(__name__)
BATCH = 100


def due_instance_ids(ctx: EngineContext, now: datetime, limit: int | None = None) -> list[int]:
    """The first `limit` (default BATCH) running instances with a timer due at `now`, earliest first."""
    return [instance_id for _at, instance_id in _due_page(ctx, now, None, limit or BATCH)]


def _due_page(
    ctx: EngineContext, now: datetime, after: tuple[datetime, int] | None, limit: int
) -> list[tuple[datetime, int]]:
    """(next_timer_at, id) of due instances in that order, strictly after the cursor `after`."""
    query = (
        select(ProcessInstance.next_timer_at, ProcessInstance.id)
        .where(ProcessInstance.status == "running", ProcessInstance.next_timer_at <= now)
        .order_by(ProcessInstance.next_timer_at, ProcessInstance.id)
        .limit(limit)
    )
    if after is not None:
        at, last_id = after
        query = query.where(
            or_(
                ProcessInstance.next_timer_at > at,
                and_(ProcessInstance.next_timer_at == at, ProcessInstance.id > last_id),
            )
        )
    with ctx.db.reading() as session:
        return [(at, instance_id) for at, instance_id in session.execute(query)]


def sweep(ctx: EngineContext) -> list[FiredTimers]:
    """Fire everything due by the engine clock; each instance in its own transaction.

    The due instances are walked with a cursor over (next_timer_at, id). Instances that stay due —
    their timers failed (incident), or another worker holds them (SKIP LOCKED) — are passed once per
    sweep and never hide the ones behind them, however many there are (a page of BATCH failing
    instances used to end the sweep with everything after them unfired).
    """
    fired: list[FiredTimers] = []
    seen: set[int] = set()  # at most one firing per instance and sweep
    after: tuple[datetime, int] | None = None
    while True:
        page = _due_page(ctx, ctx.clock.now(), after, BATCH)
        if not page:
            return fired
        after = page[-1]
        for _at, instance_id in page:
            if instance_id in seen:
                continue
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


NOTICE_EVERY = 60.0  # seconds between deadline-notice sweeps (deadlines are days; timers are moments)


def run_forever(ctx: EngineContext, stop: threading.Event) -> None:
    """Every `worker_interval` seconds until `stop` is set: fire due timers; every minute tell the
    holders of steps falling due or overdue, mail the notices when SMTP is configured, render PDFs a crash
    left behind and discard stale uploads of refused submissions. Each job
    outlives the others' failures (e.g. the database restarting, the mail server down)."""
    last_notices = 0.0
    try:
        upload_sweep.put_back_set_aside(ctx)  # after a worker killed in the middle of a removal
    except Exception:
        log.exception("setting aside discarded uploads failed")
    while not stop.is_set():
        try:
            for item in sweep(ctx):
                log.info("instance %s: %s", item.instance_id, ", ".join(item.fired))
        except Exception:
            log.exception("timer sweep failed")
        try:
            audit_anchor.export(ctx)  # the chain's head, kept outside the database
        except Exception:
            log.exception("audit anchor failed")
        if time.monotonic() - last_notices >= NOTICE_EVERY:
            last_notices = time.monotonic()
            for job in (
                notices.deadline_sweep,
                case_deadlines.sweep,
                pdf_rendering.render_left_over,
                mailer.send_pending,
                upload_sweep.sweep,
            ):
                try:
                    job(ctx)
                except Exception:
                    log.exception("%s failed", job.__name__)
        stop.wait(ctx.settings.worker_interval)
