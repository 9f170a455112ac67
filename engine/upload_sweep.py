"""Stale uploads discarded (issue 11 #10): an upload stays pending until an accepted submission names it
(engine/uploads.py); one that none named within `pending_upload_days` — its submission was refused and
never made good — is removed by the worker, with its file unless the same content is on a case or in a
document (files are stored once per content). Each removal is in the audit trail.

Races (PostgreSQL; SQLite has one writer at a time): a pending upload of a case is removed under the case's
lock, which a completion validating a submission that names it and an upload to the case hold too; one staged
for a start form under its uploader's row lock, which a start holds while it validates and attaches. The row
and file of its content are removed under the Attachment row's lock, which a new upload of the same content
takes before it links it (and writes the file again if this sweep removed it after the upload found it
stored). A file is set aside, not deleted, until the removal commits, and put back if it does not; one a
killed worker left aside is put back or deleted when a worker starts (`put_back_set_aside`).
"""

from __future__ import annotations

import os
from contextlib import suppress
from datetime import datetime, timedelta
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from . import audit, files, uploads
from .context import EngineContext
from .db.models import Attachment, AttachmentLink, Document, User

ASIDE = ".discarded"  # a file set aside until the transaction that discards it commits


def sweep(ctx: EngineContext) -> int:
    """Discard the pending uploads older than the setting's days; returns how many."""
    cutoff = ctx.clock.now() - timedelta(days=ctx.settings.pending_upload_days)
    with ctx.db.reading() as session:
        stale = session.execute(
            select(AttachmentLink.id, AttachmentLink.instance_id, AttachmentLink.uploaded_by).where(
                AttachmentLink.pending.is_(True), AttachmentLink.uploaded_at < cutoff
            )
        ).all()
    return sum(1 for link in stale if _discard(ctx, Stale(*link), cutoff))


class Stale(NamedTuple):
    link_id: int
    instance_id: int | None  # None: staged for a start form
    uploaded_by: int


def _discard(ctx: EngineContext, stale: Stale, cutoff: datetime) -> bool:
    """One stale upload gone, in a transaction of its own; its file is set aside before the commit and
    deleted after it (put back if the commit fails: the link is back too)."""
    aside: list[Path] = []
    try:
        with ctx.db.transaction() as session:
            discarded = _discard_link(ctx, session, stale, cutoff, aside)
    except BaseException:
        for path in aside:
            with suppress(FileNotFoundError):  # a starting worker put it back already
                os.replace(path, path.with_name(path.name.removesuffix(ASIDE)))
        raise
    for path in aside:
        path.unlink(missing_ok=True)
    return discarded


def _discard_link(
    ctx: EngineContext, session: Session, stale: Stale, cutoff: datetime, aside: list[Path]
) -> bool:
    # the lock a submission naming it is validated under: its case's, or for a start form its uploader's
    if stale.instance_id is not None:
        ctx.db.lock_instance(session, stale.instance_id)
    else:
        uploads.lock_uploader(session, stale.uploaded_by)
    link = session.scalar(
        select(AttachmentLink)
        .where(AttachmentLink.id == stale.link_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if link is None or not link.pending or link.uploaded_at >= cutoff:  # named, or uploaded again, meanwhile
        return False
    uploader = session.scalar(select(User.username).where(User.id == link.uploaded_by))
    audit.append(
        session,
        ctx.audit_key,
        at=ctx.clock.now(),
        actor="system",
        kind="attachment_discarded",
        payload={
            "filename": link.filename,
            "sha256": link.sha256,
            "pending_for": link.instance_id,
            "uploaded_by": uploader,
            "uploaded_at": link.uploaded_at.isoformat(),
        },
    )
    session.delete(link)
    session.flush()
    if _unused(session, link.sha256):
        path = files.path_of(ctx.files_dir, link.sha256)
        if path.exists():
            aside.append(path.rename(path.with_name(path.name + ASIDE)))
    return True


def _unused(session: Session, sha256: str) -> bool:
    """Whether no link and no document names the content; if so its row is removed, under the row's lock."""
    row = session.scalar(select(Attachment).where(Attachment.sha256 == sha256).with_for_update())
    if row is None:
        return True
    linked = session.scalar(select(AttachmentLink.id).where(AttachmentLink.sha256 == sha256).limit(1))
    documented = session.scalar(
        select(Document.id).where(or_(Document.docx_sha256 == sha256, Document.pdf_sha256 == sha256)).limit(1)
    )
    if linked is not None or documented is not None:
        return False
    session.delete(row)
    session.flush()
    return True


def put_back_set_aside(ctx: EngineContext) -> int:
    """Files a worker killed in the middle of a removal left set aside: put back where their row still is (the
    removal was rolled back), deleted where it is gone; returns how many were put back."""
    put_back = 0
    for path in ctx.files_dir.glob(f"*/*{ASIDE}") if ctx.files_dir.exists() else ():
        sha256 = path.name.removesuffix(ASIDE)
        with ctx.db.reading() as session:
            kept = session.get(Attachment, sha256) is not None
        if kept:
            os.replace(path, path.with_name(sha256))
            put_back += 1
        else:
            path.unlink(missing_ok=True)
    return put_back
