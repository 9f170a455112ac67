"""Interventions on one open step: 催办 (a numbered 催办单 and a notice to whoever holds it), 转办 (to
another person who may do it), 延期 (a new due date in working days; the old one is kept, the timers
watching the step move with it)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import documents
from ..clock import CHINA_TZ, local_today
from ..context import EngineContext
from ..db.models import HumanTask, ProcessInstance, Unit, User, UserRole
from ..errors import Conflict, Refused
from ..notices import holders
from ..pdf_rendering import issue_document
from ..projection import add_participants
from ..records import Actor
from ..spiff.timers import move_timer, set_data, timers_of
from .common import (
    NAMES,
    Done,
    change,
    day_of,
    due_variable,
    is_recused,
    names,
    notify,
    open_task,
    permitted,
    permitted_read,
    reason_of,
    record,
    workflow,
)

RESPOND_WITHIN = 3  # working days the holder has to report back on a 催办单


def _ready(
    session: Session, ctx: EngineContext, actor: Actor, kind: str, task_id: int
) -> tuple[HumanTask, ProcessInstance]:
    row = open_task(session, task_id)
    instance = permitted(ctx, session, actor, kind, row.instance_id)
    session.refresh(row)
    if row.status != "ready" or instance.status != "running":
        raise Conflict("该事项已办结或案件已中止，无需" + NAMES[kind])
    return row, instance


def remind_case(ctx: EngineContext, actor: Actor, instance_id: int, reason: Any) -> list[Done]:
    """催办 every open step of a case (one 催办单 each); Conflict when nothing is open."""
    reason_of(reason)
    with ctx.db.reading() as session:
        permitted_read(ctx, session, actor, "remind", instance_id)
        ids = list(
            session.scalars(
                select(HumanTask.id).where(HumanTask.instance_id == instance_id, HumanTask.status == "ready")
            )
        )
    if not ids:
        raise Conflict("此案件没有待办事项，无需催办")
    return [remind(ctx, actor, task_id, reason) for task_id in ids]


def remind(ctx: EngineContext, actor: Actor, task_id: int, reason: Any) -> Done:
    why = reason_of(reason)
    with ctx.db.transaction() as session:
        row, instance = _ready(session, ctx, actor, "remind", task_id)
        today = local_today(ctx.clock)
        people = holders(session, row)
        left = ctx.calendar.working_days_between(today, row.due_date) if row.due_date else None
        office = session.get(Unit, actor.unit_id or "")
        role = ctx.roles.roles.get(row.role)
        doc = issue_document(
            ctx,
            session,
            instance_id=instance.id,
            kind="ajcbd",
            fields={
                "assignee_name": names(session, people) or (role.zh if role else row.lane),
                "case_title": instance.title,
                "step": row.title,
                "due_text": documents.chinese_date(row.due_date) if row.due_date else "未设期限",
                "state_text": "目前尚未办结" if left is None or left >= 0 else f"已逾期{-left}个工作日",
                "reason": why,
                "respond_by": ctx.calendar.add_working_days(today, RESPOND_WITHIN).due.isoformat(),
                "office_name": office.name if office else "办公室",
            },
            at=ctx.clock.now(),
            by=actor.username,
            by_user_id=instance.started_by,
        )
        text = f"【催办】{instance.title}：“{row.title}”，{why}（{doc.number}）"
        notify(session, instance.id, people, text, ctx.clock.now(), row.id)
        details = {"document": doc.number, "to": names(session, people)}
        return record(ctx, session, actor, instance, "remind", why, details, row)


def _personal(ctx: EngineContext, row: HumanTask) -> bool:
    """A step only its own person may do (the person concerned's reply): never reassigned."""
    role = ctx.roles.roles.get(row.role)
    return bool(role and role.external and role.scope == "person")


def candidates(ctx: EngineContext, actor: Actor, task_id: int) -> list[tuple[str, str]]:
    """(username, name) of everyone a step may be reassigned to: its role and unit, not recused, not
    the person holding it now; nobody for a step only its own person may do."""
    with ctx.db.reading() as session:
        row = open_task(session, task_id)
        instance = permitted_read(ctx, session, actor, "reassign", row.instance_id)
        if _personal(ctx, row):
            return []
        query = (
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == row.role, User.active.is_(True))
        )
        if row.unit_id:
            query = query.where(User.unit_id == row.unit_id)
        return [
            (u.username, u.display_name)
            for u in session.scalars(query.order_by(User.username))
            if u.id != row.assignee_id and not is_recused(session, u.id, instance)
        ]


def _eligible(
    session: Session, ctx: EngineContext, row: HumanTask, instance: ProcessInstance, username: str
) -> User:
    if _personal(ctx, row):
        raise Refused("此事项须由本人办理，不能转办")
    user = session.scalar(select(User).where(User.username == str(username or ""), User.active.is_(True)))
    if user is None:
        raise Refused("查无此人，请填写转办对象的用户名")
    holds = session.get(UserRole, (user.id, row.role)) is not None
    role = ctx.roles.roles.get(row.role)
    if not holds or (row.unit_id and user.unit_id != row.unit_id):
        raise Refused(f"{user.display_name}不能办理此事项（须为{role.zh if role else row.role}）")
    if is_recused(session, user.id, instance):
        raise Refused(f"{user.display_name}须回避此案件，不能转办给其办理")
    if row.assignee_id == user.id:
        raise Refused(f"此事项已由{user.display_name}办理")
    return user


def reassign(ctx: EngineContext, actor: Actor, task_id: int, to: Any, reason: Any) -> Done:
    why = reason_of(reason)
    with ctx.db.transaction() as session:
        row, instance = _ready(session, ctx, actor, "reassign", task_id)
        user = _eligible(session, ctx, row, instance, to)
        before = holders(session, row)
        role = ctx.roles.roles.get(row.role)
        details = {"from": names(session, before), "to": user.display_name, "to_username": user.username}
        audited = bool(role and role.person_var)
        if role and role.person_var:  # the later steps of that role follow the new person too
            wf = workflow(ctx, session, instance)
            act = lambda: set_data(wf, row.task_guid, {role.person_var: user.username})  # noqa: E731
            change(ctx, session, actor, instance, wf, "reassign", (why, details, row), act)
        row.assignee_id = user.id
        add_participants(session, instance.id, [user.id], "external" if role and role.external else "staff")
        now = ctx.clock.now()
        notify(
            session,
            instance.id,
            [user.id],
            f"【转办】{instance.title}：“{row.title}”已转由您办理。{why}",
            now,
            row.id,
        )
        notify(
            session,
            instance.id,
            [u for u in before if u != user.id],
            f"【转办】{instance.title}：“{row.title}”已转由{user.display_name}办理。",
            now,
            row.id,
        )
        return record(ctx, session, actor, instance, "reassign", why, details, row, audited)


def _moved(ctx: EngineContext, at: datetime, shift: int) -> datetime:
    """A timer moved by `shift` working days, at the same local time of day."""
    local = at.astimezone(CHINA_TZ)
    day = ctx.calendar.add_working_days(local.date(), shift).due if shift else local.date()
    return datetime.combine(day, local.timetz())


def extend(
    ctx: EngineContext,
    actor: Actor,
    task_id: int,
    reason: Any,
    working_days: Any = None,
    due: Any = None,
    approved_by: Any = None,
) -> Done:
    why = reason_of(reason)
    with ctx.db.transaction() as session:
        row, instance = _ready(session, ctx, actor, "extend", task_id)
        if row.due_date is None:
            raise Refused("此事项没有办理期限，无需延期")
        old = row.due_date
        new = _new_due(ctx, old, working_days, due)
        shift = ctx.calendar.working_days_between(old, new)
        wf = workflow(ctx, session, instance)
        var = due_variable(wf, row.task_guid)
        moved = [(t.name, t.due, _moved(ctx, t.due, shift)) for t in timers_of(wf, row.task_guid)]

        def act() -> None:
            for timer, (_name, _old, when) in zip(timers_of(wf, row.task_guid), moved, strict=True):
                move_timer(wf, timer.guid, when)
            if var:
                set_data(wf, row.task_guid, {var: new.isoformat()})

        approver = str(approved_by or "").strip() or actor.display_name
        details = {
            "old_due": old.isoformat(),
            "new_due": new.isoformat(),
            "working_days": shift,
            "approved_by": approver,
            "timers": [{"name": n, "old": o.isoformat(), "new": w.isoformat()} for n, o, w in moved],
        }
        change(ctx, session, actor, instance, wf, "extend", (why, details, row), act)
        row.due_date, row.due_provisional = new, ctx.calendar.is_provisional(new)
        row.calendar_version = ctx.calendar.version
        text = f"【延期】{instance.title}：“{row.title}”期限由{old}延至{new}（{approver}批准）。"
        notify(session, instance.id, holders(session, row), text, ctx.clock.now(), row.id)
        return record(ctx, session, actor, instance, "extend", why, details, row, audited=True)


def _new_due(ctx: EngineContext, old: date, working_days: Any, due: Any) -> date:
    if due not in (None, ""):
        new = day_of(due, "新期限")
    else:
        try:
            days = int(working_days)
        except (TypeError, ValueError) as exc:
            raise Refused("请填写延长的工作日数或新的期限") from exc
        if days < 1:
            raise Refused("延长的工作日数至少为 1")
        new = ctx.calendar.add_working_days(old, days).due
    if new <= old:
        raise Refused(f"新期限须晚于原期限 {old}")
    if new < local_today(ctx.clock):
        raise Refused(f"新期限 {new} 已过，请给出今后的日期")
    if not ctx.calendar.is_working_day(new):
        raise Refused(f"新期限 {new} 不是工作日")
    return new
