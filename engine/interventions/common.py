"""What every intervention shares: who may make it on which case, its reason, and its record (an
intervention row, an audit event, and notices to the people whose work it touches)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import audit, spiff
from ..access import in_scope, instance_visible
from ..advance import advance
from ..context import EngineContext
from ..db.models import HumanTask, InstanceRecusal, ProcessInstance, User
from ..db.oversight import Intervention
from ..directory import recused_user_ids
from ..errors import NotFound, NotPermitted, Refused
from ..notices import deliver
from ..records import Actor

NAMES = {
    "remind": "催办",
    "reassign": "转办",
    "extend": "延期",
    "suspend": "中止",
    "resume": "恢复",
    "cancel": "作废",
    "retry": "重试",
    "void_document": "作废文书",
    "recalendar": "期限调整（工作日历变更）",
}
MAX_REASON = 500


@dataclass(frozen=True)
class Done:
    """What an intervention did, for the caller's message: its name, the case, and a sentence."""

    kind: str
    instance_id: int
    summary: str


def reason_of(reason: Any) -> str:
    """The reason, required for every intervention (it is the record's first line)."""
    text = str(reason or "").strip()
    if not text:
        raise Refused("请填写理由（reason is required）")
    if len(text) > MAX_REASON:
        raise Refused(f"理由不超过 {MAX_REASON} 字")
    return text


def day_of(value: Any, what: str = "日期") -> date:
    """A date given as a date or as YYYY-MM-DD; Refused, naming `what`, otherwise."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise Refused(f"{what}的格式应为 YYYY-MM-DD") from exc


def due_variable(wf: Any, guid: str) -> str | None:
    """The data name a READY step takes its deadline from (its `dueDateVariable`), if any."""
    ready = spiff.ready_user_task(wf, guid)
    return ready.properties.get("dueDateVariable") if ready else None


def permitted(
    ctx: EngineContext, session: Session, actor: Actor, kind: str, instance_id: int
) -> ProcessInstance:
    """The case under its lock, if the actor may make this intervention on it: NotFound when they may
    not see it, NotPermitted when they see it but it is not theirs to steer (roles.toml, scope)."""
    permitted_read(ctx, session, actor, kind, instance_id)
    instance = ctx.db.lock_instance(session, instance_id)
    if instance is None:
        raise NotFound("案件不存在")
    return instance


def permitted_read(
    ctx: EngineContext, session: Session, actor: Actor, kind: str, instance_id: int
) -> ProcessInstance:
    """The case (not locked), if the actor may make this intervention on it (see `permitted`)."""
    visible = session.scalar(
        select(ProcessInstance.id).where(
            ProcessInstance.id == instance_id, instance_visible(actor, ctx.roles)
        )
    )
    if visible is None:
        raise NotFound("案件不存在")
    scope = ctx.roles.scope(actor.roles, actor.unit_id, case_file=True)
    allowed = actor.roles & ctx.roles.interventions.get(kind, frozenset())
    covered = scope is not None and session.scalar(
        select(ProcessInstance.id).where(ProcessInstance.id == instance_id, in_scope(scope))
    )
    if not (allowed and covered):
        raise NotPermitted(f"您无权对此案件{NAMES[kind]}")
    instance = session.get(ProcessInstance, instance_id)
    if instance is None:
        raise NotFound("案件不存在")
    return instance


def open_task(session: Session, task_id: int) -> HumanTask:
    row = session.get(HumanTask, task_id)
    if row is None:
        raise NotFound("任务不存在")
    return row


def is_recused(session: Session, user_id: int, instance: ProcessInstance) -> bool:
    """Recused from this case, or a declared conflict about its person concerned."""
    on_case = session.get(InstanceRecusal, (instance.id, user_id)) is not None
    return on_case or (
        bool(instance.subject_name) and user_id in recused_user_ids(session, instance.subject_name)
    )


def notify(
    session: Session,
    instance_id: int,
    user_ids: list[int],
    text: str,
    at: datetime,
    task_id: int | None = None,
) -> None:
    """A notice of an intervention to the people whose work it touches."""
    deliver(session, instance_id, user_ids, "intervention", text, at, task_id)


def names(session: Session, user_ids: list[int]) -> str:
    found = dict(session.execute(select(User.id, User.display_name).where(User.id.in_(user_ids))).all())
    return "、".join(found.get(uid, "") for uid in user_ids if found.get(uid))


def workflow(ctx: EngineContext, session: Session, instance: ProcessInstance) -> Any:
    """The case's workflow as stored (an intervention reads or changes it under the case's lock)."""
    version = ctx.specs.get(session, instance.version_id)
    return spiff.load(version.specs, instance.state_json, instance.serializer_version)


def change(
    ctx: EngineContext,
    session: Session,
    actor: Actor,
    instance: ProcessInstance,
    wf: Any,
    kind: str,
    details: tuple[str, dict[str, Any], HumanTask | None],
    act: Any,
) -> None:
    """Apply `act` to the workflow through the one mutation path (save, projection, audit with the
    intervention's reason); a supervisor's intervention makes no one a participant."""
    why, facts, task = details
    advance(
        ctx,
        session,
        instance,
        wf,
        actor,
        "intervention",
        payload(kind, why, facts, task),
        act=act,
        takes_part=False,
    )


def payload(kind: str, reason: str, details: dict[str, Any], task: HumanTask | None = None) -> dict[str, Any]:
    """The audit payload of an intervention: the history shows `task` as its title, and the reason."""
    step = f"（{task.title}）" if task is not None else ""
    return {"task": f"{NAMES[kind]}{step}", "intervention": kind, "reason": reason, **details}


def record(
    ctx: EngineContext,
    session: Session,
    actor: Actor,
    instance: ProcessInstance,
    kind: str,
    reason: str,
    details: dict[str, Any],
    task: HumanTask | None = None,
    audited: bool = False,
) -> Done:
    """The intervention row, and its audit event unless the action's run wrote it (`audited`)."""
    now = ctx.clock.now()
    step = f"（{task.title}）" if task is not None else ""
    session.add(
        Intervention(
            instance_id=instance.id,
            task_id=task.id if task else None,
            kind=kind,
            reason=reason,
            actor_id=actor.id,
            at=now,
            details=details,
        )
    )
    if not audited:
        audit.append(
            session,
            ctx.audit_key,
            at=now,
            actor=actor.username,
            kind="intervention",
            instance_id=instance.id,
            task_id=task.id if task else None,
            payload=payload(kind, reason, details, task),
        )
    return Done(kind, instance.id, f"已{NAMES[kind]}{step}")
