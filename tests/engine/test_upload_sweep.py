"""Uploads no accepted submission named (their submission was refused and never made good) are discarded by
the worker after QINGLIAN_PENDING_UPLOAD_DAYS, with their file unless a case or a document holds the same
content; each in the audit trail. Nothing a case holds is ever discarded."""

from __future__ import annotations

import json
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine import Actor, Engine, InvalidSubmission, NotFound, audit, upload_sweep, uploads
from engine.backup import backup
from engine.db.models import Attachment, AttachmentLink, AuditEvent
from engine.worker import run_forever
from tests.conftest import FIXTURES, build_engine, make_workflows_dir
from tests.engine.conftest import T0, clock_of
from tests.engine.test_files import START, on_case, pdf_bytes, png_bytes, stored_files


def _days_later(engine: Engine, days: int) -> None:
    clock_of(engine).set(T0 + timedelta(days=days))


def _rows(engine: Engine) -> tuple[int, int]:
    """(attachment links, attachment rows)."""
    with engine.ctx.db.reading() as session:
        links = session.scalar(select(func.count()).select_from(AttachmentLink))
        rows = session.scalar(select(func.count()).select_from(Attachment))
        return int(links or 0), int(rows or 0)


def _discarded(engine: Engine) -> list[dict]:
    with engine.ctx.db.reading() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.kind == "attachment_discarded"))
        return [json.loads(e.payload) for e in events]


def test_an_upload_no_submission_named_is_discarded_after_the_set_days_with_its_file(
    mini_engine: Engine, actor
) -> None:
    zhaoliu = actor("zhaoliu")
    staged = mini_engine.upload(zhaoliu, "登记材料.pdf", pdf_bytes("staged"), None)
    (path,) = stored_files(mini_engine)

    _days_later(mini_engine, 6)
    assert upload_sweep.sweep(mini_engine.ctx) == 0  # within the 7 days: kept for the corrected submission
    assert mini_engine.attachment(zhaoliu, staged.id)[0] == path

    _days_later(mini_engine, 8)
    assert upload_sweep.sweep(mini_engine.ctx) == 1
    assert stored_files(mini_engine) == [] and _rows(mini_engine) == (0, 0)
    with pytest.raises(NotFound):
        mini_engine.attachment(zhaoliu, staged.id)
    (event,) = _discarded(mini_engine)
    assert datetime.fromisoformat(event.pop("uploaded_at")) == T0
    assert event == {
        "filename": "登记材料.pdf",
        "sha256": staged.sha256,
        "pending_for": None,
        "uploaded_by": "zhaoliu",
    }
    with mini_engine.ctx.db.reading() as session:
        assert audit.verify(session, mini_engine.ctx.audit_key) is None
    with pytest.raises(InvalidSubmission) as refused:  # a form still naming it: upload it again
        mini_engine.start(zhaoliu, "mini", {**START, "evidence": [staged.sha256]})
    assert "evidence" in refused.value.errors
    assert upload_sweep.sweep(mini_engine.ctx) == 0


def test_what_a_case_holds_is_never_discarded_nor_its_file(mini_engine: Engine) -> None:
    _only_the_unnamed_uploads_go(mini_engine)


def test_on_postgresql_too(tmp_path: Path, fresh_postgres: str) -> None:
    """Row locks (FOR UPDATE) and the upload's insert of its content's row, on PostgreSQL."""
    workflows = make_workflows_dir(tmp_path, FIXTURES / "mini")
    engine = build_engine(tmp_path, workflows, database_url=fresh_postgres, at=T0)
    try:
        _only_the_unnamed_uploads_go(engine)
    finally:
        engine.close()


def _only_the_unnamed_uploads_go(engine: Engine) -> None:
    def actor(name: str) -> Actor:
        return engine.actor_by_name(name)  # type: ignore[return-value]

    content = png_bytes()
    case, attached = on_case(engine, actor, "证据.png", content)  # named by the accepted start form
    again = engine.upload(actor("qianqi"), "证据副本.png", content, case)  # same content, never named
    other = engine.upload(actor("zhaoliu"), "另一份.pdf", pdf_bytes("other"), None)

    _days_later(engine, 30)
    assert upload_sweep.sweep(engine.ctx) == 2
    assert [p.name for p in stored_files(engine)] == [attached.sha256]  # the case's copy stays
    path, shown = engine.attachment(actor("zhaoliu"), attached.id)
    assert path.read_bytes() == content and shown.filename == "证据.png"
    assert [a.filename for a in engine.instance(actor("zhaoliu"), case).attachments] == ["证据.png"]
    assert {d["filename"] for d in _discarded(engine)} == {"证据副本.png", "另一份.pdf"}
    assert {d["pending_for"] for d in _discarded(engine)} == {case, None}
    for gone in (again, other):
        with pytest.raises(NotFound):
            engine.attachment(actor("zhaoliu"), gone.id)
    assert upload_sweep.sweep(engine.ctx) == 0


def test_an_upload_racing_the_sweep_keeps_its_file(
    mini_engine: Engine, actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same file uploaded again just as the sweep discards the stale copy: the upload found the file
    stored, the sweep removed it before the upload linked it; the upload writes it again."""
    content = pdf_bytes("scan")
    mini_engine.upload(actor("zhaoliu"), "扫描件.pdf", content, None)
    _days_later(mini_engine, 8)
    store = uploads.files.store

    def store_then_sweep(files_dir, data):  # type: ignore[no-untyped-def]
        found = store(files_dir, data)
        monkeypatch.setattr(uploads.files, "store", store)
        assert upload_sweep.sweep(mini_engine.ctx) == 1  # between the upload's store and its transaction
        return found

    monkeypatch.setattr(uploads.files, "store", store_then_sweep)
    fresh = mini_engine.upload(actor("zhaoliu"), "扫描件.pdf", content, None)
    path, _ = mini_engine.attachment(actor("zhaoliu"), fresh.id)
    assert path.read_bytes() == content
    case = mini_engine.start(actor("zhaoliu"), "mini", {**START, "evidence": [fresh.sha256]})
    assert [a.filename for a in mini_engine.instance(actor("zhaoliu"), case).attachments] == ["扫描件.pdf"]


def test_a_sweep_that_fails_puts_the_file_back(
    mini_engine: Engine, actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    staged = mini_engine.upload(actor("zhaoliu"), "材料.pdf", pdf_bytes("kept"), None)
    (path,) = stored_files(mini_engine)
    discard = upload_sweep._discard_link

    def discard_then_fail(*args):  # type: ignore[no-untyped-def]
        discard(*args)
        raise OSError("database went away before the commit")

    monkeypatch.setattr(upload_sweep, "_discard_link", discard_then_fail)
    _days_later(mini_engine, 8)
    with pytest.raises(OSError):
        upload_sweep.sweep(mini_engine.ctx)
    assert stored_files(mini_engine) == [path] and _rows(mini_engine) == (1, 1)
    assert mini_engine.attachment(actor("zhaoliu"), staged.id)[0].read_bytes() == pdf_bytes("kept")
    assert _discarded(mini_engine) == []


def test_the_worker_discards_them(mini_engine: Engine, actor) -> None:
    mini_engine.upload(actor("zhaoliu"), "材料.pdf", pdf_bytes("stale"), None)
    _days_later(mini_engine, 8)
    stop = threading.Event()
    worker = threading.Thread(target=run_forever, args=(mini_engine.ctx, stop))
    worker.start()
    try:
        deadline = time.monotonic() + 30  # waiting for the thread's first pass, not for a timer
        while stored_files(mini_engine) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        worker.join(timeout=30)
    assert stored_files(mini_engine) == [] and [d["filename"] for d in _discarded(mini_engine)] == [
        "材料.pdf"
    ]


def test_uploading_the_same_file_again_keeps_it_for_the_full_days_again(mini_engine: Engine, actor) -> None:
    case = mini_engine.start(actor("zhaoliu"), "mini", START)
    first = mini_engine.upload(actor("zhaoliu"), "补充材料.pdf", pdf_bytes("again"), case)
    _days_later(mini_engine, 6)
    again = mini_engine.upload(actor("zhaoliu"), "补充材料.pdf", pdf_bytes("again"), case)
    assert again.id == first.id  # one pending link, its clock started again
    _days_later(mini_engine, 12)
    assert upload_sweep.sweep(mini_engine.ctx) == 0
    _days_later(mini_engine, 14)
    assert upload_sweep.sweep(mini_engine.ctx) == 1


def test_files_a_killed_worker_left_aside_are_put_back_or_deleted(
    mini_engine: Engine, actor, tmp_path: Path
) -> None:
    """A worker killed between setting a file aside and its commit: the removal was rolled back, so the file
    goes back; one whose removal committed is deleted. A backup never copies a file set aside."""
    kept = mini_engine.upload(actor("zhaoliu"), "材料.pdf", pdf_bytes("kept"), None)
    (path,) = stored_files(mini_engine)
    aside = path.rename(path.with_name(path.name + upload_sweep.ASIDE))
    gone = mini_engine.settings.files_dir / "ab" / ("ab" * 32 + upload_sweep.ASIDE)
    gone.parent.mkdir(exist_ok=True)
    gone.write_bytes(b"removed, its row with it")

    copy = backup(mini_engine.ctx, tmp_path / "backup", T0)
    assert [p.name for p in copy.folder.rglob("*") if p.is_file() and upload_sweep.ASIDE in p.name] == []

    assert upload_sweep.put_back_set_aside(mini_engine.ctx) == 1
    assert stored_files(mini_engine) == [path] and not aside.exists()
    assert mini_engine.attachment(actor("zhaoliu"), kept.id)[0].read_bytes() == pdf_bytes("kept")
