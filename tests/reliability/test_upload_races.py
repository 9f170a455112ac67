"""The worker discards a stale upload (engine/upload_sweep.py) while a submission names it: the submission,
validated first, keeps it — the sweep waits for the lock the submission holds (a start form's: its
uploader's row; a step's: the case's) and then finds the upload attached."""

from __future__ import annotations

from datetime import timedelta

import pytest

import engine.spiff
from engine import upload_sweep
from tests.engine.test_files import pdf_bytes
from tests.reliability.support import CASE, T0, Contender, Rig, pause_after


def test_a_start_form_naming_a_stale_upload_keeps_it(rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    web = rig.engines[0]
    clerk = rig.actor("zhaoliu")
    staged = web.upload(clerk, "举报材料.pdf", pdf_bytes("staged a week ago"), None)
    worker = rig.engine(at=T0 + timedelta(days=8))
    web.clock.set(T0 + timedelta(days=8))  # type: ignore[attr-defined]
    gate = pause_after(
        monkeypatch, engine.spiff, "new_workflow", "A"
    )  # A validated the form, not yet attached
    a = Contender(
        "A", lambda: web.start(clerk, "mini", {**CASE, "case_no": "M-009", "evidence": [staged.sha256]})
    )
    sweep = Contender("worker", lambda: upload_sweep.sweep(worker.ctx))
    a.start()
    gate.wait_reached()
    sweep.start()
    rig.wait_blocked("worker")
    gate.open()
    case = a.outcome()
    assert isinstance(case, int), case
    assert sweep.outcome() == 0  # attached meanwhile: nothing to discard
    (shown,) = web.instance(clerk, case).attachments
    path, _ = web.attachment(clerk, shown.id)
    assert shown.filename == "举报材料.pdf" and path.read_bytes() == pdf_bytes("staged a week ago")
    rig.verify_audit()
