"""Append-only audit log with an HMAC hash chain, and its verifier (RELIABILITY: tamper evidence)."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from .db.models import AuditEvent
from .identity import for_audit

GENESIS = "0" * 64


def _digest(key: bytes, prev_hash: str, event: AuditEvent) -> str:
    body = json.dumps(
        [
            event.at.astimezone(UTC).isoformat(),
            event.actor,
            event.instance_id,
            event.task_id,
            event.kind,
            event.payload,
        ],
        ensure_ascii=False,
        sort_keys=True,
    )
    return hmac.new(key, (prev_hash + body).encode("utf-8"), hashlib.sha256).hexdigest()


def append(
    session: Session,
    key: bytes,
    *,
    at: datetime,
    actor: str,
    kind: str,
    instance_id: int | None = None,
    task_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add one event to the chain, in the caller's transaction (no unaudited change: F22)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(7341)"))  # one chain, one appender at a time
    last = session.execute(select(AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)).scalar()
    event = AuditEvent(
        at=at,
        actor=actor,
        instance_id=instance_id,
        task_id=task_id,
        kind=kind,
        payload=for_audit(json.dumps(payload or {}, ensure_ascii=False, sort_keys=True, default=str)),
        prev_hash=last or GENESIS,
    )
    event.hash = _digest(key, event.prev_hash, event)
    session.add(event)
    session.flush()
    return event


def verify(session: Session, key: bytes) -> int | None:
    """The seq of the first event that was altered, removed or reordered; None when the chain is intact."""
    prev = GENESIS
    for event in session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).yield_per(1000):
        if event.prev_hash != prev or not hmac.compare_digest(event.hash, _digest(key, prev, event)):
            return event.seq
        prev = event.hash
    return None


def verify_case(session: Session, key: bytes, instance_id: int) -> int | None:
    """The seq of the first event of one case that was altered, or whose place in the chain was
    (its predecessor's hash differs from the one it recorded); None when the case's events hold."""
    events = list(
        session.scalars(
            select(AuditEvent).where(AuditEvent.instance_id == instance_id).order_by(AuditEvent.seq)
        )
    )
    wanted = [e.seq - 1 for e in events]
    before = dict(
        session.execute(select(AuditEvent.seq, AuditEvent.hash).where(AuditEvent.seq.in_(wanted))).all()
    )
    for event in events:
        previous = before.get(event.seq - 1)
        if previous is None and event.seq > 1:  # a gap in the numbering (PostgreSQL): ask for the one before
            previous = session.scalar(
                select(AuditEvent.hash)
                .where(AuditEvent.seq < event.seq)
                .order_by(AuditEvent.seq.desc())
                .limit(1)
            )
        if event.prev_hash != (previous or GENESIS) or not hmac.compare_digest(
            event.hash, _digest(key, event.prev_hash, event)
        ):
            return event.seq
    return None
