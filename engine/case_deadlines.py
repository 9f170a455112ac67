"""Deadlines of a whole case, watched while it runs (workflows/statistics.toml `[watch.<fact kind>]`): a
上级交办件 must be concluded within three months of receipt (D9) — not a step's deadline but the case's. The
worker tells the roles a watch names, once per case, deadline and stage: some working days before it falls
due, and again when it has passed while the case is still open, so an extension is approved in time."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from .access import eligible_user_ids
from .clock import local_today
from .context import EngineContext
from .db.models import Notification, ProcessInstance
from .db.oversight import CaseFact
from .notices import deliver

SOON_KIND, LATE_KIND = "case_due_soon", "case_overdue"


def sweep(ctx: EngineContext) -> int:
    """Tell of every watched case deadline near or past; returns how many notices were sent."""
    today = local_today(ctx.clock)
    sent = 0
    with ctx.db.transaction() as session:
        for watch in ctx.facts.watches:
            horizon = ctx.calendar.add_working_days(today, watch.before_wd).due
            people = {uid for role in watch.tell for uid in eligible_user_ids(session, role, None, None)}
            rows = session.execute(
                select(CaseFact.instance_id, CaseFact.due, ProcessInstance.title)
                .join(ProcessInstance, ProcessInstance.id == CaseFact.instance_id)
                .where(
                    CaseFact.kind == watch.kind,
                    CaseFact.done_at.is_(None),
                    CaseFact.due.is_not(None),
                    CaseFact.due <= horizon,
                    ProcessInstance.status == "running",
                )
            ).all()
            for instance_id, due, title in rows:
                late = due < today
                text = (watch.late if late else watch.soon).format(title=title, due=due.isoformat())
                kind = LATE_KIND if late else SOON_KIND
                sent += _tell(ctx, session, people, instance_id, due, kind, text)
    return sent


def _tell(
    ctx: EngineContext, session: Session, people: set[int], instance_id: int, due: date, kind: str, text: str
) -> int:
    """Those of `people` not yet told of this case's deadline at this stage."""
    told = set(
        session.scalars(
            select(Notification.user_id).where(
                Notification.instance_id == instance_id,
                Notification.kind == kind,
                Notification.due_date == due,
                Notification.task_id.is_(None),
            )
        )
    )
    new = sorted(people - told)
    deliver(session, instance_id, new, kind, text, ctx.clock.now(), due=due)
    return len(new)
