"""The figures an operator watches (issue 11 #11), read from the database when asked — so every server
process and worker reports the same: open and overdue steps, the oldest timer still waiting to fire,
failed actions not yet dealt with."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from .clock import local_today
from .context import EngineContext
from .db.models import HumanTask, Incident, ProcessInstance


@dataclass(frozen=True)
class Gauges:
    open_tasks: int
    overdue_tasks: int
    timer_lag_seconds: float  # how long the most overdue timer has been due; 0 when none is
    open_incidents: int
    running_instances: int


def read(ctx: EngineContext) -> Gauges:
    now = ctx.clock.now()
    today = local_today(ctx.clock)
    with ctx.db.reading() as session:
        ready = select(func.count()).select_from(HumanTask).where(HumanTask.status == "ready")
        open_tasks = session.scalar(ready) or 0
        overdue = session.scalar(ready.where(HumanTask.due_date < today)) or 0
        oldest = session.scalar(
            select(func.min(ProcessInstance.next_timer_at)).where(ProcessInstance.status == "running")
        )
        incidents = session.scalar(
            select(func.count()).select_from(Incident).where(Incident.resolved_at.is_(None))
        )
        running = session.scalar(
            select(func.count()).select_from(ProcessInstance).where(ProcessInstance.status == "running")
        )
    lag = max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
    return Gauges(open_tasks, overdue, lag, incidents or 0, running or 0)
