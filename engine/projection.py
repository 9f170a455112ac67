"""After every engine run: READY user tasks become human_task rows; rows no longer READY are closed."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from jinja2 import StrictUndefined, TemplateError
from sqlalchemy import select
from sqlalchemy.orm import Session

from . import notices, spiff
from .access import assignment, eligible_user_ids
from .clock import CHINA_TZ
from .context import EngineContext
from .data_templates import DataSandbox
from .db.models import HumanTask, InstanceParticipant, InstanceRecusal, ProcessInstance
from .roles import Role


def project_tasks(
    ctx: EngineContext,
    session: Session,
    instance: ProcessInstance,
    ready: list[spiff.ReadyTask],
    now: datetime,
    recused: Recusals,
    completed_guid: str | None = None,
    completed_by: int | None = None,
    joining: dict[int, str] | None = None,
) -> list[HumanTask]:
    """Bring the instance's human_task rows in line with the engine; returns the newly opened rows.
    Whoever may hold a new step takes part in the case, with `joining` (the actor: user id → staff or
    external) — recorded in one go. `recused`: the run's memo of who withdrew from the case."""
    open_rows = {
        row.task_guid: row
        for row in session.scalars(
            select(HumanTask).where(HumanTask.instance_id == instance.id, HumanTask.status == "ready")
        )
    }
    ready_data = {t.guid: t.data for t in ready}
    closed = []
    for guid, row in open_rows.items():
        if guid in ready_data:
            data = snapshot(ready_data[guid])  # data may change while a step waits (messages, 纠错)
            if data != row.data:
                row.data = data
            continue
        row.status = "completed" if guid == completed_guid else "cancelled"
        row.completed_at = now
        row.completed_by = completed_by if guid == completed_guid else None
        row.data = None  # the workflow's history keeps it
        closed.append(row.id)
    notices.clear(session, closed, now)
    people = dict(joining or {})
    opened = [
        _open(ctx, session, instance, task, now, recused, people)
        for task in ready
        if task.guid not in open_rows
    ]
    add_people(session, instance.id, people)
    session.flush()
    return opened


def snapshot(data: dict[str, Any]) -> dict[str, Any]:
    """The step's data as JSON keeps it (what the workflow's serializer would write, dates as text)."""
    return dict(json.loads(json.dumps(data, default=str)))


def lane_role(
    ctx: EngineContext, session: Session, instance: ProcessInstance, lane: str | None, data: dict[str, Any]
) -> Role | None:
    """The role holding a lane's steps: the lane's own, unless the case's `lane_roles` variable hands the
    lane to one of the roles process.toml `lane_roles` allows for it (整改 of 巡察 findings: 巡察办)."""
    own = ctx.roles.by_lane(lane)
    wanted = (data.get("lane_roles") or {}).get(lane) if isinstance(data.get("lane_roles"), dict) else None
    if own is None or not wanted:
        return own
    allowed = ctx.specs.get(session, instance.version_id).meta["process"].get("lane_roles", {})
    if wanted not in allowed.get(lane, ()) or wanted not in ctx.roles.roles:
        raise LookupError(f"lane {lane!r} may not be handed to role {wanted!r} (process.toml lane_roles)")
    return ctx.roles.roles[wanted]


class Recusals:
    """Who withdrew from the case (回避), read once for all the steps and notices of one run."""

    def __init__(self, session: Session, instance_id: int):
        self._session, self._instance_id = session, instance_id
        self._ids: set[int] | None = None

    def __call__(self) -> set[int]:
        if self._ids is None:
            query = select(InstanceRecusal.user_id).where(InstanceRecusal.instance_id == self._instance_id)
            self._ids = set(self._session.scalars(query))
        return self._ids


def _open(
    ctx: EngineContext,
    session: Session,
    instance: ProcessInstance,
    task: spiff.ReadyTask,
    now: datetime,
    recusals: Recusals,
    people_joining: dict[int, str],
) -> HumanTask:
    role = lane_role(ctx, session, instance, task.lane, task.data)
    if role is None:  # lint refuses such a model; an old version could still carry one
        raise LookupError(f"lane {task.lane!r} has no role")
    unit, assignee = assignment(role, task.data, lambda name: ctx.user_id(session, name))
    recused = recusals()
    if assignee in recused:
        assignee = None  # the person named withdrew from the case: the step is open to the role (回避)
    meta = ctx.specs.get(session, instance.version_id).meta
    due = _due_date(ctx, task, meta.get("step_days", {}), now)
    row = HumanTask(
        instance_id=instance.id,
        task_guid=task.guid,
        bpmn_id=task.bpmn_id,
        title=_title(task, meta["process"].get("step_titles", {})),
        lane=role.lane,
        role=role.code,
        unit_id=unit,
        assignee_id=assignee,
        status="ready",
        form_ref=task.properties.get("formJsonSchemaFilename"),
        instructions=task.instructions,
        created_at=now,
        due_date=due,
        due_provisional=bool(due and ctx.calendar.is_provisional(due)),
        calendar_version=ctx.calendar.version if due else None,
        data=snapshot(task.data),
    )
    session.add(row)
    session.flush()
    kind = "external" if role.external else "staff"
    people = eligible_user_ids(session, role.code, unit, assignee)
    for uid in people:  # staff wins over external when both apply
        people_joining[uid] = "staff" if "staff" in (kind, people_joining.get(uid)) else kind
    due_text = f"，期限 {due}" if due else ""
    notices.deliver(
        session,
        instance.id,
        [uid for uid in people if uid not in recused],  # who holds the new step (notices.holders)
        "new_task",
        f"【新待办】{instance.title}：“{row.title}”{due_text}",
        now,
        row.id,
    )
    return row


_TITLES = DataSandbox(undefined=StrictUndefined)  # a name the data lacks: the plain name


def _title(task: spiff.ReadyTask, step_titles: dict[str, str]) -> str:
    """The step's name, or process.toml `[step_titles]` over its data: a periodic step says its period
    (“C-4 报送整改进展（2026年4月）”), so repeated steps never read alike (issue 10 #5)."""
    template = step_titles.get(task.bpmn_id)
    if not template:
        return task.name
    try:
        return _TITLES.from_string(template).render(**task.data).strip()[:200] or task.name
    except TemplateError:
        return task.name


def _due_date(
    ctx: EngineContext, task: spiff.ReadyTask, step_days: dict[str, int], now: datetime
) -> date | None:
    """The step's deadline: the date its `dueDateVariable` names, or the working days process.toml
    `[step_days]` gives it from the day it opens; None for a step `[undated]` says why it has none."""
    var = task.properties.get("dueDateVariable")
    value: Any = task.data.get(var) if var else None
    if value:
        return date.fromisoformat(str(value)[:10])
    if task.bpmn_id in step_days:
        return ctx.calendar.add_working_days(
            now.astimezone(CHINA_TZ).date(), int(step_days[task.bpmn_id])
        ).due
    return None


def add_participants(session: Session, instance_id: int, user_ids: list[int], kind: str) -> None:
    """Record that these users take part; staff participation is never downgraded to external."""
    add_people(session, instance_id, dict.fromkeys(user_ids, kind))


def add_people(session: Session, instance_id: int, people: dict[int, str]) -> None:
    """Record that these users take part, each as staff or external (one read, then the new rows);
    staff participation is never downgraded to external."""
    if not people:
        return
    known = {
        uid: k
        for uid, k in session.execute(
            select(InstanceParticipant.user_id, InstanceParticipant.kind).where(
                InstanceParticipant.instance_id == instance_id, InstanceParticipant.user_id.in_(list(people))
            )
        )
    }
    for uid, kind in people.items():
        if uid not in known:
            session.add(InstanceParticipant(instance_id=instance_id, user_id=uid, kind=kind))
        elif kind == "staff" and known[uid] != "staff":
            session.get(InstanceParticipant, (instance_id, uid)).kind = "staff"  # type: ignore[union-attr]


def deliver_notices(
    ctx: EngineContext,
    session: Session,
    instance: ProcessInstance,
    called: list[tuple[str, str]],
    data: dict[str, Any],
    now: datetime,
    recusals: Recusals,
) -> None:
    """Turn the notify() calls of a run into notifications for the holders of each lane's role."""
    for lane, text in called:
        role = lane_role(ctx, session, instance, lane, data)
        if role is None:
            continue
        unit, assignee = assignment(role, data, lambda name: ctx.user_id(session, name))
        recused = recusals()
        people = [uid for uid in eligible_user_ids(session, role.code, unit, assignee) if uid not in recused]
        notices.deliver(session, instance.id, people, "notice", text, now, lane=role.lane)
