"""Extension on request (延期申请, issue 9 #19, D4): whoever holds a step with a deadline — the person
concerned answering a 函询 included — asks for more time with a reason and the date wanted; someone who may
grant 延期 on that case (roles.toml `extend`) approves it, possibly to another date, or refuses it with a
reason. An approval is the 延期 intervention itself: the deadline and its timers move, the case history
keeps the old date, the request and who approved it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .access import task_actionable
from .context import EngineContext
from .db.models import HumanTask, ProcessInstance, User, UserRole
from .db.oversight import ExtensionRequest
from .directory import actor_by_id
from .errors import Conflict, NotFound, NotPermitted, Refused
from .interventions import tasks
from .interventions.common import day_of, notify, permitted_read, reason_of
from .records import Actor


@dataclass(frozen=True)
class RequestView:
    id: int
    task_id: int
    instance_id: int
    case_title: str
    step: str
    due: date
    wanted: date
    reason: str
    requested_by: str
    requested_at: datetime
    status: str  # pending | approved | refused
    decision_note: str = ""
    granted: date | None = None


def request(ctx: EngineContext, actor: Actor, task_id: Any, reason: Any, wanted: Any) -> RequestView:
    """Ask for a later deadline on one's own open step."""
    why = reason_of(reason)
    with ctx.db.transaction() as session:
        row = session.scalar(select(HumanTask).where(HumanTask.id == int(task_id), task_actionable(actor)))
        if row is None:
            raise NotFound("任务不存在")
        if row.due_date is None:
            raise Refused("此事项没有办理期限，无需申请延期")
        day = day_of(wanted, "期限")
        if day <= row.due_date:
            raise Refused(f"申请的期限须晚于现在的期限 {row.due_date}")
        if _pending(session, row.id) is not None:
            raise Conflict("此事项已有待审批的延期申请")
        now = ctx.clock.now()
        item = ExtensionRequest(
            task_id=row.id,
            instance_id=row.instance_id,
            requested_by=actor.id,
            reason=why,
            wanted_due=day,
            requested_at=now,
            status="pending",
        )
        session.add(item)
        session.flush()
        instance = session.get(ProcessInstance, row.instance_id)
        title = instance.title if instance else ""
        text = f"【延期申请】{title}：{actor.display_name}申请将“{row.title}”的期限"
        text += f"由{row.due_date}延至{day}：{why}"
        notify(session, row.instance_id, _deciders(ctx, session, row.instance_id, actor), text, now, row.id)
        return _view(session, item)


def pending(ctx: EngineContext, actor: Actor) -> list[RequestView]:
    """The requests waiting for a decision in the cases this person may grant 延期 in."""
    with ctx.db.reading() as session:
        out = []
        for item in session.scalars(select(ExtensionRequest).where(ExtensionRequest.status == "pending")):
            if _may_decide(ctx, session, actor, item.instance_id):
                out.append(_view(session, item))
        return out


def of_case(ctx: EngineContext, session: Session, instance_id: int) -> list[RequestView]:
    rows = session.scalars(
        select(ExtensionRequest)
        .where(ExtensionRequest.instance_id == instance_id)
        .order_by(ExtensionRequest.id)
    )
    return [_view(session, r) for r in rows]


def decide(
    ctx: EngineContext, actor: Actor, request_id: Any, approve: Any, note: Any, due: Any = None
) -> RequestView:
    """Approve (to the date wanted, or `due`) or refuse, with a reason; the requester is told."""
    why = reason_of(note)
    with ctx.db.reading() as session:
        item = session.get(ExtensionRequest, int(request_id))
        if item is None:
            raise NotFound("延期申请不存在")
        permitted_read(ctx, session, actor, "extend", item.instance_id)
        if item.status != "pending":
            raise Conflict("此延期申请已处理")
        task_id, wanted, requester = item.task_id, item.wanted_due, item.requested_by
    granted = day_of(due, "期限") if due not in (None, "") else wanted
    if approve is True:
        tasks.extend(
            ctx, actor, task_id, f"{why}（依申请）", due=granted.isoformat(), approved_by=actor.display_name
        )
    with ctx.db.transaction() as session:
        item = session.get(ExtensionRequest, int(request_id))
        if item is None or item.status != "pending":
            raise Conflict("此延期申请已处理")
        item.status = "approved" if approve is True else "refused"
        item.decided_by, item.decided_at, item.decision_note = actor.id, ctx.clock.now(), why
        item.granted_due = granted if approve is True else None
        word = f"同意，期限延至{granted}" if approve is True else "不同意"
        text = f"【延期申请】您的延期申请{word}：{why}"
        notify(session, item.instance_id, [requester], text, ctx.clock.now(), item.task_id)
        return _view(session, item)


def _pending(session: Session, task_id: int) -> ExtensionRequest | None:
    return session.scalar(
        select(ExtensionRequest).where(
            ExtensionRequest.task_id == task_id, ExtensionRequest.status == "pending"
        )
    )


def _may_decide(ctx: EngineContext, session: Session, actor: Actor, instance_id: int) -> bool:
    try:
        permitted_read(ctx, session, actor, "extend", instance_id)
    except (NotFound, NotPermitted):
        return False
    return True


def _deciders(ctx: EngineContext, session: Session, instance_id: int, requester: Actor) -> list[int]:
    """Everyone who may grant 延期 in this case (their roles, their scope), the requester aside."""
    roles = sorted(ctx.roles.interventions.get("extend", frozenset()))
    ids = set(
        session.scalars(
            select(User.id)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role.in_(roles), User.active.is_(True))
        )
    )
    people = [actor_by_id(session, i) for i in sorted(ids - {requester.id})]
    return [p.id for p in people if p is not None and _may_decide(ctx, session, p, instance_id)]


def _view(session: Session, item: ExtensionRequest) -> RequestView:
    row = session.get(HumanTask, item.task_id)
    instance = session.get(ProcessInstance, item.instance_id)
    who = session.get(User, item.requested_by)
    return RequestView(
        item.id,
        item.task_id,
        item.instance_id,
        instance.title if instance else "",
        row.title if row else "",
        row.due_date if row and row.due_date else item.wanted_due,
        item.wanted_due,
        item.reason,
        who.display_name if who else "",
        item.requested_at,
        item.status,
        item.decision_note or "",
        item.granted_due,
    )


def of_task(ctx: EngineContext, actor: Actor, task_id: int) -> RequestView | None:
    """The latest request the actor made on this step (to show its state on the step's page)."""
    with ctx.db.reading() as session:
        item = session.scalar(
            select(ExtensionRequest)
            .where(ExtensionRequest.task_id == task_id, ExtensionRequest.requested_by == actor.id)
            .order_by(ExtensionRequest.id.desc())
        )
        return _view(session, item) if item is not None else None


class ExtensionRequests:
    """Built by the Engine (`engine.extension_requests`)."""

    def __init__(self, ctx: EngineContext):
        self.ctx = ctx

    def request(self, actor: Actor, task_id: Any, reason: Any, wanted: Any) -> RequestView:
        """Ask for a later deadline on one's own open step (reason and the date wanted)."""
        return request(self.ctx, actor, task_id, reason, wanted)

    def pending(self, actor: Actor) -> list[RequestView]:
        return pending(self.ctx, actor)

    def of_task(self, actor: Actor, task_id: int) -> RequestView | None:
        return of_task(self.ctx, actor, task_id)

    def decide(self, actor: Actor, request_id: Any, approve: Any, note: Any, due: Any = None) -> RequestView:
        """Grant (to the date wanted, or `due`) or refuse, with the reason; the requester is told."""
        return decide(self.ctx, actor, request_id, approve, note, due)
