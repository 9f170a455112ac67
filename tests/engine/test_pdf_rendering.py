"""A document's PDF is rendered after the transaction that issued it commits (issue 11 #12/#14): the step
commits with the number and the DOCX (half a second of WeasyPrint no longer holds the case's lock, on SQLite
the whole database's), the PDF follows at once in a transaction of its own with its hash in the audit trail,
and one a crash left unrendered is rendered by the worker. A failed rendering never fails the step."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine import Engine, audit, documents, pdf_rendering
from engine.db.models import AttachmentLink, AuditEvent, Document
from tests.engine.clues import actor
from tests.engine.test_interventions import open_step, served


def _document(engine: Engine) -> Document:
    with engine.ctx.db.reading() as session:
        return session.scalars(select(Document).order_by(Document.id.desc())).first()  # type: ignore[return-value]


def _kinds(engine: Engine) -> list[str]:
    with engine.ctx.db.reading() as session:
        return list(session.scalars(select(AuditEvent.kind).order_by(AuditEvent.seq)))


def test_the_pdf_follows_the_commit_with_its_hash_in_the_audit_trail(mini_engine: Engine) -> None:
    case = served(mini_engine)
    step = open_step(mini_engine, case, "reply")
    mini_engine.interventions.remind(actor(mini_engine, "zhaoliu"), step.id, "请按期答复")  # issues a 催办单
    doc = _document(mini_engine)
    assert doc.pdf_sha256 and (mini_engine.settings.files_dir / doc.pdf_sha256[:2] / doc.pdf_sha256).exists()
    assert _kinds(mini_engine)[-2:] == ["intervention", "document_rendered"]  # after the step, not in it
    with mini_engine.ctx.db.reading() as session:
        event = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
        files = set(
            session.scalars(select(AttachmentLink.filename).where(AttachmentLink.instance_id == case))
        )
        assert audit.verify(session, mini_engine.ctx.audit_key) is None
    assert json.loads(event.payload)["pdf"] == doc.pdf_sha256 and event.instance_id == case  # type: ignore[union-attr]
    assert {f"{doc.number}催办单.docx", f"{doc.number}催办单.pdf"} <= files


def test_a_rendering_that_fails_leaves_the_step_done_and_the_worker_renders_it_later(
    mini_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = served(mini_engine)
    step = open_step(mini_engine, case, "reply")

    def broken(*_args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(documents, "render_pdf_of", broken)
    done = mini_engine.interventions.remind(actor(mini_engine, "zhaoliu"), step.id, "请按期答复")
    assert done.summary == "已催办（答复函询）"
    assert _document(mini_engine).pdf_sha256 is None
    view = mini_engine.instance(actor(mini_engine, "zhaoliu"), case)
    assert [(d.number, d.pdf_attachment, bool(d.docx_attachment)) for d in view.documents] == [
        ("示纪案催〔2025〕1号", None, True)  # the case page offers the DOCX meanwhile
    ]
    zhaoliu = actor(mini_engine, "zhaoliu")
    assert mini_engine.instance(zhaoliu, case).documents[0].sha256 == _document(mini_engine).docx_sha256
    monkeypatch.undo()
    assert (
        pdf_rendering.render_left_over(mini_engine.ctx) == 0
    )  # too fresh: its own request may still render it
    mini_engine.clock.set(mini_engine.clock.now() + timedelta(minutes=2))  # type: ignore[attr-defined]
    assert pdf_rendering.render_left_over(mini_engine.ctx) == 1
    assert pdf_rendering.render_left_over(mini_engine.ctx) == 0
    assert _document(mini_engine).pdf_sha256
    assert mini_engine.instance(actor(mini_engine, "zhaoliu"), case).documents[0].pdf_attachment


def test_a_server_answers_before_the_pdf_is_laid_out(
    mini_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`qinglian serve` (and gunicorn's app) render PDFs on a thread of their own: the step's answer does not
    wait for WeasyPrint; the PDF is there a moment later."""
    case = served(mini_engine)
    step = open_step(mini_engine, case, "reply")
    layout_may_finish = threading.Event()
    render = documents.render_pdf_of

    def slow(*args: object) -> object:
        assert layout_may_finish.wait(timeout=30)
        return render(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(documents, "render_pdf_of", slow)
    mini_engine.render_pdfs_in_background()
    done = mini_engine.interventions.remind(actor(mini_engine, "zhaoliu"), step.id, "请按期答复")
    assert (
        done.summary == "已催办（答复函询）" and _document(mini_engine).pdf_sha256 is None
    )  # answered already
    layout_may_finish.set()
    mini_engine.ctx.pdf_executor.shutdown(wait=True)  # type: ignore[union-attr]
    assert _document(mini_engine).pdf_sha256
    assert _kinds(mini_engine)[-1] == "document_rendered"
