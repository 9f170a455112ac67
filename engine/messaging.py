"""Routing BPMN messages between instances: a thrown message starts every process whose message start
event waits for it, at most once per correlation, and each start is kept as a link (instance_link)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .context import EngineContext, VersionInfo
from .db.models import InstanceLink, ProcessVersion
from .errors import ProcessFailed

MAX_DEPTH = 4  # messages starting instances that throw messages: A → 一案双查 → 整改 is depth 2
MAX_STARTS = 100  # instances one action may start (a findings table of 10,000 rows is refused)
_depth: ContextVar[int] = ContextVar("qinglian_message_depth", default=0)


@contextmanager
def deeper() -> Iterator[None]:
    depth = _depth.get() + 1
    if depth > MAX_DEPTH:
        raise ProcessFailed(f"消息连锁启动超过 {MAX_DEPTH} 层，疑似流程互相触发（message chain too deep）")
    token = _depth.set(depth)
    try:
        yield
    finally:
        _depth.reset(token)


def receivers(ctx: EngineContext, session: Session, message: str) -> list[VersionInfo]:
    """The latest version of every process that a `message` starts."""
    latest = select(func.max(ProcessVersion.id)).group_by(ProcessVersion.process_id).scalar_subquery()
    ids = session.scalars(select(ProcessVersion.id).where(ProcessVersion.id.in_(latest)))
    found = [ctx.specs.get(session, vid) for vid in ids]
    return [v for v in found if v.meta.get("start_message") == message]


def correlation_of(version: VersionInfo, data: dict[str, Any]) -> str | None:
    """The receiver's correlation key over `data` (process.toml `correlation`), or None."""
    keys = version.meta["process"].get("correlation")
    if not keys:
        return None
    values = json.dumps([data.get(k) for k in keys], ensure_ascii=False, sort_keys=True)
    return f"{version.process_id}:{hashlib.sha256(values.encode('utf-8')).hexdigest()}"  # any length fits


def claim(
    session: Session, message: str, correlation: str | None, source_id: int | None, at: datetime
) -> InstanceLink | None:
    """Record that `message` starts an instance; None if this correlation started one before."""
    same = (InstanceLink.message == message, InstanceLink.correlation == correlation)
    if correlation is not None and session.scalar(select(InstanceLink.id).where(*same)):
        return None
    link = InstanceLink(source_id=source_id, message=message, correlation=correlation, created_at=at)
    try:
        with session.begin_nested():  # a concurrent writer may claim the same correlation first
            session.add(link)
            session.flush()
    except IntegrityError:
        return None
    return link


def _link_to_existing(
    session: Session, message: str, correlation: str | None, source_id: int, at: datetime
) -> None:
    same = (InstanceLink.message == message, InstanceLink.correlation == correlation)
    target = session.scalar(select(InstanceLink.target_id).where(*same))
    if target is not None and target != source_id:
        session.add(
            InstanceLink(
                source_id=source_id, target_id=target, message=message, correlation=None, created_at=at
            )
        )


def route(
    ctx: EngineContext,
    session: Session,
    source_id: int,
    thrown: list[tuple[str, dict[str, Any]]],
    start: Callable[[VersionInfo, dict[str, Any]], int],
    caught: frozenset[str] = frozenset(),
) -> tuple[list[int], list[str]]:
    """Start the receivers of each thrown message; returns (instances started, duplicates ignored). A
    message in `caught` may start nothing: running instances wait for it (engine/mailbox.py)."""
    started: list[int] = []
    duplicates: list[str] = []
    if len(thrown) > MAX_STARTS:
        raise ProcessFailed(f"一次办理最多启动 {MAX_STARTS} 个关联流程（本次 {len(thrown)} 个），请分批提交")
    by_name = {name: receivers(ctx, session, name) for name in {name for name, _ in thrown}}
    for message, payload in thrown:
        targets = by_name[message]
        if not targets and message not in caught:
            raise ProcessFailed(f"没有流程接收消息 {message}（no process starts on message {message!r}）")
        for version in targets:
            correlation = correlation_of(version, payload)
            link = claim(session, message, correlation, source_id, ctx.clock.now())
            if link is None:  # started before (by hand or by another case): link to that one instead
                duplicates.append(f"{message} {version.process_id}")
                _link_to_existing(session, message, correlation, source_id, ctx.clock.now())
                continue
            with deeper():
                link.target_id = start(version, payload)
            started.append(link.target_id)
    return started, duplicates
