"""The one mutation path: lock → load → act → engine steps → save → project → audit → commit.

Every verb that changes an instance (start, complete a task, fire timers) runs in one transaction
through `_advance`; a script error or an exhausted step budget rolls everything back and is kept as
an incident in a transaction of its own (RELIABILITY F1, F3, F4, F21).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from string import Template
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from . import audit, spiff
from .context import EngineContext, VersionInfo
from .db.models import AttachmentLink, HumanTask, Incident, InstanceRecusal, ProcessInstance, ProcessVersion
from .directory import find_actor, is_recused, recused_user_ids
from .errors import Conflict, InvalidSubmission, NotFound, NotPermitted, ProcessFailed
from .forms import FormContext, validate
from .projection import add_participants, deliver_notices, project_tasks
from .records import Actor
from .scripting import ScriptContext, script_context


@contextmanager
def _action(ctx: EngineContext) -> Iterator[ScriptContext]:
    """Scripts and timers of this action see the engine's clock and calendar."""
    sctx = ScriptContext(ctx.clock, ctx.calendar)
    with script_context(sctx), spiff.engine_clock(ctx.clock):
        yield sctx


def latest_version(session: Session, process_id: str) -> ProcessVersion | None:
    return session.scalar(
        select(ProcessVersion)
        .where(ProcessVersion.process_id == process_id)
        .order_by(ProcessVersion.version.desc())
    )


def _form_context(
    ctx: EngineContext, session: Session, instance_id: int | None, actor: Actor, data: dict
) -> FormContext:
    def attachment_known(sha: Any) -> bool:
        query = select(AttachmentLink.id).where(AttachmentLink.sha256 == str(sha))
        if instance_id is None:  # staged by this actor before the instance existed
            query = query.where(AttachmentLink.instance_id.is_(None), AttachmentLink.uploaded_by == actor.id)
        else:
            query = query.where(AttachmentLink.instance_id == instance_id)
        return session.scalar(query) is not None

    return FormContext(
        find_user=lambda name: find_actor(session, name),
        is_recused=lambda name, subject: is_recused(session, name, subject),
        attachment_known=attachment_known,
        data=data,
    )


def start(ctx: EngineContext, actor: Actor, process_id: str, data: dict[str, Any]) -> int:
    """Start the latest version of a process with its start form's data; returns the instance id."""
    try:
        with ctx.db.transaction() as session:
            return _start(ctx, session, actor, process_id, data)
    except ProcessFailed as exc:
        raise _with_incident(ctx, None, "start", exc) from exc


def _start(ctx: EngineContext, session: Session, actor: Actor, process_id: str, data: dict[str, Any]) -> int:
    row = latest_version(session, process_id)
    if row is None:
        raise NotFound(f"没有已部署的流程 {process_id}")
    version = ctx.specs.get(session, row.id)
    proc = version.meta["process"]
    if not actor.roles & set(proc.get("start_roles", [])):
        raise NotPermitted("您的角色不能发起此流程")
    clean = _validate_start(ctx, session, actor, version, data)
    key_var = proc.get("business_key")
    business_key = str(clean[key_var]) if key_var and clean.get(key_var) else None
    if business_key and session.scalar(
        select(ProcessInstance.id).where(
            ProcessInstance.process_id == process_id, ProcessInstance.business_key == business_key
        )
    ):
        raise InvalidSubmission({key_var: "编号已存在，请勿重复登记（重复件请关联原线索）"})
    now = ctx.clock.now()
    start_data = {**version.meta.get("settings", {}), **clean, "started_by": actor.username}
    if proc.get("duplicate_key"):  # DOMAIN.md §5 A-1: earlier cases on the same person, to check for 重复件
        start_data["earlier_cases"] = _earlier_cases(
            session, process_id, str(clean.get(proc["duplicate_key"], ""))
        )
    wf = spiff.new_workflow(version.specs, start_data)
    instance = ProcessInstance(
        version_id=version.id,
        process_id=process_id,
        status="running",
        state_json="{}",
        serializer_version=spiff.SERIALIZER_VERSION,
        business_key=business_key,
        title=Template(proc.get("title", "$" + (key_var or "process"))).safe_substitute(start_data)[:200],
        subject_name=str(start_data.get("subject_name", ""))[:64],
        unit_id=start_data.get(proc.get("unit_var", "")),
        confidentiality=str(start_data.get("secrecy", "内部")),
        started_by=actor.id,
        started_at=now,
        updated_at=now,
    )
    session.add(instance)
    try:
        session.flush()
    except IntegrityError as exc:  # lost the race for the same case number (unique per process)
        raise InvalidSubmission({key_var or "_": "编号已存在，请勿重复登记（重复件请关联原线索）"}) from exc
    _bind_staged_attachments(session, actor, instance.id, clean)
    for uid in recused_user_ids(session, instance.subject_name):
        session.add(InstanceRecusal(instance_id=instance.id, user_id=uid))
    add_participants(session, instance.id, [actor.id], "staff")
    _advance(ctx, session, instance, wf, actor, "instance_started", {"data": clean})
    return instance.id


def _earlier_cases(session: Session, process_id: str, subject_name: str) -> list[str]:
    if not subject_name:
        return []
    keys = session.scalars(
        select(ProcessInstance.business_key)
        .where(ProcessInstance.process_id == process_id, ProcessInstance.subject_name == subject_name)
        .order_by(ProcessInstance.id)
    )
    return [k for k in keys if k]


def _validate_start(
    ctx: EngineContext, session: Session, actor: Actor, version: VersionInfo, data: dict
) -> dict:
    form_name = version.meta["process"].get("start_form")
    if not form_name:
        if data:
            raise InvalidSubmission({"_": "此流程没有开始表单"})
        return {}
    return validate(version.form(form_name), data, _form_context(ctx, session, None, actor, data))


def _bind_staged_attachments(session: Session, actor: Actor, instance_id: int, data: dict) -> None:
    shas = {
        v
        for value in data.values()
        for v in (value if isinstance(value, list) else [value])
        if isinstance(v, str)
    }
    for link in session.scalars(
        select(AttachmentLink).where(
            AttachmentLink.instance_id.is_(None), AttachmentLink.uploaded_by == actor.id
        )
    ):
        if link.sha256 in shas:
            link.instance_id = instance_id


def complete(ctx: EngineContext, actor: Actor, task_id: int, data: dict[str, Any], may_see: Any) -> int:
    """Complete a READY task as `actor` with validated form data; returns the instance id."""
    try:
        with ctx.db.transaction() as session:
            return _complete(ctx, session, actor, task_id, data, may_see)
    except StaleDataError as exc:
        raise Conflict("该任务已被他人处理（task already completed）") from exc
    except ProcessFailed as exc:
        with ctx.db.reading() as session:
            instance_id = session.scalar(select(HumanTask.instance_id).where(HumanTask.id == task_id))
        raise _with_incident(ctx, instance_id, "complete_task", exc) from exc


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
    if row.status != "ready" or instance is None:
        raise Conflict("该任务已被他人处理（task already completed）")
    version = ctx.specs.get(session, instance.version_id)
    wf = _load(ctx, instance, version)
    task_data = next((t.data for t in spiff.ready_user_tasks(wf) if t.guid == row.task_guid), None)
    if task_data is None:
        raise Conflict("该任务已被他人处理（task already completed）")
    form = version.form(row.form_ref or "")
    clean = validate(form, data, _form_context(ctx, session, instance.id, actor, task_data))
    with _action(ctx):
        spiff.complete(wf, row.task_guid, clean)
    payload = {"task": row.title, "bpmn_id": row.bpmn_id, "data": clean}
    _advance(ctx, session, instance, wf, actor, "task_completed", payload, row)
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
            return _advance(ctx, session, instance, wf, None, "timers_fired", {})
    except ProcessFailed as exc:
        raise _with_incident(ctx, instance_id, "fire_timers", exc) from exc


def _load(ctx: EngineContext, instance: ProcessInstance, version: VersionInfo) -> Any:
    """The instance's workflow: from memory if it is exactly what was last committed, else from JSON."""
    cached = ctx.workflows.take(instance.id, instance.row_version)
    if cached is not None:
        return cached
    return spiff.load(version.specs, instance.state_json, instance.serializer_version)


def _keep_after_commit(ctx: EngineContext, session: Session, instance: ProcessInstance, wf: Any) -> None:
    session.flush()  # bumps row_version: the version the cached workflow belongs to
    instance_id, row_version = instance.id, instance.row_version
    event.listen(
        session, "after_commit", lambda _s: ctx.workflows.put(instance_id, row_version, wf), once=True
    )


def _advance(
    ctx: EngineContext,
    session: Session,
    instance: ProcessInstance,
    wf: Any,
    actor: Actor | None,
    kind: str,
    payload: dict[str, Any],
    completed: HumanTask | None = None,
) -> list[str]:
    steps: list[str] = []
    with _action(ctx) as sctx:
        spiff.run(wf, ctx.settings.step_budget, lambda bpmn_id, name, _kind: steps.append(name))
        state = spiff.dump(wf)
    now = ctx.clock.now()
    instance.state_json = state
    instance.serializer_version = spiff.SERIALIZER_VERSION
    instance.updated_at = now
    instance.next_timer_at = spiff.next_timer_at(wf)
    if spiff.is_completed(wf):
        instance.status, instance.ended_at, instance.next_timer_at = "completed", now, None
    ready = spiff.ready_user_tasks(wf)
    project_tasks(
        ctx,
        session,
        instance,
        ready,
        now,
        completed.task_guid if completed else None,
        actor.id if actor else None,
    )
    if sctx.notices:
        deliver_notices(ctx, session, instance, sctx.notices, spiff.current_data(wf), now)
    if actor is not None:
        add_participants(
            session, instance.id, [actor.id], "staff" if not _is_external(ctx, actor) else "external"
        )
    audit.append(
        session,
        ctx.audit_key,
        at=now,
        actor=actor.username if actor else "system",
        kind=kind,
        instance_id=instance.id,
        task_id=completed.id if completed else None,
        payload={**payload, "steps": steps, "notices": [f"{lane}: {text}" for lane, text in sctx.notices]},
    )
    if instance.status == "running":
        _keep_after_commit(ctx, session, instance, wf)
    return steps


def _is_external(ctx: EngineContext, actor: Actor) -> bool:
    return bool(actor.roles) and actor.roles <= ctx.roles.externals()


def _with_incident(
    ctx: EngineContext, instance_id: int | None, action: str, exc: ProcessFailed
) -> ProcessFailed:
    with ctx.db.transaction() as session:
        incident = Incident(
            instance_id=instance_id, action=action, error=str(exc), created_at=ctx.clock.now()
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
            payload={"action": action, "error": str(exc)},
        )
        return ProcessFailed(str(exc), incident.id)
