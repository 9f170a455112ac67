"""回避 as a procedure (监察法 §58, 实施条例 §263–264, DOMAIN.md §9; issue 8). An officer asks to
withdraw, or the person concerned or the reporter asks that an officer withdraw (in writing, or orally as
recorded by staff); the 纪委书记 decides — for the 纪委书记 himself, the decision of the level above is
recorded. A decision to withdraw takes effect at once: the case disappears from the person's pages and
API, their open steps there go back to their office (and the supervisors are told to reassign them),
and no form that picks people will take them for this case again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import audit
from .access import instance_visible
from .context import EngineContext
from .db.models import (
    HumanTask,
    InstanceParticipant,
    InstanceRecusal,
    ProcessInstance,
    User,
    UserRole,
)
from .db.oversight import RecusalRequest
from .directory import by_name
from .errors import Conflict, NotFound, NotPermitted, Refused
from .notices import deliver
from .records import Actor

REQUESTERS = ("本人", "被反映人", "检举控告人", "其他")
FORMS = ("书面", "口头")
DECIDER = "SJ"  # 纪委书记、监委主任 decides (监察法 §58)
RECORDERS = ("AG", "FG")  # record the upper level's decision when the 纪委书记 himself is to withdraw


@dataclass(frozen=True)
class RecusalView:
    id: int
    instance_id: int
    case_title: str
    person: str
    requester: str
    form: str
    grounds: str
    requested_by: str
    requested_at: datetime
    status: str  # pending | approved | rejected
    decided_by: str
    decided_at: datetime | None
    opinion: str
    upper_level: str


def _user(session: Session, person: Any) -> User:
    """The active person named by login or by a name only one active person bears."""
    login = by_name(session, str(person or ""))  # None: nobody, or a name two people bear
    user = session.scalar(select(User).where(User.username == login)) if login else None
    if user is None:
        raise Refused("查无此人，请填写须回避人员的姓名（有同名人员时填写其用户名）")
    return user


def _officers_of(session: Session, instance_id: int) -> set[int]:
    """The staff who handled the case: who started it, who did or holds a step of it (not outsiders)."""
    instance = session.get(ProcessInstance, instance_id)
    done = session.scalars(
        select(HumanTask.completed_by).where(
            HumanTask.instance_id == instance_id, HumanTask.completed_by.is_not(None)
        )
    )
    held = session.scalars(
        select(HumanTask.assignee_id).where(HumanTask.instance_id == instance_id, HumanTask.assignee_id > 0)
    )
    staff = set(
        session.scalars(
            select(InstanceParticipant.user_id).where(
                InstanceParticipant.instance_id == instance_id, InstanceParticipant.kind == "staff"
            )
        )
    )
    return {uid for uid in (*done, *held, instance.started_by if instance else 0) if uid in staff}


def _announce(
    ctx: EngineContext, session: Session, actor: Actor, instance: ProcessInstance, payload: dict
) -> None:
    audit.append(
        session,
        ctx.audit_key,
        at=ctx.clock.now(),
        actor=actor.username,
        kind="recusal",
        instance_id=instance.id,
        payload=payload,
    )


def request(
    ctx: EngineContext, actor: Actor, instance_id: int, username: Any, grounds: Any, requester: Any, form: Any
) -> int:
    """File a request that `username` withdraw from the case; returns its id. Staff who see the case may
    file or record any request; a person concerned with a step in it may ask that one of its officers
    withdraw (written)."""
    text = str(grounds or "").strip()
    if not text:
        raise Refused("请填写申请回避的理由")
    if requester not in REQUESTERS or form not in FORMS:
        raise Refused(f"申请人只能是{'、'.join(REQUESTERS)}，形式只能是{'、'.join(FORMS)}")
    with ctx.db.transaction() as session:
        instance = session.get(ProcessInstance, instance_id)
        sees = session.scalar(
            select(ProcessInstance.id).where(
                ProcessInstance.id == instance_id, instance_visible(actor, ctx.roles)
            )
        )
        person = _user(session, username)
        concerned = (
            session.get(InstanceParticipant, (instance_id, actor.id)) is not None
            and requester == "被反映人"
            and form == "书面"
        )
        if instance is None or not (sees or concerned):
            raise NotFound("案件不存在")
        if not sees and person.id not in _officers_of(session, instance_id):
            raise Refused("只能申请本案件的承办人员回避")
        if requester == "本人" and person.id != actor.id:
            raise Refused("“本人申请”只能申请自己回避")
        if session.get(InstanceRecusal, (instance_id, person.id)) is not None:
            raise Conflict(f"{person.display_name}已回避本案件")
        row = RecusalRequest(
            instance_id=instance_id,
            user_id=person.id,
            requested_by=actor.id,
            requester=requester,
            form=form,
            grounds=text,
            requested_at=ctx.clock.now(),
            status="pending",
            opinion="",
            upper_level="",
        )
        session.add(row)
        session.flush()
        deciders = _seeing(ctx, session, instance_id, _deciders(session, person.id))
        deliver(
            session,
            instance_id,
            deciders,
            "intervention",
            f"【回避申请】{instance.title}：申请{person.display_name}回避，请决定。",
            ctx.clock.now(),
        )
        _announce(
            ctx,
            session,
            actor,
            instance,
            {
                "task": f"回避申请（{person.display_name}）",
                "reason": text,
                "requester": requester,
                "form": form,
            },
        )
        return row.id


def _seeing(ctx: EngineContext, session: Session, instance_id: int, user_ids: list[int]) -> list[int]:
    """Those of `user_ids` who may see the case (notices never reach anyone else)."""
    out = []
    for uid in user_ids:
        user = session.get(User, uid)
        roles = frozenset(session.scalars(select(UserRole.role).where(UserRole.user_id == uid)))
        who = Actor(uid, user.username if user else "", "", user.unit_id if user else None, roles)
        if session.scalar(
            select(ProcessInstance.id).where(
                ProcessInstance.id == instance_id, instance_visible(who, ctx.roles)
            )
        ):
            out.append(uid)
    return out


def _holds(session: Session, user_id: int, roles: tuple[str, ...]) -> bool:
    return (
        session.scalar(select(UserRole.user_id).where(UserRole.user_id == user_id, UserRole.role.in_(roles)))
        is not None
    )


def _deciders(session: Session, user_id: int) -> list[int]:
    """Who decides: the 纪委书记; when he is to withdraw, those who record the level above's decision."""
    roles = RECORDERS if _holds(session, user_id, (DECIDER,)) else (DECIDER,)
    return [
        uid
        for uid in session.scalars(select(UserRole.user_id).where(UserRole.role.in_(roles)))
        if uid != user_id
    ]


def decide(
    ctx: EngineContext, actor: Actor, request_id: int, approve: Any, opinion: Any, upper_level: Any = ""
) -> None:
    """Decide a pending request. The 纪委书记 decides; when he is the one to withdraw, 案管室 or the deputy
    secretary records the decision of the level above (`upper_level`: who decided, the document)."""
    with ctx.db.transaction() as session:
        row = session.get(RecusalRequest, request_id)
        if row is None:
            raise NotFound("回避申请不存在")
        instance = ctx.db.lock_instance(session, row.instance_id)
        if instance is None:
            raise NotFound("回避申请不存在")
        himself = _holds(session, row.user_id, (DECIDER,))
        if actor.id == row.user_id:
            raise NotPermitted("本人不能决定自己的回避")
        if not (actor.roles & (set(RECORDERS) if himself else {DECIDER})):
            raise NotPermitted(
                "回避由纪委书记决定" if not himself else "纪委书记的回避由上级决定，由案管室或分管副书记登记"
            )
        upper = str(upper_level or "").strip()
        if himself and not upper:
            raise Refused("请填写上级的决定（决定机关及文号）")
        if row.status != "pending":
            raise Conflict("该回避申请已决定")
        row.status = "approved" if approve in (True, "1", "true", "同意", "approve") else "rejected"
        row.decided_by, row.decided_at, row.opinion, row.upper_level = (
            actor.id,
            ctx.clock.now(),
            str(opinion or "").strip(),
            upper,
        )
        person = session.get(User, row.user_id)
        name = person.display_name if person else ""
        verdict = "同意回避" if row.status == "approved" else "不同意回避"
        if row.status == "approved":
            _withdraw(ctx, session, instance, row.user_id, name)
        deliver(
            session,
            instance.id,
            [row.user_id, row.requested_by],
            "intervention",
            f"【回避决定】{instance.title}：{verdict}（{name}）",
            ctx.clock.now(),
        )
        _announce(
            ctx,
            session,
            actor,
            instance,
            {"task": f"回避决定（{name}）：{verdict}", "reason": row.opinion, "upper_level": upper},
        )


def _withdraw(
    ctx: EngineContext, session: Session, instance: ProcessInstance, user_id: int, name: str
) -> None:
    """The decision takes effect: the person no longer sees the case; their open steps there go back to
    their office and the supervisors are told to reassign them."""
    session.add(InstanceRecusal(instance_id=instance.id, user_id=user_id))
    freed = list(
        session.scalars(
            select(HumanTask).where(
                HumanTask.instance_id == instance.id,
                HumanTask.assignee_id == user_id,
                HumanTask.status.in_(("ready", "suspended")),
            )
        )
    )
    for task in freed:
        task.assignee_id = None  # open to the step's role and unit again (never to the recused person)
    if freed:
        supervisors = _seeing(
            ctx,
            session,
            instance.id,
            list(session.scalars(select(UserRole.user_id).where(UserRole.role == "AG"))),
        )
        steps = "、".join(t.title for t in freed)
        deliver(
            session,
            instance.id,
            supervisors,
            "intervention",
            f"【回避】{instance.title}：{name}已回避，请转办“{steps}”。",
            ctx.clock.now(),
        )


def requests_of(
    ctx: EngineContext, session: Session, actor: Actor, instance_id: int | None = None
) -> list[RecusalView]:
    """Requests on one case the actor sees (None: every pending request the actor is to decide)."""
    query = select(RecusalRequest, ProcessInstance.title).join(
        ProcessInstance, ProcessInstance.id == RecusalRequest.instance_id
    )
    query = query.where(instance_visible(actor, ctx.roles))  # a 机密 case, a recusal: not in anyone's list
    if instance_id is not None:
        query = query.where(RecusalRequest.instance_id == instance_id)
    else:
        query = query.where(RecusalRequest.status == "pending")
    found = session.execute(query.order_by(RecusalRequest.id)).all()
    if not found:
        return []  # every page a decider opens asks: no need to read everyone's names for nothing
    names = dict(session.execute(select(User.id, User.display_name)).all())
    out = []
    for row, title in found:
        deciding = actor.id in _deciders(session, row.user_id)
        if instance_id is None and not deciding:
            continue
        # a reporter's grounds may tell who he is: for 信访室 and the deciders only (DOMAIN.md §9)
        secret = row.requester == "检举控告人" and not deciding and "XF" not in actor.roles
        out.append(
            RecusalView(
                row.id,
                row.instance_id,
                title,
                names.get(row.user_id, ""),
                row.requester,
                row.form,
                "【保密】" if secret else row.grounds,
                names.get(row.requested_by, ""),
                row.requested_at,
                row.status,
                names.get(row.decided_by or 0, ""),
                row.decided_at,
                row.opinion,
                row.upper_level,
            )
        )
    return out


class Recusals:
    """Built by the Engine (`engine.recusals`)."""

    def __init__(self, ctx: EngineContext):
        self.ctx = ctx

    def request(
        self,
        actor: Actor,
        instance_id: int,
        username: Any,
        grounds: Any,
        requester: Any = "本人",
        form: Any = "书面",
    ) -> int:
        return request(self.ctx, actor, instance_id, username, grounds, requester, form)

    def decide(
        self, actor: Actor, request_id: int, approve: Any, opinion: Any, upper_level: Any = ""
    ) -> None:
        decide(self.ctx, actor, request_id, approve, opinion, upper_level)

    def of_case(self, actor: Actor, instance_id: int) -> list[RecusalView]:
        with self.ctx.db.reading() as session:
            return requests_of(self.ctx, session, actor, instance_id)

    def may_decide(self, actor: Actor) -> bool:
        """Whether this person decides 回避 (the 纪委书记) or records the upper level's decision."""
        return bool(actor.roles & {DECIDER, *RECORDERS})

    def pending(self, actor: Actor) -> list[RecusalView]:
        """The requests waiting for this person's decision."""
        with self.ctx.db.reading() as session:
            return requests_of(self.ctx, session, actor)

    def officers(self, actor: Actor, instance_id: int) -> list[tuple[str, str]]:
        """The officers of a case a person concerned may ask to withdraw: (username, name)."""
        with self.ctx.db.reading() as session:
            if session.get(InstanceParticipant, (instance_id, actor.id)) is None:
                return []
            staff = _officers_of(session, instance_id)
            recused = set(
                session.scalars(
                    select(InstanceRecusal.user_id).where(InstanceRecusal.instance_id == instance_id)
                )
            )
            rows = session.execute(
                select(User.username, User.display_name, User.id).where(User.id.in_(staff - recused))
            )
            return sorted((u, n) for u, n, _i in rows)
