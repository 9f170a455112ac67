"""Creating instances: by hand from a validated start form, or by a message another instance threw
(its payload must fit the receiver's start form). The caller runs the new workflow."""

from __future__ import annotations

from string import Template
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from . import messaging, spiff, start_figures, uploads
from .context import EngineContext, VersionInfo
from .db.models import InstanceRecusal, ProcessInstance, ProcessVersion, Unit
from .directory import recused_user_ids
from .errors import InvalidSubmission, NotFound, NotPermitted, ProcessFailed
from .forms import validate
from .projection import add_participants
from .records import Actor
from .submission import action, form_context


def latest_version(session: Session, process_id: str) -> ProcessVersion | None:
    return session.scalar(
        select(ProcessVersion)
        .where(ProcessVersion.process_id == process_id)
        .order_by(ProcessVersion.version.desc())
    )


def by_hand(
    ctx: EngineContext, session: Session, actor: Actor, process_id: str, data: dict[str, Any]
) -> tuple[ProcessInstance, Any, dict[str, Any]]:
    """A new instance started by `actor` with the start form's data: (row, workflow, clean data)."""
    row = latest_version(session, process_id)
    if row is None:
        raise NotFound(f"没有已部署的流程 {process_id}")
    version = ctx.specs.get(session, row.id)
    if not actor.roles & set(version.meta["process"].get("start_roles", [])):
        raise NotPermitted("您的角色不能发起此流程")
    if uploads.names(data):  # the uploads the form names stay until they are attached
        uploads.lock_uploader(session, actor.id)
    clean = ctx.identity.seal(validate_start(ctx, session, actor, version, data))
    clean = start_figures.added(session, version.meta, clean)
    correlation = messaging.correlation_of(version, clean)
    link = None
    if correlation is not None:  # kept, so that a later message for the same case starts nothing
        message = version.meta.get("start_message") or process_id
        link = messaging.claim(session, message, correlation, None, ctx.clock.now())
        if link is None:
            raise InvalidSubmission({"_": "该事项已启动过此流程，请勿重复发起（already started）"})
    instance, wf = create(ctx, session, version, clean, (actor.id, actor.username))
    if link is not None:
        link.target_id = instance.id
    uploads.attach_named(ctx, session, actor, instance.id, clean)
    add_participants(session, instance.id, [actor.id], "staff")
    return instance, wf, clean


def create(
    ctx: EngineContext,
    session: Session,
    version: VersionInfo,
    clean: dict[str, Any],
    starter: tuple[int, str],
    extra: dict[str, Any] | None = None,
) -> tuple[ProcessInstance, Any]:
    """A new instance row and its workflow (not yet run) for validated start data; `starter` is the
    (user id, username) it is started on behalf of."""
    proc, process_id = version.meta["process"], version.process_id
    key_var = proc.get("business_key")
    business_key = str(clean[key_var]) if key_var and clean.get(key_var) else None
    if business_key and session.scalar(
        select(ProcessInstance.id).where(
            ProcessInstance.process_id == process_id, ProcessInstance.business_key == business_key
        )
    ):
        raise InvalidSubmission({key_var: "编号已存在，请勿重复登记（重复件请关联原线索）"})
    now = ctx.clock.now()
    start_data = {
        **version.meta.get("settings", {}),
        **clean,
        **(extra or {}),
        "started_by": starter[1],
    }
    unit_var = proc.get("unit_var", "")
    if start_data.get(unit_var):
        unit = session.get(Unit, start_data[unit_var])
        start_data[f"{unit_var}_name"] = unit.name if unit else start_data[unit_var]
    if proc.get("duplicate_key"):  # DOMAIN.md §5 A-1: earlier cases on the same person, to check for 重复件
        start_data["earlier_cases"] = earlier_cases(
            session, process_id, str(clean.get(proc["duplicate_key"], ""))
        )
    wf = spiff.new_workflow(version.specs, start_data)
    if version.meta.get("start_message"):
        with action(ctx):
            spiff.deliver_start(wf, version.meta["start_message"], clean)
    instance = ProcessInstance(
        version_id=version.id,
        process_id=process_id,
        status="running",
        state_json="{}",
        serializer_version=spiff.SERIALIZER_VERSION,
        business_key=business_key,
        title=Template(proc.get("title", "$" + (key_var or "process"))).safe_substitute(start_data)[:200],
        subject_name=str(start_data.get("subject_name", ""))[:64],
        unit_id=start_data.get(unit_var),
        confidentiality=str(start_data.get("secrecy", "内部")),
        started_by=starter[0],
        started_at=now,
        updated_at=now,
    )
    session.add(instance)
    try:
        session.flush()
    except IntegrityError as exc:  # lost the race for the same case number (unique per process)
        raise InvalidSubmission({key_var or "_": "编号已存在，请勿重复登记（重复件请关联原线索）"}) from exc
    for uid in recused_user_ids(session, instance.subject_name):
        session.add(InstanceRecusal(instance_id=instance.id, user_id=uid))
    return instance, wf


def by_message(
    ctx: EngineContext,
    session: Session,
    source: ProcessInstance,
    version: VersionInfo,
    payload: dict[str, Any],
) -> tuple[ProcessInstance, Any, dict[str, Any]]:
    """A new instance of `version` started by a message `source` threw: (row, workflow, audit payload).
    A payload that does not fit the receiver's start form fails the sender's action."""
    form_name = version.meta["process"].get("start_form")
    triggered = {
        "instance": source.id,
        "process": source.process_id,
        "title": source.title,
        "key": source.business_key,
    }
    try:
        fctx = form_context(ctx, session, source.id, None, payload)
        clean = ctx.identity.seal(validate(version.form(form_name), payload, fctx) if form_name else payload)
        # Started on behalf of the office whose case threw the message, not of the person who acted.
        starter = (source.started_by, "system")
        instance, wf = create(ctx, session, version, clean, starter, {"triggered_by": triggered})
    except InvalidSubmission as exc:
        raise ProcessFailed(
            f"关联流程 {version.process_id} 未能启动，本次办理未保存；已记录为异常，请联系案管室",
            detail=f"消息内容不符合其开始表单：{exc.errors}",
        ) from exc
    uploads.copy_named(session, source.id, instance.id, clean)
    return instance, wf, {"data": clean, "triggered_by": triggered}


EARLIER_CASES_SHOWN = 20  # the case data carries at most this many: every step copies the data


def earlier_cases(session: Session, process_id: str, subject_name: str) -> list[str]:
    """Case numbers of the latest earlier cases on the same person, oldest first."""
    if not subject_name:
        return []
    keys = session.scalars(
        select(ProcessInstance.business_key)
        .where(
            ProcessInstance.process_id == process_id,
            ProcessInstance.subject_name == subject_name,
            ProcessInstance.business_key.is_not(None),
        )
        .order_by(ProcessInstance.id.desc())
        .limit(EARLIER_CASES_SHOWN)
    )
    return [str(k) for k in reversed(list(keys))]


def validate_start(
    ctx: EngineContext, session: Session, actor: Actor, version: VersionInfo, data: dict
) -> dict:
    form_name = version.meta["process"].get("start_form")
    if not form_name:
        if data:
            raise InvalidSubmission({"_": "此流程没有开始表单"})
        return {}
    return validate(version.form(form_name), data, form_context(ctx, session, None, actor, data))
