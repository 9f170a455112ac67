"""Uploads (issue 11 #10): a file is stored at once, but its link to the case stays pending until the
submission that names it is accepted (a start form, a step's form, by page or API). A refused submission
attaches nothing: the case's file list, its downloads for others and its history never show it; the
uploader keeps it for the corrected submission."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import attachment_rows, audit, files, queries
from .context import EngineContext
from .db.models import AttachmentLink, HumanTask, User
from .errors import NotFound
from .records import Actor, AttachmentView

_SHA256 = re.compile(r"[0-9a-f]{64}")  # how a submission names an upload


def upload(
    ctx: EngineContext, actor: Actor, filename: str, content: bytes, instance_id: int | None
) -> AttachmentView:
    """Store a file for a case the actor may see or act in (or for a start form: `instance_id` None),
    pending until a submission of the actor's names it."""
    with ctx.db.reading() as session:
        if instance_id is not None and not _may_upload(ctx, session, actor, instance_id):
            raise NotFound("案件不存在")
    stored = files.store(ctx.files_dir, content)  # only once the upload is allowed
    now = ctx.clock.now()
    name = safe_name(filename)
    with ctx.db.transaction() as session:
        link = None
        if instance_id is not None:  # the same file under the same name is on the case (or staged) already
            ctx.db.lock_instance(session, instance_id)  # as the sweep: the case, then the content's row
            link = session.scalar(
                select(AttachmentLink).where(
                    AttachmentLink.instance_id == instance_id,
                    AttachmentLink.sha256 == stored.sha256,
                    AttachmentLink.filename == name,
                )
            )
        _hold(ctx, session, stored, content, now)
        if link is not None and link.pending:
            link.uploaded_at = now  # uploaded again: kept for the corrected submission from now on
        if link is None:
            link = AttachmentLink(
                instance_id=instance_id,
                sha256=stored.sha256,
                filename=name,
                uploaded_by=actor.id,
                uploaded_at=now,
                pending=True,
            )
            session.add(link)
            session.flush()
            audit.append(
                session,
                ctx.audit_key,
                at=now,
                actor=actor.username,
                kind="attachment_uploaded",
                payload={"filename": name, "sha256": stored.sha256, "pending_for": instance_id},
            )
        return AttachmentView(
            link.id, stored.sha256, link.filename, stored.mime, stored.size, link.uploaded_at
        )


def _hold(
    ctx: EngineContext, session: Session, stored: files.StoredFile, content: bytes, at: datetime
) -> None:
    """The file's Attachment row, locked until the upload commits, and the file itself: a file the stale-
    upload sweep removed after `files.store` found it present is written again, so a new link never names a
    missing file (engine/upload_sweep.py)."""
    attachment_rows.hold(session, stored, at)
    if not files.path_of(ctx.files_dir, stored.sha256).exists():
        files.store(ctx.files_dir, content)


def lock_uploader(session: Session, user_id: int) -> None:
    """Lock the person's row until the transaction ends: a start form naming uploads they staged is validated
    and attached under it, and the sweep discards a stale one under it (PostgreSQL; SQLite's write lock
    already serializes both)."""
    session.execute(select(User.id).where(User.id == user_id).with_for_update())


def attach_named(
    ctx: EngineContext, session: Session, actor: Actor, instance_id: int, data: dict[str, Any]
) -> None:
    """Pending uploads that the accepted submission `data` names join the case — those staged for it, and
    the actor's staged for a start form — each an event of the case's history."""
    named = names(data)
    if not named:
        return  # nothing in the submission names an upload: no query
    staged = select(AttachmentLink).where(
        AttachmentLink.pending.is_(True),
        (AttachmentLink.instance_id == instance_id)
        | (AttachmentLink.instance_id.is_(None) & (AttachmentLink.uploaded_by == actor.id)),
    )
    for link in session.scalars(staged):
        if link.sha256 in named:
            link.instance_id, link.pending = instance_id, False
            audit.append(
                session,
                ctx.audit_key,
                at=ctx.clock.now(),
                actor=actor.username,
                kind="attachment_uploaded",
                instance_id=instance_id,
                payload={"filename": link.filename, "sha256": link.sha256},
            )


def copy_named(session: Session, source_id: int, target_id: int, data: dict[str, Any]) -> None:
    """Evidence named in a message payload is attached to the instance it starts, too."""
    named = set(_strings(data))
    on_case = (AttachmentLink.instance_id == source_id, AttachmentLink.pending.is_(False))
    for link in session.scalars(select(AttachmentLink).where(*on_case)):
        if link.sha256 in named:
            session.add(
                AttachmentLink(
                    instance_id=target_id,
                    sha256=link.sha256,
                    filename=link.filename,
                    uploaded_by=link.uploaded_by,
                    uploaded_at=link.uploaded_at,
                )
            )
            named.discard(link.sha256)


def safe_name(filename: str) -> str:
    name = Path(filename.replace("\\", "/")).name.strip() or "附件"
    return name[:200]


def _may_upload(ctx: EngineContext, session: Session, actor: Actor, instance_id: int) -> bool:
    if queries.can_see_instance(ctx, session, actor, instance_id):
        return True
    task = session.scalar(
        select(HumanTask.id).where(HumanTask.instance_id == instance_id, queries.task_actionable(actor))
    )
    return task is not None


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)


def names(data: dict[str, Any]) -> set[str]:
    """The texts in a submission that name an upload (a SHA-256 in hex)."""
    return {text for text in _strings(data) if _SHA256.fullmatch(text)}
