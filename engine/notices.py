"""Everyone's notification centre (issue 8): notices of a new step, of a deadline three working days
ahead, of a deadline passed, of 催办 and other interventions on their work, and the process's own
notify() calls. Each person reads theirs, sees how many are unread, and marks them read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .access import eligible_user_ids, instance_visible, task_actionable
from .clock import local_today
from .context import EngineContext
from .db.models import HumanTask, InstanceRecusal, Notification, ProcessInstance
from .records import Actor
from .roles import RoleBook

KINDS = {
    "notice": "流程通知",
    "new_task": "新待办",
    "due_soon": "即将到期",
    "overdue": "已逾期",
    "intervention": "督办",
    "case_due_soon": "案件即将到期",
    "case_overdue": "案件已超期",
}
SOON = 3  # working days before a due date when its holders are told
PAGE = 100


@dataclass(frozen=True)
class NoticeView:
    id: int
    instance_id: int
    task_id: int | None
    kind: str
    text: str
    created_at: datetime
    read: bool
    opens: str = ""  # what following it opens for this person: "task" (his open step), "case" or nothing


def deliver(
    session: Session,
    instance_id: int,
    user_ids: list[int],
    kind: str,
    text: str,
    at: datetime,
    task_id: int | None = None,
    lane: str = "",
    due: date | None = None,
) -> None:
    """One notice to each of these people (once each); `due`: the deadline it is about."""
    for uid in dict.fromkeys(user_ids):
        session.add(
            Notification(
                instance_id=instance_id,
                user_id=uid,
                lane=lane,
                text=text,
                created_at=at,
                kind=kind,
                task_id=task_id,
                due_date=due,
            )
        )


def holders(session: Session, row: HumanTask) -> list[int]:
    """Who holds an open step: its assignee, or everyone who may act on it; never someone recused."""
    if row.assignee_id == -1:
        return []  # the step names a person not known yet: nobody holds it
    ids = [row.assignee_id] if row.assignee_id else eligible_user_ids(session, row.role, row.unit_id, None)
    recused = set(
        session.scalars(select(InstanceRecusal.user_id).where(InstanceRecusal.instance_id == row.instance_id))
    )
    return [uid for uid in ids if uid not in recused]


def deadline_sweep(ctx: EngineContext) -> int:
    """Tell the holders of every open step due within three working days, or overdue, once per step,
    deadline and kind (a deadline moved by 延期 or 恢复 is told of again); returns how many notices
    were sent. Run by the worker beside the timers."""
    today = local_today(ctx.clock)
    soon = ctx.calendar.add_working_days(today, SOON).due
    kind = case((HumanTask.due_date < today, "overdue"), else_="due_soon")
    told = exists().where(
        Notification.task_id == HumanTask.id,
        Notification.kind == kind,
        Notification.due_date == HumanTask.due_date,
    )
    sent = 0
    with ctx.db.transaction() as session:
        rows = session.execute(
            select(HumanTask, ProcessInstance.title)
            .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
            .where(HumanTask.status == "ready", HumanTask.due_date <= soon, ~told)
        ).all()
        for row, title in rows:
            late = row.due_date < today
            text = (
                f"【已逾期】{title}：“{row.title}”期限为{row.due_date}，已逾期"
                if late
                else f"【即将到期】{title}：“{row.title}”应于{row.due_date}前办理"
            )
            for uid in holders(session, row):
                try:
                    with session.begin_nested():  # another worker may have told them a moment ago
                        deliver(
                            session,
                            row.instance_id,
                            [uid],
                            "overdue" if late else "due_soon",
                            text,
                            ctx.clock.now(),
                            row.id,
                            due=row.due_date,
                        )
                except IntegrityError:
                    continue
                sent += 1
    return sent


def notices_of(
    session: Session, actor: Actor, roles: RoleBook, unread_only: bool = False, limit: int = PAGE
) -> list[NoticeView]:
    query = select(Notification).where(Notification.user_id == actor.id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    rows = list(session.scalars(query.order_by(Notification.id.desc()).limit(limit)))
    if not rows:
        return []
    tasks = {n.task_id for n in rows if n.task_id}
    open_steps = (
        set(session.scalars(select(HumanTask.id).where(HumanTask.id.in_(tasks), task_actionable(actor))))
        if tasks
        else set()
    )
    cases = set(
        session.scalars(
            select(ProcessInstance.id).where(
                ProcessInstance.id.in_({n.instance_id for n in rows}), instance_visible(actor, roles)
            )
        )
    )
    return [
        NoticeView(
            n.id,
            n.instance_id,
            n.task_id,
            n.kind,
            n.text,
            n.created_at,
            n.read_at is not None,
            "task" if n.task_id in open_steps else "case" if n.instance_id in cases else "",
        )
        for n in rows
    ]


def unread_count(session: Session, actor: Actor) -> int:
    return int(
        session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == actor.id, Notification.read_at.is_(None)
            )
        )
        or 0
    )


def clear(session: Session, task_ids: list[int], at: datetime) -> None:
    """A step done (or cancelled): the notices pointing at it (new step, due soon, overdue, 催办) are
    read for everyone, so nobody's list keeps asking for work that is finished (issue 10 #6)."""
    if task_ids:
        session.execute(
            update(Notification)
            .where(Notification.task_id.in_(task_ids), Notification.read_at.is_(None))
            .values(read_at=at)
        )


def mark_read(session: Session, actor: Actor, ids: list[int] | None, at: datetime) -> int:
    """Mark the actor's own notices read (all of them when `ids` is None); returns how many changed."""
    query = update(Notification).where(Notification.user_id == actor.id, Notification.read_at.is_(None))
    if ids is not None:
        query = query.where(Notification.id.in_(ids))
    return int(session.execute(query.values(read_at=at)).rowcount or 0)  # type: ignore[attr-defined]


class NoticeCentre:
    """Built by the Engine (`engine.notices`): each person's notices, and the deadline sweep."""

    def __init__(self, ctx: EngineContext):
        self.ctx = ctx

    def of(self, actor: Actor, unread_only: bool = False, limit: int = PAGE) -> list[NoticeView]:
        """The person's notices, newest first."""
        with self.ctx.db.reading() as session:
            return notices_of(session, actor, self.ctx.roles, unread_only, limit)

    def unread(self, actor: Actor) -> int:
        with self.ctx.db.reading() as session:
            return unread_count(session, actor)

    def mark_read(self, actor: Actor, ids: list[int] | None = None) -> int:
        """Mark the person's notices read: these ids, or all when None."""
        with self.ctx.db.transaction() as session:
            return mark_read(session, actor, ids, self.ctx.clock.now())

    def sweep_deadlines(self) -> int:
        """Tell holders of steps due within three working days or overdue (once each)."""
        return deadline_sweep(self.ctx)
