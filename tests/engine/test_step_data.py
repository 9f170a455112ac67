"""An open step's page is served without loading the workflow (issue 11 #14): its row keeps the step's
data, refreshed by every run while it waits, and dropped when it closes."""

from __future__ import annotations

import pytest

from engine import Engine, spiff
from engine.db.models import HumanTask
from tests.engine.test_deadlines import _serve


def test_the_step_page_reads_its_data_from_the_row(
    mini_engine: Engine, actor, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    reply = _serve(mini_engine, actor, "M-001", "2025-09-26")

    def no_load(*_args: object) -> None:
        raise AssertionError("the workflow was loaded to show a step")

    monkeypatch.setattr(spiff, "load", no_load)
    view = mini_engine.task(actor("zhaoliu"), reply.id)  # the registrar sees the whole case
    assert view.data["reply_due"] == "2025-10-23" and view.data["served_at"] == "2025-09-26"


def test_a_closed_step_keeps_no_copy(mini_engine: Engine, actor) -> None:  # type: ignore[no-untyped-def]
    reply = _serve(mini_engine, actor, "M-001", "2025-09-26")
    mini_engine.complete(actor("fengyi"), reply.id, {"admits": True, "reply_text": "情况属实"})
    with mini_engine.ctx.db.reading() as session:
        rows = {r.bpmn_id: r.data for r in session.query(HumanTask).filter_by(instance_id=reply.instance_id)}
    assert rows == {"serve": None, "reply": None}
