"""Workflows kept in memory between actions are used only for the row version they were saved as
(a failed action never puts one back: see test_scripting's failing-script case)."""

from __future__ import annotations

from engine import Engine, Settings
from tests.engine.conftest import clock_of

START = {"subject_name": "冯乙", "subject_unit": "SJJ", "handling_office": "JC1", "subject_user": "fengyi"}


def test_an_action_in_another_process_is_never_hidden_by_the_cache(mini_engine: Engine, actor) -> None:  # type: ignore[no-untyped-def]
    other = Engine(Settings(**{**mini_engine.settings.__dict__}), clock=clock_of(mini_engine))
    try:
        instance_id = mini_engine.start(actor("zhaoliu"), "mini", {"case_no": "M-001", **START})
        serve = mini_engine.inbox(actor("qianqi"))[0]  # this engine now holds the workflow in memory
        other.complete(other.actor_by_name("qianqi"), serve.id, {"served_at": "2025-09-26"})  # type: ignore[arg-type]
        reply = mini_engine.inbox(actor("fengyi"))[0]
        mini_engine.complete(actor("fengyi"), reply.id, {"admits": True, "reply_text": "说明"})
        view = mini_engine.instance(actor("lisi"), instance_id)
        assert view.status == "completed"
        assert [h.title for h in view.history] == ["发起", "送达函询", "答复函询"]
    finally:
        other.close()
