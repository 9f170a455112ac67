"""One step of the mutation path: run the engine, save, project tasks, notify, audit, and start the
instances the run's messages call for — all in the caller's transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from . import audit, documents, facts, mailbox, messaging, search, spiff, starting
from .context import EngineContext, VersionInfo
from .db.models import HumanTask, ProcessInstance
from .pdf_rendering import issue_document
from .projection import Recusals, deliver_notices, project_tasks
from .records import Actor
from .submission import action


def keep_after_commit(ctx: EngineContext, session: Session, instance: ProcessInstance, wf: Any) -> None:
    session.flush()  # bumps row_version: the version the cached workflow belongs to
    instance_id, row_version = instance.id, instance.row_version

    def put(s: Session) -> None:
        if not s.in_nested_transaction():  # SQLAlchemy says after_commit for a released savepoint too
            ctx.workflows.put(instance_id, row_version, wf)

    event.listen(session, "after_commit", put)  # (not `once`: a savepoint's release would use it up)


def advance(
    ctx: EngineContext,
    session: Session,
    instance: ProcessInstance,
    wf: Any,
    actor: Actor | None,
    kind: str,
    payload: dict[str, Any],
    completed: HumanTask | None = None,
    act: Callable[[], None] | None = None,
    takes_part: bool = True,
) -> list[str]:
    steps: list[str] = []
    issued: list[documents.IssuedDocument] = []
    task_data = spiff.task_data(wf, completed.task_guid) if completed else {}  # as it stood when opened
    version = ctx.specs.get(session, instance.version_id)
    on_task = lambda bpmn_id, name, _kind: steps.append(name)  # noqa: E731
    with action(ctx, _document_issuer(ctx, session, instance, actor, issued)) as sctx:
        if act is not None:
            act()
        spiff.run(wf, ctx.settings.step_budget, on_task)
        while mailbox.catches(version) and (mail := _posted_for(ctx, session, instance, version, wf)):
            spiff.deliver_caught(wf, *mail)  # a message thrown before this instance waited for it
            spiff.run(wf, ctx.settings.step_budget, on_task)
        missed = spiff.collapse_repeats(wf, frozenset(version.meta["process"].get("single_open", ())))
        thrown = spiff.thrown_messages(wf)
        state = spiff.dump(wf)
    now = ctx.clock.now()
    instance.state_json = state
    instance.serializer_version = spiff.SERIALIZER_VERSION
    instance.updated_at = now
    instance.next_timer_at = spiff.next_timer_at(wf)
    if spiff.is_completed(wf):
        instance.status, instance.ended_at, instance.next_timer_at = "completed", now, None
    data = spiff.current_data(wf)  # once: the run is over, nothing below changes the workflow
    if mailbox.catches(version):
        mailbox.keep_waits(session, instance, version, spiff.waiting_messages(wf), data)
    ready = spiff.ready_user_tasks(wf)
    joining = {}  # a supervisor's intervention does not make them a participant
    if actor is not None and takes_part:
        joining[actor.id] = "external" if _is_external(ctx, actor) else "staff"
    recused = Recusals(session, instance.id)  # one reading for the new steps and the notices alike
    project_tasks(
        ctx,
        session,
        instance,
        ready,
        now,
        recused,
        completed.task_guid if completed else None,
        actor.id if actor else None,
        joining,
    )
    _mark_missed(session, instance, missed)
    if sctx.notices:
        deliver_notices(ctx, session, instance, sctx.notices, data, now, recused)
    submitted = payload.get("data") if isinstance(payload.get("data"), dict) else {}
    done = (completed.bpmn_id, {**task_data, **submitted}) if completed else None  # the task as completed
    index_case(ctx, session, instance, data, submitted, done)
    audit.append(
        session,
        ctx.audit_key,
        at=now,
        actor=actor.username if actor else "system",
        kind=kind,
        instance_id=instance.id,
        task_id=completed.id if completed else None,
        payload={
            **payload,
            "steps": steps,
            "notices": [f"{lane}: {text}" for lane, text in sctx.notices],
            "documents": [
                {"number": d.number, "docx": d.docx_sha256} for d in issued
            ],  # the PDF: document_rendered
        },
    )
    if thrown:
        _send(ctx, session, instance, actor, thrown)
    if instance.status == "running":
        keep_after_commit(ctx, session, instance, wf)
    return steps


def _mark_missed(session: Session, instance: ProcessInstance, missed: dict[str, int]) -> None:
    """The open step that stands for missed periods says how many in its title (one row, not a pile)."""
    for guid, count in missed.items():
        row = session.scalar(
            select(HumanTask).where(HumanTask.instance_id == instance.id, HumanTask.task_guid == guid)
        )
        if row is not None:
            row.title = f"{row.title.split('（已缺报')[0]}（已缺报{count}期）"


def _posted_for(
    ctx: EngineContext, session: Session, instance: ProcessInstance, version: VersionInfo, wf: Any
) -> tuple[str, dict[str, Any]] | None:
    return mailbox.take(ctx, session, instance, version, spiff.waiting_messages(wf), spiff.current_data(wf))


def index_case(
    ctx: EngineContext,
    session: Session,
    instance: ProcessInstance,
    data: dict[str, Any],
    submitted: dict[str, Any],
    completed: tuple[str, dict[str, Any]] | None = None,
) -> None:
    """What the supervisors' lists and figures read: the handling office, the searchable text and the
    case facts, kept in step with the case (in the action's transaction; `qinglian reindex` too)."""
    proc = ctx.specs.get(session, instance.version_id).meta["process"]
    office = data.get(proc.get("office_var", "")) or proc.get("office")
    if office and office != instance.handling_office:
        instance.handling_office = str(office)[:16]
    search.update_case_text(session, instance, data, submitted)
    with action(ctx):  # rules may use today() and the calendar
        facts.record(ctx, session, instance, data, completed)


def _send(
    ctx: EngineContext,
    session: Session,
    instance: ProcessInstance,
    actor: Actor | None,
    thrown: list[tuple[str, dict[str, Any]]],
) -> None:
    """Start the instances the run's messages call for, and record what was sent (after the run's own
    audit row, before the new instances' rows)."""

    def start(version: VersionInfo, payload: dict[str, Any]) -> int:
        new, wf, started_payload = starting.by_message(ctx, session, instance, version, payload)
        advance(ctx, session, new, wf, None, "instance_started", started_payload)
        return new.id

    caught = frozenset(name for name, _ in thrown if mailbox.is_caught(ctx, session, name))
    started, duplicates = messaging.route(ctx, session, instance.id, thrown, start, caught)
    reached = [
        target
        for name, payload in thrown
        if name in caught
        for target in _post(ctx, session, instance, name, payload)
    ]
    audit.append(
        session,
        ctx.audit_key,
        at=ctx.clock.now(),
        actor=actor.username if actor else "system",
        kind="messages_sent",
        instance_id=instance.id,
        payload={
            "messages": [name for name, _ in thrown],
            "started": started,
            "duplicates": duplicates,
            "delivered": reached,
        },
    )


def _post(
    ctx: EngineContext, session: Session, source: ProcessInstance, name: str, payload: dict[str, Any]
) -> list[int]:
    """Post a message for waiting instances and hand it to each one waiting now; the instances it reached."""
    row = mailbox.post(ctx, session, source.id, name, payload)
    reached = []
    for target_id in mailbox.waiting_for(session, name, payload):
        target = ctx.db.lock_instance(session, target_id)
        if target is None or target.status != "running" or target.id == source.id:
            continue
        version = ctx.specs.get(session, target.version_id)
        wf = ctx.workflows.take(target.id, target.row_version) or spiff.load(
            version.specs, target.state_json, target.serializer_version
        )
        mailbox.delivered(ctx, row, target.id)
        received = {"message": name, "from": source.id, "payload": payload}
        with messaging.deeper():
            advance(
                ctx, session, target, wf, None, "message_received", received, act=_catch(wf, name, payload)
            )
        reached.append(target.id)
    return reached


def _catch(wf: Any, name: str, payload: dict[str, Any]) -> Callable[[], None]:
    return lambda: spiff.deliver_caught(wf, name, payload)


def _document_issuer(
    ctx: EngineContext,
    session: Session,
    instance: ProcessInstance,
    actor: Actor | None,
    issued: list[documents.IssuedDocument],
) -> Callable[[str, dict[str, Any]], str]:
    def issue(kind: str, fields: dict[str, Any]) -> str:
        doc = issue_document(
            ctx,
            session,
            instance_id=instance.id,
            kind=kind,
            fields=fields,
            at=ctx.clock.now(),
            by=actor.username if actor else "system",
            by_user_id=instance.started_by,  # filed for the case: never a download "of one's own"
        )
        issued.append(doc)
        return doc.number

    return issue


def _is_external(ctx: EngineContext, actor: Actor) -> bool:
    return ctx.roles.outside(actor.roles)
