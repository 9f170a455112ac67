"""Interventions on a whole case: 中止 and 恢复 (its timers and deadlines stop, and keep their remaining
working days), 作废 (cancelled with a reason, never deleted; its documents void, their numbers never
given again), 重试 (a case an incident stopped, run again after its data is corrected)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import spiff
from ..clock import CHINA_TZ, local_today
from ..context import EngineContext
from ..db.models import Document, HumanTask, Incident, ProcessInstance
from ..db.oversight import DocumentVoid, Intervention
from ..errors import Conflict, ProcessFailed, Refused
from ..notices import holders
from ..records import Actor
from ..runtime import incident_for
from ..spiff.timers import correct_data, move_timer, set_data, timers
from .common import Done, change, notify, permitted, reason_of, record, workflow

FORBIDDEN_KEYS = ("typename", "reporter", "started_by", "triggered_by")


def _open_rows(session: Session, instance_id: int, status: str) -> list[HumanTask]:
    query = select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.status == status)
    return list(session.scalars(query.order_by(HumanTask.id)))


def _tell(
    ctx: EngineContext, session: Session, instance: ProcessInstance, rows: list[HumanTask], text: str
) -> None:
    for row in rows:
        notify(session, instance.id, holders(session, row), text, ctx.clock.now(), row.id)


def _working_day(ctx: EngineContext, day: Any) -> Any:
    """The day itself if it is a working day, else the next one (0 working days left on a Saturday)."""
    while not ctx.calendar.is_working_day(day):
        day += timedelta(days=1)
    return day


def suspend(ctx: EngineContext, actor: Actor, instance_id: int, reason: Any) -> Done:
    why = reason_of(reason)
    with ctx.db.transaction() as session:
        instance = permitted(ctx, session, actor, "suspend", instance_id)
        if instance.status != "running":
            raise Conflict("只有办理中的案件可以中止")
        today = local_today(ctx.clock)
        wf = workflow(ctx, session, instance)

        def left(day: Any) -> int:
            return ctx.calendar.working_days_between(today, day)

        kept = {
            "timers": [
                {
                    "guid": t.guid,
                    "name": t.name,
                    "left": left(t.due.astimezone(CHINA_TZ).date()),
                    "time": t.due.astimezone(CHINA_TZ).timetz().isoformat(),
                }
                for t in timers(wf)
            ],
            "tasks": {
                str(r.id): left(r.due_date) for r in _open_rows(session, instance.id, "ready") if r.due_date
            },
        }
        rows = _open_rows(session, instance.id, "ready")
        for row in rows:
            row.status = "suspended"
        instance.status, instance.next_timer_at, instance.updated_at = "suspended", None, ctx.clock.now()
        _tell(ctx, session, instance, rows, f"【中止】{instance.title} 已中止办理：{why}")
        return record(ctx, session, actor, instance, "suspend", why, kept)


def resume(ctx: EngineContext, actor: Actor, instance_id: int, reason: Any) -> Done:
    why = reason_of(reason)
    with ctx.db.transaction() as session:
        instance = permitted(ctx, session, actor, "resume", instance_id)
        if instance.status != "suspended":
            raise Conflict("只有已中止的案件可以恢复")
        kept = session.scalars(
            select(Intervention.details)
            .where(Intervention.instance_id == instance.id, Intervention.kind == "suspend")
            .order_by(Intervention.id.desc())
        ).first() or {"timers": [], "tasks": {}}
        today = local_today(ctx.clock)
        wf = workflow(ctx, session, instance)
        rows = _open_rows(session, instance.id, "suspended")
        dues = {}
        for row in rows:
            row.status = "ready"
            if str(row.id) in kept["tasks"]:
                row.due_date = _working_day(
                    ctx, ctx.calendar.add_working_days(today, kept["tasks"][str(row.id)]).due
                )
                row.due_provisional = ctx.calendar.is_provisional(row.due_date)
                dues[row.task_guid] = row.due_date
        vars_of = {t.guid: t.properties.get("dueDateVariable") for t in spiff.ready_user_tasks(wf)}
        moved = []

        def act() -> None:
            for t in kept["timers"]:
                day = ctx.calendar.add_working_days(today, t["left"]).due
                at = datetime.combine(day, datetime.strptime(t["time"][:8], "%H:%M:%S").time(), CHINA_TZ)
                move_timer(wf, t["guid"], at)
                moved.append({"name": t["name"], "new": at.isoformat()})
            for guid, due in dues.items():
                if vars_of.get(guid):
                    set_data(wf, guid, {vars_of[guid]: due.isoformat()})

        instance.status = "running"
        details = {"timers": moved, "tasks": {k: v.isoformat() for k, v in dues.items()}}
        change(ctx, session, actor, instance, wf, "resume", (why, details, None), act)
        _tell(ctx, session, instance, rows, f"【恢复】{instance.title} 已恢复办理，期限按剩余工作日顺延。")
        return record(ctx, session, actor, instance, "resume", why, details, audited=True)


def cancel(ctx: EngineContext, actor: Actor, instance_id: int, reason: Any) -> Done:
    why = reason_of(reason)
    with ctx.db.transaction() as session:
        instance = permitted(ctx, session, actor, "cancel", instance_id)
        if instance.status == "cancelled":
            raise Conflict("案件已作废")
        if instance.status == "completed":
            raise Conflict("已办结的案件不能作废")
        now = ctx.clock.now()
        rows = [*_open_rows(session, instance.id, "ready"), *_open_rows(session, instance.id, "suspended")]
        for row in rows:
            row.status, row.completed_at = "cancelled", now
        instance.status, instance.ended_at, instance.next_timer_at, instance.updated_at = (
            "cancelled",
            now,
            None,
            now,
        )
        voided = []
        for doc in session.scalars(
            select(Document).where(Document.instance_id == instance.id).order_by(Document.id)
        ):
            if session.get(DocumentVoid, doc.id) is None:
                session.add(DocumentVoid(document_id=doc.id, at=now, by=actor.username, reason=why))
                voided.append(doc.number)
        for incident in session.scalars(
            select(Incident).where(Incident.instance_id == instance.id, Incident.resolved_at.is_(None))
        ):
            incident.resolved_at, incident.resolved_by, incident.resolution = (
                now,
                actor.username,
                f"案件作废：{why}",
            )
        _tell(ctx, session, instance, rows, f"【作废】{instance.title} 已作废：{why}")
        return record(ctx, session, actor, instance, "cancel", why, {"voided": voided})


def _corrections(data: Any) -> dict[str, Any]:
    if data in (None, ""):
        return {}
    if not isinstance(data, dict):
        raise Refused("更正的数据必须是“字段: 值”的对象")
    bad = [
        k for k in data if not isinstance(k, str) or k.startswith("_") or any(w in k for w in FORBIDDEN_KEYS)
    ]
    if bad:
        raise Refused(f"这些字段不能更正：{'、'.join(map(str, bad))}")
    return dict(data)


def retry(ctx: EngineContext, actor: Actor, instance_id: int, reason: Any, data: Any = None) -> Done:
    """Correct the case's data (optional) and run it again: due timers fire, scripts rerun. If it fails
    again, nothing is kept and a new incident is recorded (ProcessFailed, 422)."""
    why, changes = reason_of(reason), _corrections(data)
    try:
        with ctx.db.transaction() as session:
            instance = permitted(ctx, session, actor, "retry", instance_id)
            incidents = list(
                session.scalars(
                    select(Incident).where(
                        Incident.instance_id == instance.id, Incident.resolved_at.is_(None)
                    )
                )
            )
            if not incidents:
                raise Conflict("此案件没有待处理的运行异常")
            if instance.status != "running":
                raise Conflict("只有办理中的案件可以重试")
            wf = workflow(ctx, session, instance)
            details = {"corrected": sorted(changes), "incidents": [i.id for i in incidents]}
            act = (lambda: correct_data(wf, changes)) if changes else None
            change(ctx, session, actor, instance, wf, "retry", (why, details, None), act)
            for incident in incidents:
                incident.resolved_at, incident.resolved_by, incident.resolution = (
                    ctx.clock.now(),
                    actor.username,
                    why,
                )
            return record(ctx, session, actor, instance, "retry", why, details, audited=True)
    except ProcessFailed as exc:
        raise incident_for(ctx, instance_id, "retry", exc) from exc
