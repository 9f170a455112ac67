"""PDFs of issued documents, rendered after the transaction that issues them commits (issue 11 #12/#14).

WeasyPrint takes about half a second per document; inside a completion it held the case's lock (on SQLite
the whole database's write lock) all that time. Now the completion commits with the number and the DOCX,
and its PDF is rendered at once after the commit — in a server on a thread of its own, so the officer's
answer does not wait for it, and laid out in a child process, so the process's other requests do not wait
for the GIL (engine/documents/layout_process.py) — and recorded in a transaction of its own with a
`document_rendered` audit event carrying the PDF's hash. A PDF left unrendered by a crash in between is
rendered by the worker.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from . import audit, documents
from .context import EngineContext
from .db.models import Document

log = logging.getLogger(__name__)
_PENDING = "qinglian.pdf_pending"  # session.info key: the documents the transaction issued
LEFT_OVER_AFTER = timedelta(minutes=1)


def issue_document(ctx: EngineContext, session: Session, **issue: Any) -> documents.IssuedDocument:
    """Issue a document in the caller's transaction (number, DOCX); its PDF follows the commit."""
    doc = documents.issue(session, ctx.desk, **issue)
    if _PENDING not in session.info:  # a session is one transaction (engine/db/uow.py)
        session.info[_PENDING] = []
        event.listen(session, "after_commit", lambda s: _committed(ctx, s))
    session.info[_PENDING].append(doc.id)
    return doc


def _committed(ctx: EngineContext, session: Session) -> None:
    """SQLAlchemy also says "after_commit" when a savepoint is released: only the transaction's own
    commit makes the documents visible to the transaction that renders them."""
    if session.in_nested_transaction():
        return
    ids = session.info.pop(_PENDING, [])
    if ctx.pdf_executor is not None:  # a server: the officer's answer does not wait for the layout
        ctx.pdf_executor.submit(_render_all, ctx, ids)
    else:  # the command line, the demo seed, the tests: the PDF is there when the call returns
        _render_all(ctx, ids)


def render(ctx: EngineContext, document_id: int) -> str | None:
    """Render one document's PDF if it has none yet (outside any transaction: no lock is held meanwhile),
    then record it in a short one; returns its hash (None: nothing to do)."""
    with ctx.db.reading() as session:
        issued = session.get(Document, document_id)
    if issued is None or issued.pdf_sha256 is not None:
        return None
    pdf = documents.render_pdf_of(ctx.desk, issued, ctx.pdf_layout)
    with ctx.db.transaction() as session:
        row = documents.attach_pdf(session, document_id, pdf)
        if row is None:
            return None
        audit.append(
            session,
            ctx.audit_key,
            at=ctx.clock.now(),
            actor="system",
            kind="document_rendered",
            instance_id=row.instance_id,
            payload={"number": row.number, "pdf": row.pdf_sha256, "docx": row.docx_sha256},
        )
        return row.pdf_sha256


def render_left_over(ctx: EngineContext) -> int:
    """The worker's safety net: render the PDFs a crash left unrendered; returns how many."""
    with ctx.db.reading() as session:
        ids = list(
            session.scalars(
                select(Document.id).where(
                    Document.pdf_sha256.is_(None), Document.issued_at < ctx.clock.now() - LEFT_OVER_AFTER
                )
            )
        )
    return sum(1 for document_id in ids if render(ctx, document_id))


def _render_all(ctx: EngineContext, ids: list[int]) -> None:
    for document_id in ids:
        try:
            render(ctx, document_id)
        except Exception:  # the issuing transaction has committed: the worker renders it later
            log.exception("document %s: PDF not rendered", document_id)
