"""Issuing a document: number it, lay it out, render DOCX and PDF, store both by hash and attach them to the
case, in the caller's transaction (its rollback gives the number back; stored files then stay unreferenced,
harmless under their hash)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from .. import files
from ..clock import CHINA_TZ
from ..db.models import Attachment, AttachmentLink, Document
from .catalog import CATALOG, catalog
from .numbering import dialect_insert, format_number, next_number
from .pdf import render_pdf
from .sheet import compose
from .text import redact
from .word import render_docx


@dataclass(frozen=True)
class IssuedDocument:
    number: str  # e.g. "示纪函〔2026〕3号"
    kind: str
    title: str  # e.g. "函询通知书"
    docx_sha256: str
    pdf_sha256: str
    id: int = 0


@dataclass(frozen=True)
class Desk:
    """Where documents are made: the templates, the file store, the county whose bodies issue them."""

    documents_dir: Path
    files_dir: Path
    county: str


def issue(
    session: Session,
    desk: Desk,
    *,
    instance_id: int,
    kind: str,
    fields: dict[str, Any],
    at: datetime,
    by: str,
    by_user_id: int,
    replaces: int | None = None,
) -> IssuedDocument:
    """Number, render, store and attach one document of `kind` with `fields` (reporter keys dropped)."""
    if at.tzinfo is None:
        raise ValueError("issue() needs a timezone-aware moment")
    spec = catalog(desk.documents_dir).get(kind)
    if spec is None:
        raise ValueError(f"未知的文书类型：{kind}（应为 {CATALOG} 中的一节）")
    local = at.astimezone(CHINA_TZ)
    seq = next_number(session, kind, local.year)
    number, kept = format_number(spec.prefix, local.year, seq), redact(fields)
    sheet = compose(spec, kept, number=number, day=local.date(), county=desk.county)
    stored = [
        files.store(desk.files_dir, content) for content in (render_docx(sheet, at), render_pdf(sheet, at))
    ]
    for item, suffix in zip(stored, ("docx", "pdf"), strict=True):
        _ensure_attachment(session, item, at)
        session.add(
            AttachmentLink(
                instance_id=instance_id,
                sha256=item.sha256,
                filename=f"{number}{sheet.title}.{suffix}"[:200],
                uploaded_by=by_user_id,
                uploaded_at=at,
            )
        )
    row = Document(
        instance_id=instance_id,
        kind=kind,
        year=local.year,
        seq=seq,
        number=number,
        title=sheet.title,
        docx_sha256=stored[0].sha256,
        pdf_sha256=stored[1].sha256,
        template_sha256=spec.template_sha256(),
        issued_at=at,
        issued_by=by,
        fields=kept,
        replaces_id=replaces,
    )
    session.add(row)
    session.flush()
    return IssuedDocument(number, kind, sheet.title, stored[0].sha256, stored[1].sha256, row.id)


def _ensure_attachment(session: Session, item: files.StoredFile, at: datetime) -> None:
    insert = dialect_insert(session)
    session.execute(
        insert(Attachment)
        .values(sha256=item.sha256, size=item.size, mime=item.mime, created_at=at)
        .on_conflict_do_nothing()
    )
