"""Issuing a document: number it, lay it out, render the DOCX, store it by hash and attach it to the case, in
the caller's transaction (its rollback gives the number back; stored files then stay unreferenced, harmless
under their hash). The PDF — half a second of WeasyPrint — is rendered from the same stored fields by
`render_pdf_of` outside any transaction once that one has committed, and recorded by `attach_pdf`, so no
case waits on it under a lock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .. import attachment_rows, files
from ..clock import CHINA_TZ
from ..db.models import AttachmentLink, Document
from .catalog import CATALOG, catalog
from .numbering import format_number, next_number
from .pdf import render_pdf
from .sheet import Sheet, compose
from .text import redact
from .word import render_docx

Layout = Callable[[Sheet, datetime], bytes]


@dataclass(frozen=True)
class IssuedDocument:
    number: str  # e.g. "示纪函〔2026〕3号"
    kind: str
    title: str  # e.g. "函询通知书"
    docx_sha256: str
    pdf_sha256: str  # "" until the PDF is rendered and attached (render_pdf_of, attach_pdf)
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
    docx = files.store(desk.files_dir, render_docx(sheet, at))
    _attach(session, instance_id, docx, f"{number}{sheet.title}.docx", by_user_id, at)
    row = Document(
        instance_id=instance_id,
        kind=kind,
        year=local.year,
        seq=seq,
        number=number,
        title=sheet.title,
        docx_sha256=docx.sha256,
        pdf_sha256=None,
        template_sha256=spec.template_sha256(),
        issued_at=at,
        issued_by=by,
        fields=kept,
        replaces_id=replaces,
    )
    session.add(row)
    session.flush()
    return IssuedDocument(number, kind, sheet.title, docx.sha256, "", row.id)


def render_pdf_of(desk: Desk, row: Document, layout: Layout = render_pdf) -> files.StoredFile:
    """Render and store the PDF of an issued document from its stored fields: the same sheet as its DOCX at
    the same moment, so the same bytes. No database work: call it outside any transaction. `layout` lays
    the sheet out (a server's: in a child process, engine/documents/layout_process.py)."""
    spec = catalog(desk.documents_dir)[row.kind]
    at = row.issued_at
    day = at.astimezone(CHINA_TZ).date()
    sheet = compose(spec, row.fields or {}, number=row.number, day=day, county=desk.county)
    return files.store(desk.files_dir, layout(sheet, at))


def attach_pdf(session: Session, document_id: int, pdf: files.StoredFile) -> Document | None:
    """Record a rendered PDF on its document and attach it to the case; None when the document has one
    already (another process rendered it) or is gone (its transaction was rolled back)."""
    row = session.get(Document, document_id)
    if row is None or row.pdf_sha256 is not None:
        return None
    attachment_rows.hold(session, pdf, row.issued_at)
    claimed = session.execute(
        update(Document)
        .where(Document.id == document_id, Document.pdf_sha256.is_(None))
        .values(pdf_sha256=pdf.sha256)
        .execution_options(synchronize_session="fetch")
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]  # rendered meanwhile by another process
        return None
    filer = session.scalar(  # filed by whoever filed its DOCX (in the transaction that issued it)
        select(AttachmentLink.uploaded_by).where(
            AttachmentLink.instance_id == row.instance_id, AttachmentLink.sha256 == row.docx_sha256
        )
    )
    _attach(session, row.instance_id, pdf, f"{row.number}{row.title}.pdf", int(filer), row.issued_at)
    session.flush()
    return row


def _attach(
    session: Session, instance_id: int, item: files.StoredFile, name: str, by: int, at: datetime
) -> None:
    attachment_rows.hold(session, item, at)  # once per content, whoever stored it first
    session.add(
        AttachmentLink(
            instance_id=instance_id, sha256=item.sha256, filename=name[:200], uploaded_by=by, uploaded_at=at
        )
    )
