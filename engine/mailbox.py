"""Messages for running instances (BPMN intermediate message catch events): a 一案双查 waits for the case's
处分 before it decides on 问责. A process says in process.toml which messages it catches and by which keys
they are meant for one of its instances: `catches = { case_sanctioned = ["case_no", "subject_unit"] }`.

A thrown message is posted; it goes at once to every instance waiting for it whose data agree with the
message on those keys, or stays posted until such an instance starts waiting (the message may come first).
Nothing is lost and nothing is deleted: every post records who threw it, when, and whom it reached.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from .context import EngineContext, VersionInfo
from .db.models import ProcessInstance, ProcessVersion
from .db.oversight import MessagePost, MessageWait


def catches(version: VersionInfo) -> dict[str, list[str]]:
    """The messages a version's instances may wait for, each with its correlation keys."""
    return dict(version.meta["process"].get("catches", {}))


def is_caught(ctx: EngineContext, session: Session, message: str) -> bool:
    """Whether the latest version of some process catches `message` (so it may wait in a post)."""
    latest = select(func.max(ProcessVersion.id)).group_by(ProcessVersion.process_id).scalar_subquery()
    ids = session.scalars(select(ProcessVersion.id).where(ProcessVersion.id.in_(latest)))
    return any(message in catches(ctx.specs.get(session, vid)) for vid in ids)


def _agrees(match: dict[str, Any], payload: dict[str, Any]) -> bool:
    return all(payload.get(key) == value for key, value in match.items())


def post(
    ctx: EngineContext, session: Session, source_id: int, message: str, payload: dict[str, Any]
) -> MessagePost:
    row = MessagePost(message=message, payload=payload, source_id=source_id, sent_at=ctx.clock.now())
    session.add(row)
    session.flush()
    return row


def waiting_for(session: Session, message: str, payload: dict[str, Any]) -> list[int]:
    """The running instances waiting for this message whose correlation values agree with it."""
    rows = session.execute(
        select(MessageWait.instance_id, MessageWait.match)
        .join(ProcessInstance, ProcessInstance.id == MessageWait.instance_id)
        .where(MessageWait.message == message, ProcessInstance.status == "running")
        .order_by(MessageWait.instance_id)
    )
    return [instance_id for instance_id, match in rows if _agrees(match, payload)]


def delivered(ctx: EngineContext, row: MessagePost, instance_id: int) -> None:
    if row.delivered_to is None:
        row.delivered_to, row.delivered_at = instance_id, ctx.clock.now()


def take(
    ctx: EngineContext,
    session: Session,
    instance: ProcessInstance,
    version: VersionInfo,
    waiting: list[str],
    data: dict[str, Any],
) -> tuple[str, dict[str, Any]] | None:
    """The oldest posted, undelivered message one of the instance's waiting catch events is meant to get
    (marked delivered to it), or None."""
    keys = catches(version)
    names = [name for name in waiting if name in keys]
    if not names:
        return None
    posts = session.scalars(
        select(MessagePost)
        .where(MessagePost.message.in_(names), MessagePost.delivered_to.is_(None))
        .order_by(MessagePost.id)
    )
    for row in posts:
        if _agrees({key: data.get(key) for key in keys[row.message]}, row.payload):
            delivered(ctx, row, instance.id)
            return row.message, dict(row.payload)
    return None


def keep_waits(
    session: Session,
    instance: ProcessInstance,
    version: VersionInfo,
    waiting: list[str],
    data: dict[str, Any],
) -> None:
    """Record what the instance waits for now (nothing once it has ended)."""
    keys = catches(version)
    if not keys:
        return  # its process catches no message: it never had a wait
    session.execute(delete(MessageWait).where(MessageWait.instance_id == instance.id))
    if instance.status != "running":
        return
    for name in waiting:
        if name in keys:
            session.add(
                MessageWait(instance_id=instance.id, message=name, match={k: data.get(k) for k in keys[name]})
            )
