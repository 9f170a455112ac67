"""The one mutation path: lock → load → act → engine steps → save → project → audit → commit.

Every verb that changes an instance (start, complete a task, fire timers) runs in one transaction
through `advance`; a script error or an exhausted step budget rolls everything back and is kept as
an incident in a transaction of its own (RELIABILITY F1, F3, F4, F21).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from . import audit, guards, spiff, starting, uploads
from .advance import advance
from .context import EngineContext, VersionInfo
from .db.models import HumanTask, Incident, InstanceRecusal, ProcessInstance
from .errors import Conflict, NotFound, NotPermitted, ProcessFailed
from .forms import validate
from .records import Actor
from .submission import form_context


def start(ctx: EngineContext, actor: Actor, process_id: str, data: dict[str, Any]) -> int:
    """Start the latest version of a process with its start form's data; returns the instance id."""
    try:
        with ctx.db.transaction() as session:
            instance, wf, clean = starting.by_hand(ctx, session, actor, process_id, data)
            advance(ctx, session, instance, wf, actor, "instance_started", {"data": clean})
            return instance.id
    except ProcessFailed as exc:
        raise incident_for(ctx, None, "start", exc) from exc


def complete(ctx: EngineContext, actor: Actor, task_id: int, data: dict[str, Any], may_see: Any) -> int:
    """Complete a READY task as `actor` with validated form data; returns the instance id."""
    try:
        with ctx.db.transaction() as session:
            return _complete(ctx, session, actor, task_id, data, may_see)
    except StaleDataError as exc:
        raise Conflict("该任务已被他人处理（task already completed）") from exc
    except ProcessFailed as exc:
        with ctx.db.reading() as session:
            row = session.get(HumanTask, task_id)
        instance_id, step = (row.instance_id, row.title) if row else (None, "")
        raise incident_for(ctx, instance_id, "complete_task", exc, step) from exc


def _complete(
    ctx: EngineContext, session: Session, actor: Actor, task_id: int, data: dict[str, Any], may_see: Any
) -> int:
    row = session.get(HumanTask, task_id)
    if row is None:
        raise NotFound("任务不存在")
    if not (_may_act(actor, row) and not _recused(session, actor, row.instance_id)):
        if may_see(session, actor, row):
            raise NotPermitted("您不能办理此任务")
        raise NotFound("任务不存在")
    instance = ctx.db.lock_instance(session, row.instance_id)
    if ctx.db.is_postgres:
        session.refresh(row)  # another transaction may have completed it while we waited for the lock
    if instance is not None and instance.status in ("suspended", "cancelled"):
        raise Conflict("案件已中止或已作废，不能办理此事项")
    if row.status != "ready" or instance is None:
        raise Conflict("该任务已被他人处理（task already completed）")
    version = ctx.specs.get(session, instance.version_id)
    wf = _load(ctx, instance, version)
    ready = spiff.ready_user_task(wf, row.task_guid)
    if ready is None:
        raise Conflict("该任务已被他人处理（task already completed）")
    task_data = ready.data
    guards.refuse_if_held(session, version.meta, instance, row.bpmn_id)
    form = version.form(row.form_ref or "")
    clean = ctx.identity.seal(validate(form, data, form_context(ctx, session, instance.id, actor, task_data)))
    uploads.attach_named(ctx, session, actor, instance.id, clean)
    payload = {"task": row.title, "bpmn_id": row.bpmn_id, "data": clean}
    act = lambda: spiff.complete(wf, row.task_guid, clean)  # noqa: E731 — runs inside the action
    advance(ctx, session, instance, wf, actor, "task_completed", payload, row, act)
    return instance.id


def _recused(session: Session, actor: Actor, instance_id: int) -> bool:
    query = select(InstanceRecusal.user_id).where(
        InstanceRecusal.instance_id == instance_id, InstanceRecusal.user_id == actor.id
    )
    return session.scalar(query) is not None


def _may_act(actor: Actor, row: HumanTask) -> bool:
    return (
        row.role in actor.roles
        and (row.unit_id is None or row.unit_id == actor.unit_id)
        and (row.assignee_id is None or row.assignee_id == actor.id)
    )


def fire_timers(ctx: EngineContext, instance_id: int, skip_locked: bool = False) -> list[str] | None:
    """Fire every timer of the instance that is due by the engine clock; None if nothing was due."""
    try:
        with ctx.db.transaction() as session:
            instance = ctx.db.lock_instance(session, instance_id, skip_locked=skip_locked)
            now = ctx.clock.now()
            if instance is None or instance.status != "running" or not instance.next_timer_at:
                return None
            if instance.next_timer_at > now:
                return None  # another worker fired them first
            wf = _load(ctx, instance, ctx.specs.get(session, instance.version_id))
            return advance(ctx, session, instance, wf, None, "timers_fired", {})
    except ProcessFailed as exc:
        raise incident_for(ctx, instance_id, "fire_timers", exc) from exc


def _load(ctx: EngineContext, instance: ProcessInstance, version: VersionInfo) -> Any:
    """The instance's workflow: from memory if it is exactly what was last committed, else from JSON."""
    cached = ctx.workflows.take(instance.id, instance.row_version)
    if cached is not None:
        return cached
    return spiff.load(version.specs, instance.state_json, instance.serializer_version)


def incident_for(
    ctx: EngineContext, instance_id: int | None, action: str, exc: ProcessFailed, step: str = ""
) -> ProcessFailed:
    """Record a failed (rolled back) action as an incident for supervisors, in a transaction of its own;
    returns the error to raise, carrying the incident's id."""
    with ctx.db.transaction() as session:
        error = f"{exc}：{exc.detail}" if exc.detail else str(exc)
        incident = Incident(
            instance_id=instance_id, action=action, error=error, created_at=ctx.clock.now(), step=step[:200]
        )
        session.add(incident)
        if action == "fire_timers" and instance_id is not None:
            # A failing timer is not retried every sweep (an incident storm): its timers rest until an
            # officer acts on the case, which re-arms them from the engine's state.
            instance = session.get(ProcessInstance, instance_id)
            if instance is not None:
                instance.next_timer_at = None
        session.flush()
        audit.append(
            session,
            ctx.audit_key,
            at=incident.created_at,
            actor="system",
            kind="incident",
            instance_id=instance_id,
            payload={"action": action, "error": error},
        )
        return ProcessFailed(str(exc), incident.id)
