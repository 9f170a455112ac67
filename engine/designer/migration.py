"""Moving running cases onto a newer version of their process (issue 13 #7): a pre-check that says, per
case, whether it can move and why not; then each case moved in a transaction of its own, audited, with
its timers' due moments and its open steps' deadlines kept. A case that fails half-way stays as it was."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jinja2 import TemplateError, meta
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import audit, spiff
from ..advance import advance
from ..context import EngineContext, VersionInfo
from ..db.models import HumanTask, ProcessInstance, ProcessVersion
from ..errors import EngineError, NotFound, ProcessFailed, Refused
from ..records import Actor

_TEMPLATES = SandboxedEnvironment()


@dataclass(frozen=True)
class MigrationCheck:
    instance_id: int
    title: str
    from_version: int
    steps: tuple[str, ...]  # the steps the case stands on
    can_move: bool
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class MigrationOutcome:
    instance_id: int
    moved: bool
    message: str


def target_version(session: Session, process_id: str, version: int) -> ProcessVersion:
    row = session.scalar(
        select(ProcessVersion).where(
            ProcessVersion.process_id == process_id, ProcessVersion.version == version
        )
    )
    if row is None:
        raise NotFound(f"流程 {process_id} 没有第 {version} 版")
    return row


def precheck(ctx: EngineContext, session: Session, process_id: str, version: int) -> list[MigrationCheck]:
    """Every running or suspended case of an older version, with whether it can move onto `version`."""
    target = ctx.specs.get(session, target_version(session, process_id, version).id)
    rows = session.execute(
        select(ProcessInstance, ProcessVersion.version)
        .join(ProcessVersion, ProcessVersion.id == ProcessInstance.version_id)
        .where(
            ProcessInstance.process_id == process_id,
            ProcessInstance.status.in_(("running", "suspended")),
            ProcessVersion.version < version,
        )
        .order_by(ProcessInstance.id)
    ).all()
    return [_check(ctx, session, instance, old, target) for instance, old in rows]


def _check(
    ctx: EngineContext, session: Session, instance: ProcessInstance, old: int, target: VersionInfo
) -> MigrationCheck:
    steps = tuple(
        session.scalars(
            select(HumanTask.title).where(HumanTask.instance_id == instance.id, HumanTask.status == "ready")
        )
    )
    reasons = _reasons(ctx, session, instance, target)
    return MigrationCheck(instance.id, instance.title or "", old, steps, not reasons, tuple(reasons))


def _reasons(
    ctx: EngineContext, session: Session, instance: ProcessInstance, target: VersionInfo
) -> list[str]:
    if instance.status == "suspended":
        return ["案件已中止：恢复后再迁移"]
    wf = _loaded(ctx, session, instance)
    reasons = spiff.migration_blockers(wf, target.specs.spec, target.specs.subprocess_specs)
    if reasons:
        return reasons
    try:
        spiff.migrate(wf, target.specs.spec, target.specs.subprocess_specs)  # a throwaway copy
    except ProcessFailed as exc:
        return [str(exc)]
    return [reason for task in spiff.ready_user_tasks(wf) for reason in _missing(task, target)]


def _loaded(ctx: EngineContext, session: Session, instance: ProcessInstance) -> Any:
    version = ctx.specs.get(session, instance.version_id)
    return spiff.load(version.specs, instance.state_json, instance.serializer_version)


def _missing(task: spiff.ReadyTask, target: VersionInfo) -> list[str]:
    """What the new version's form and instructions of an open step need that the case lacks."""
    reasons = []
    form_name = task.properties.get("formJsonSchemaFilename", "")
    if form_name and f"forms/{form_name}" not in target.sources:
        reasons.append(f"新版本的「{task.name}」使用的表单 forms/{form_name} 不存在")
    try:
        needed = meta.find_undeclared_variables(_TEMPLATES.parse(task.instructions or ""))
    except TemplateError:  # validation reports a broken template; here it is only not read
        needed = set()
    lacking = sorted(n for n in needed if n not in task.data and n not in _TEMPLATES.globals)
    if lacking:
        reasons.append(f"新版本的「{task.name}」需要数据 {'、'.join(lacking)}，本案没有")
    return reasons


def migrate_case(
    ctx: EngineContext, actor: Actor, instance_id: int, process_id: str, version: int, reason: str
) -> MigrationOutcome:
    """Move one case in one transaction; on any failure nothing of it changes and the refusal is audited."""
    try:
        with ctx.db.transaction() as session:
            old = _move(ctx, session, actor, instance_id, process_id, version, reason)
            return MigrationOutcome(instance_id, True, f"已由第 {old} 版迁移到第 {version} 版")
    except EngineError as exc:
        with ctx.db.transaction() as session:
            audit.append(
                session,
                ctx.audit_key,
                at=ctx.clock.now(),
                actor=actor.username,
                kind="migration_failed",
                instance_id=instance_id,
                payload={"to_version": version, "error": str(exc)},
            )
        return MigrationOutcome(instance_id, False, str(exc))


def _move(
    ctx: EngineContext,
    session: Session,
    actor: Actor,
    instance_id: int,
    process_id: str,
    version: int,
    reason: str,
) -> int:
    instance = ctx.db.lock_instance(session, instance_id)
    if instance is None or instance.process_id != process_id:
        raise NotFound("案件不存在")
    if instance.status != "running":  # an ended or void case keeps the version it ended on
        raise Refused("只迁移办理中的案件（已办结、已作废或已中止的不迁移）")
    current = ctx.specs.get(session, instance.version_id)
    target_row = target_version(session, process_id, version)
    if current.version >= version:
        raise Refused(f"案件已在第 {current.version} 版，不能迁移到第 {version} 版")
    target = ctx.specs.get(session, target_row.id)
    reasons = _reasons(ctx, session, instance, target)
    if reasons:
        raise Refused("；".join(reasons))
    wf = spiff.load(current.specs, instance.state_json, instance.serializer_version)
    instance.version_id = target_row.id
    payload = {"from_version": current.version, "to_version": version, "reason": reason}
    act = lambda: spiff.migrate(wf, target.specs.spec, target.specs.subprocess_specs)  # noqa: E731
    advance(ctx, session, instance, wf, actor, "instance_migrated", payload, act=act, takes_part=False)
    titled = set(target.meta["process"].get("step_titles", {}))
    _refresh_open_steps(session, instance.id, spiff.ready_user_tasks(wf), titled)
    return current.version


def _refresh_open_steps(
    session: Session, instance_id: int, ready: list[spiff.ReadyTask], titled: set[str]
) -> None:
    """Open steps that stayed open read as the new version has them (name, form, instructions); their
    holders and deadlines stay."""
    by_guid = {t.guid: t for t in ready}
    rows = session.scalars(
        select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.status == "ready")
    )
    for row in rows:
        task = by_guid.get(row.task_guid)
        if task is not None:
            row.form_ref = task.properties.get("formJsonSchemaFilename")
            row.instructions = task.instructions
            if row.bpmn_id not in titled:  # a title made from the case's data keeps its period
                row.title = task.name
