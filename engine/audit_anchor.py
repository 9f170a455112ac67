"""The audit chain's head kept outside the database (issue 11 #7): the hash chain shows an event altered
or removed in the middle, but not the newest events deleted, since what is left is still a valid chain.
So the head — the last event's number and hash — is written to a file beside the keys
(instance/audit.head, 0600) by every worker sweep and by `qinglian audit anchor`, and the verifier wants
the anchored event still there, with the same hash. The file only moves forward."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from .context import EngineContext
from .db.models import AuditEvent

ANCHOR_FILE = "audit.head"


@dataclass(frozen=True)
class Head:
    seq: int
    hash: str


def path(ctx: EngineContext) -> Path:
    return Path(ctx.settings.instance_dir) / ANCHOR_FILE


def anchored(ctx: EngineContext) -> Head | None:
    """The head last written outside the database, if any."""
    try:
        found = json.loads(path(ctx).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    return Head(int(found["seq"]), str(found["hash"]))


def export(ctx: EngineContext) -> Head | None:
    """Write the database's current head to the anchor file, unless the file is already as far on."""
    with ctx.db.reading() as session:
        row = session.execute(select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc())).first()
    if row is None:
        return anchored(ctx)
    known = anchored(ctx)
    if known is not None and known.seq >= row.seq:
        return known
    head = Head(int(row.seq), str(row.hash))
    target = path(ctx)
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = target.with_name(f"{ANCHOR_FILE}.{os.getpid()}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        json.dump({"seq": head.seq, "hash": head.hash}, file)
    os.replace(temporary, target)  # atomic: a reader sees the old head or the new one
    return head


def missing_tail(ctx: EngineContext, session: Session) -> int | None:
    """The anchored seq when that event is gone or changed (the newest events were deleted or
    rewritten); None when the anchor holds or there is none yet."""
    head = anchored(ctx)
    if head is None:
        return None
    found = session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == head.seq))
    return None if found == head.hash else head.seq
