"""The read side: inbox, instance lists and case files, from indexed tables and access conditions."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from jinja2 import TemplateSyntaxError, meta
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy import func, select
from sqlalchemy.orm import Session, defer

from . import labels, review, spiff
from .access import instance_visible, task_actionable
from .clock import local_today
from .context import EngineContext, VersionInfo
from .db.models import (
    Attachment,
    AttachmentLink,
    AuditEvent,
    HumanTask,
    Incident,
    ProcessInstance,
    ProcessVersion,
    Unit,
    User,
)
from .errors import NotFound
from .identity import Sealer, masked
from .records import (
    Actor,
    AttachmentView,
    HistoryEntry,
    IncidentView,
    InstanceView,
    Page,
    ProcessView,
    TaskView,
)
from .relations import issued_documents, linked_instances
from .workdays import WorkCalendar

_INSTRUCTIONS = SandboxedEnvironment()


@lru_cache(maxsize=1024)
def instruction_names(template: str) -> frozenset[str]:
    """The data names a task's instructions (Jinja) read, in `{{ }}` and in `{% for/if %}` alike."""
    try:
        return frozenset(meta.find_undeclared_variables(_INSTRUCTIONS.parse(template)))
    except TemplateSyntaxError:
        return frozenset()


def _row_sources(form: Any) -> set[str]:
    """Data a form's tables start from (`ui:rows` in its UI schema)."""
    ui = form.ui if form else {}
    return {str(v["ui:rows"]) for v in ui.values() if isinstance(v, dict) and "ui:rows" in v}


RESTRICTED_READERS = frozenset({"XF"})
INBOX_LIMIT = 200


def redact(actor: Actor, data: dict[str, Any], sealer: Sealer | None = None) -> dict[str, Any]:
    """Whistleblower identity is visible to the petitions office only (DOMAIN.md §9), decrypted by
    `sealer`; the audit trail's keyed hashes open for nobody."""
    if actor.roles & RESTRICTED_READERS and sealer is not None:
        return sealer.reveal(data)
    return masked(data)


@lru_cache(maxsize=8192)
def _working_days_left(calendar: WorkCalendar, today: date, due: date) -> int:
    return calendar.working_days_between(today, due)


def _task_view(ctx: EngineContext, row: HumanTask, title: str, process_id: str, **extra: Any) -> TaskView:
    today = local_today(ctx.clock)
    left = _working_days_left(ctx.calendar, today, row.due_date) if row.due_date else None
    return TaskView(
        id=row.id,
        instance_id=row.instance_id,
        instance_title=title,
        process_id=process_id,
        bpmn_id=row.bpmn_id,
        title=row.title,
        lane=row.lane,
        role=row.role,
        status=row.status,
        created_at=row.created_at,
        due_date=row.due_date,
        due_provisional=row.due_provisional,
        working_days_left=left,
        instructions=row.instructions,
        **extra,
    )


def inbox(
    ctx: EngineContext, session: Session, actor: Actor, page: int = 1, per_page: int = INBOX_LIMIT
) -> Page:
    """The READY tasks this actor may act on, most urgent first: one page, and how many there are."""
    urgent_first = (HumanTask.due_date.is_(None), HumanTask.due_date, HumanTask.id)
    mine = task_actionable(actor)
    total = session.scalar(select(func.count()).select_from(HumanTask).where(mine)) or 0
    # the page's steps are chosen before their cases are joined: an office with thousands of open steps
    # joins one page of them, not all (PostgreSQL joined every one before sorting)
    chosen = (
        select(HumanTask.id).where(mine).order_by(*urgent_first).offset((page - 1) * per_page).limit(per_page)
    )
    rows = session.execute(
        select(HumanTask, ProcessInstance.title, ProcessInstance.process_id)
        .options(defer(HumanTask.data))  # an open step's data: its page reads it, the list does not
        .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .where(HumanTask.id.in_(chosen.scalar_subquery()))
        .order_by(*urgent_first)
    )
    return Page(tuple(_task_view(ctx, row, title, pid) for row, title, pid in rows), total, page, per_page)


def actionable_in(ctx: EngineContext, session: Session, actor: Actor, instance_id: int) -> list[TaskView]:
    """The READY tasks of one instance this actor may act on (what to do next, after an action)."""
    rows = session.execute(
        select(HumanTask, ProcessInstance.title, ProcessInstance.process_id)
        .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .where(HumanTask.instance_id == instance_id, task_actionable(actor))
        .order_by(HumanTask.id)
    )
    return [_task_view(ctx, row, title, pid) for row, title, pid in rows]


def open_incidents(ctx: EngineContext, session: Session, actor: Actor) -> list[IncidentView]:
    """Failed actions not yet resolved, in the cases this actor may see, newest first."""
    rows = session.execute(
        select(Incident, ProcessInstance.title)
        .join(ProcessInstance, ProcessInstance.id == Incident.instance_id)
        .where(Incident.resolved_at.is_(None), instance_visible(actor, ctx.roles))
        .order_by(Incident.id.desc())
        .limit(100)
    )
    return [IncidentView(i.id, i.instance_id, title, i.action, i.error, i.created_at) for i, title in rows]


INCIDENT_ACTIONS = {"complete_task": "办理事项", "fire_timers": "期限到达", "start": "发起", "retry": "重试"}
NEVER_SHOWN = ("reporter", "new_clue")  # whistleblower identity, and R1's new clue about the reporter


@dataclass(frozen=True)
class IncidentDetail:
    incident: IncidentView
    action: str  # what failed, in words
    step: str
    data: dict[str, Any]


def incident_details(ctx: EngineContext, session: Session, actor: Actor) -> list[IncidentDetail]:
    """Open incidents with the step that failed and the case data as it stands (to correct and retry)."""
    out = []
    for view in open_incidents(ctx, session, actor):
        row = session.get(Incident, view.id)
        _inst, _version, wf = _visible_workflow(ctx, session, actor, view.instance_id)
        data = {
            k: v
            for k, v in spiff.current_data(wf).items()
            if not isinstance(v, dict | list) and not any(w in k for w in NEVER_SHOWN)
        }
        action = INCIDENT_ACTIONS.get(view.action, view.action)
        out.append(IncidentDetail(view, action, row.step if row else "", redact(actor, data, ctx.identity)))
    return out


def may_see_task(session: Session, actor: Actor, row: HumanTask, ctx: EngineContext) -> bool:
    """Actors see a task they may act on, or any task of a case file they may see."""
    actionable = session.scalar(select(HumanTask.id).where(HumanTask.id == row.id, task_actionable(actor)))
    return actionable is not None or can_see_instance(ctx, session, actor, row.instance_id)


def can_see_instance(ctx: EngineContext, session: Session, actor: Actor, instance_id: int) -> bool:
    query = select(ProcessInstance.id).where(
        ProcessInstance.id == instance_id, instance_visible(actor, ctx.roles)
    )
    return session.scalar(query) is not None


def task_detail(ctx: EngineContext, session: Session, actor: Actor, task_id: int) -> TaskView:
    """A task with its form, instructions and the case data it needs; NotFound if not visible."""
    row = session.get(HumanTask, task_id)
    if row is None or not may_see_task(session, actor, row, ctx):
        raise NotFound("任务不存在")
    instance = session.get(ProcessInstance, row.instance_id)
    if instance is None:
        raise NotFound("任务不存在")
    version = ctx.specs.get(session, instance.version_id)
    form = version.form(row.form_ref) if row.form_ref else None
    data: dict[str, Any] = {}
    if row.status == "ready" and row.data is not None:
        data = dict(row.data)  # kept on the row by every run: no workflow to load (issue 11 #14)
    elif row.status == "ready":  # a step opened before its row kept its data
        wf = spiff.load(version.specs, instance.state_json, instance.serializer_version)
        data = dict(ready.data) if (ready := spiff.ready_user_task(wf, row.task_guid)) else {}
    ui = form.ui if form else None
    if not can_see_instance(ctx, session, actor, instance.id):
        # Subjects and unit heads get what their own step needs — its form's fields, the material it
        # shows and the names its instructions use — never the rest of the case file (DOMAIN.md §9).
        needed = set(form.fields if form else ()) | instruction_names(row.instructions) | _row_sources(form)
        data = {k: v for k, v in data.items() if k in needed | set(review.shows(ui))}
    data = redact(actor, data, ctx.identity)
    names = display_names(session)
    material = review.material(version.terms, ui, data, names.get, attachments(session, instance.id))
    may_act = session.scalar(select(HumanTask.id).where(HumanTask.id == row.id, task_actionable(actor)))
    return _task_view(
        ctx,
        row,
        instance.title,
        instance.process_id,
        form=form.schema if form else None,
        ui=ui,
        data=data,
        noun=labels.noun(version.meta["process"], data),
        review=material.shown,
        review_files=material.files,
        may_act=may_act is not None,
        holder=holder(ctx, session, row, names),
    )


def holder(ctx: EngineContext, session: Session, row: HumanTask, names: dict[str, str]) -> str:
    """Who holds a step: the person it is assigned to, or the unit and role it waits for."""
    if row.assignee_id and row.assignee_id > 0:
        user = session.get(User, row.assignee_id)
        if user is not None:
            return names.get(user.username, user.display_name)
    role = ctx.roles.roles.get(row.role)
    unit = session.get(Unit, row.unit_id) if row.unit_id else None
    return (unit.name if unit else "") + (role.zh if role else row.lane)


def _visible_workflow(
    ctx: EngineContext, session: Session, actor: Actor, instance_id: int
) -> tuple[ProcessInstance, VersionInfo, Any]:
    """The instance row, its version and its workflow, if this actor may see the case; NotFound otherwise."""
    inst = session.get(ProcessInstance, instance_id)
    if inst is None or not can_see_instance(ctx, session, actor, instance_id):
        raise NotFound("案件不存在")
    version = ctx.specs.get(session, inst.version_id)
    return inst, version, spiff.load(version.specs, inst.state_json, inst.serializer_version)


def instance_detail(ctx: EngineContext, session: Session, actor: Actor, instance_id: int) -> InstanceView:
    """The case file: status, where it stands, history, data, deadlines; NotFound if not visible."""
    inst, version, wf = _visible_workflow(ctx, session, actor, instance_id)
    done, current = spiff.progress(wf)
    ready = _open_steps(ctx, session, inst)
    starter = session.get(User, inst.started_by)
    data = redact(actor, spiff.current_data(wf), ctx.identity)
    names = display_names(session)
    return InstanceView(
        id=inst.id,
        process_id=inst.process_id,
        version=version.version,
        business_key=inst.business_key,
        title=inst.title,
        status=inst.status,
        started_by=starter.display_name if starter else "",
        started_at=inst.started_at,
        ended_at=inst.ended_at,
        ready_tasks=ready,
        history=tuple(history(session, actor, inst.id, version.terms, names)),
        data=data,
        shown=tuple(labels.shown(version.terms, _in_order(version.terms, data), names.get)),
        noun=labels.noun(version.meta["process"], data),
        completed_steps=tuple(done),
        current_steps=tuple(current),
        attachments=tuple(attachments(session, inst.id)),
        links=tuple(linked_instances(ctx, session, actor, inst.id)),
        documents=tuple(issued_documents(session, inst.id, ctx.desk.documents_dir)),
    )


def open_steps(ctx: EngineContext, session: Session, actor: Actor, instance_id: int) -> tuple[TaskView, ...]:
    """The case's open steps (ready or suspended), without the case file; NotFound if not visible."""
    inst = session.get(ProcessInstance, instance_id, options=[defer(ProcessInstance.state_json)])
    if inst is None or not can_see_instance(ctx, session, actor, instance_id):
        raise NotFound("案件不存在")
    return _open_steps(ctx, session, inst)


def _open_steps(ctx: EngineContext, session: Session, inst: ProcessInstance) -> tuple[TaskView, ...]:
    rows = session.scalars(
        select(HumanTask)
        .where(HumanTask.instance_id == inst.id, HumanTask.status.in_(("ready", "suspended")))
        .order_by(HumanTask.id)
    )
    return tuple(_task_view(ctx, r, inst.title, inst.process_id) for r in rows)


def _in_order(terms: dict[str, dict[str, Any]], data: dict[str, Any]) -> dict[str, Any]:
    return {k: data[k] for k in terms if k in data}


def display_names(session: Session) -> dict[str, str]:
    """Every login with the person's name (the history and the case's data show names, not logins)."""
    return dict(session.execute(select(User.username, User.display_name)).all())


READ_EVENTS = ("case_viewed", "case_view_denied", "attachment_downloaded", "attachment_download_denied")
RECORD_KEEPING = ("document_rendered",)  # in the audit trail, not among what was done in the case


def progress(ctx: EngineContext, session: Session, actor: Actor, instance_id: int) -> tuple[list[str], ...]:
    """(completed, current, overdue) BPMN ids of a case this actor may see; NotFound otherwise."""
    _inst, _version, wf = _visible_workflow(ctx, session, actor, instance_id)
    done, current = spiff.progress(wf)
    today = local_today(ctx.clock)
    overdue = session.scalars(
        select(HumanTask.bpmn_id).where(
            HumanTask.instance_id == instance_id, HumanTask.status == "ready", HumanTask.due_date < today
        )
    )
    return done, current, sorted(set(overdue))


def history(
    session: Session,
    actor: Actor,
    instance_id: int,
    terms: dict[str, dict[str, Any]] | None = None,
    names: dict[str, str] | None = None,
) -> list[HistoryEntry]:
    """What was done in the case, in order (who looked at it is in the audit log, not here); with the
    version's `terms`, each entry's data also in words; `names` saves reading the people again."""
    names = display_names(session) if names is None else names
    out = []
    events = select(AuditEvent).where(
        AuditEvent.instance_id == instance_id, AuditEvent.kind.not_in(READ_EVENTS + RECORD_KEEPING)
    )
    for ev in session.scalars(events.order_by(AuditEvent.seq)):
        payload = json.loads(ev.payload)
        if isinstance(payload.get("data"), dict):
            payload["data"] = redact(actor, payload["data"])
        title = payload.get("task") or {
            "instance_started": "发起",
            "timers_fired": "期限到达",
            "incident": "执行出错",
            "attachment_uploaded": "上传附件",
            "messages_sent": "发送消息（启动关联流程）",
            "message_received": "收到关联流程的消息",
            "recusal": "回避",
            "instance_migrated": "迁移到新版本",
            "migration_failed": "迁移未成功，案件保持原状",
        }.get(ev.kind, "系统记录")
        if ev.kind == "instance_migrated":
            moved = f"由第 {payload['from_version']} 版迁移到第 {payload['to_version']} 版"
            title = f"{moved}：{payload['reason']}"
        who = names.get(ev.actor) or ("系统" if ev.actor == "system" else ev.actor)
        data = payload.get("data") if isinstance(payload.get("data"), dict) else {}
        words = tuple(labels.shown(terms, data, names.get)) if terms and data else ()
        out.append(HistoryEntry(ev.seq, ev.at, who, ev.kind, title, payload, words))
    return out


def attachments(session: Session, instance_id: int) -> list[AttachmentView]:
    rows = session.execute(
        select(AttachmentLink, Attachment)
        .join(Attachment, Attachment.sha256 == AttachmentLink.sha256)
        .where(AttachmentLink.instance_id == instance_id, AttachmentLink.pending.is_(False))
        .order_by(AttachmentLink.id)
    )
    return [
        AttachmentView(link.id, a.sha256, link.filename, a.mime, a.size, link.uploaded_at) for link, a in rows
    ]


def processes(session: Session, actor: Actor) -> list[ProcessView]:
    """The latest version of every deployed process (its metadata only, never the specs)."""
    rows = session.execute(
        select(
            ProcessVersion.process_id, ProcessVersion.version, ProcessVersion.meta, ProcessVersion.deployed_at
        ).order_by(ProcessVersion.process_id, ProcessVersion.version.desc())
    )
    seen: dict[str, Any] = {}
    for r in rows:
        seen.setdefault(r.process_id, r)
    return [
        ProcessView(
            r.process_id,
            r.version,
            r.meta["process"].get("name_zh", r.process_id),
            r.meta["process"].get("name_en", r.process_id),
            tuple(r.meta["process"].get("start_roles", [])),
            r.meta["process"].get("start_form"),
            r.deployed_at,
            bool(r.meta["process"].get("importable")),
        )
        for r in seen.values()
    ]
