"""A document's PDF is rendered after the transaction that issued it commits (issue 11 #12/#14): the step
commits with the number and the DOCX (half a second of WeasyPrint no longer holds the case's lock, on SQLite
the whole database's), the PDF follows at once in a transaction of its own with its hash in the audit trail,
and one a crash left unrendered is rendered by the worker. A failed rendering never fails the step."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from datetime import timedelta

import psutil
import pytest
from sqlalchemy import select

from engine import Engine, audit, documents, pdf_rendering
from engine.db.models import AttachmentLink, AuditEvent, Document
from tests.conftest import ROOT
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


def test_a_server_lays_pdfs_out_in_a_child_process_that_ends_with_it(mini_engine: Engine) -> None:
    """WeasyPrint's half second of layout runs in a process of its own, never holding the GIL of the
    process answering requests; its PDF is the same bytes as one laid out in the process; a child that
    died is replaced; closing the engine ends the child."""
    case = served(mini_engine)
    step = open_step(mini_engine, case, "reply")
    zhaoliu = actor(mini_engine, "zhaoliu")
    mini_engine.render_pdfs_in_background()
    layout = mini_engine.ctx.pdf_layout
    assert isinstance(layout, documents.LayoutProcess)
    mini_engine.interventions.remind(zhaoliu, step.id, "请按期答复")
    _wait_for_pdfs(mini_engine)
    first = _document(mini_engine)
    child = _layout_child(psutil.Process())  # laid out there: started with the first PDF
    assert documents.render_pdf_of(mini_engine.ctx.desk, first).sha256 == first.pdf_sha256  # same bytes

    child.kill()  # out of memory, say
    child.wait(timeout=30)
    mini_engine.interventions.remind(zhaoliu, step.id, "请即答复")
    _wait_for_pdfs(mini_engine)
    second = _document(mini_engine)
    assert second.id != first.id and second.pdf_sha256
    replacement = _layout_child(psutil.Process())  # laid out by a new child
    assert replacement.pid != child.pid

    mini_engine.close()
    assert not replacement.is_running() or replacement.status() == psutil.STATUS_ZOMBIE


def test_a_layout_child_outlives_no_server_killed_without_closing() -> None:
    """A server stopped by SIGKILL (or a SIGTERM it does not handle) while a PDF is being laid out leaves no
    layout process behind (it would wait for work forever, holding its memory)."""
    with subprocess.Popen(
        [sys.executable, "-c", LAYING_OUT], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    ) as server:
        assert server.stdout.readline() == "laying out\n"  # type: ignore[union-attr]
        child = _layout_child(psutil.Process(server.pid))
        server.kill()  # while the child imports WeasyPrint and lays the sheet out
    try:
        child.wait(timeout=30)  # it notices within a second that its parent is gone
    except psutil.TimeoutExpired:
        child.kill()
        pytest.fail("the layout process outlived its server")


LAYING_OUT = """
import threading
import time
from datetime import datetime
from engine.documents import LayoutProcess
from engine.documents.sheet import Sheet
sheet = Sheet("表格", (), "1", "测试", "", (), (), "", False, (), "", "", "")
threading.Thread(target=LayoutProcess(), args=(sheet, datetime(2026, 1, 1))).start()
print("laying out", flush=True)
input()
"""


def _layout_child(server: psutil.Process) -> psutil.Process:
    """The server's layout process, once started (the other child is multiprocessing's resource tracker)."""
    for _ in range(3000):
        for child in server.children():
            if "spawn_main" in " ".join(child.cmdline()):
                return child
        time.sleep(0.01)  # an OS process starting, not a timer of ours
    raise AssertionError("no layout process started")


def _wait_for_pdfs(engine: Engine) -> None:
    """Until the PDFs on their way are rendered (the rendering thread takes one job after another)."""
    engine.ctx.pdf_executor.submit(lambda: None).result(timeout=120)  # type: ignore[union-attr]
