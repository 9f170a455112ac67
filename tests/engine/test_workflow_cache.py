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


def test_a_savepoint_released_in_an_action_that_then_fails_keeps_nothing(mini_engine: Engine, actor) -> None:  # type: ignore[no-untyped-def]
    """A message's correlation claim releases a savepoint in the middle of an action; the workflow may only
    be kept once the action itself commits — a rolled-back case's number can be given to the next one."""
    from engine.advance import keep_after_commit
    from engine.db.models import ProcessInstance

    instance_id = mini_engine.start(actor("zhaoliu"), "mini", {"case_no": "M-002", **START})
    ctx = mini_engine.ctx
    marker = object()
    try:
        with ctx.db.transaction() as session:
            instance = session.get(ProcessInstance, instance_id)
            ctx.workflows.take(instance_id, instance.row_version)  # type: ignore[union-attr]  # the start's
            instance.title = instance.title + "（改）"  # type: ignore[union-attr]  # a change: a new row version
            keep_after_commit(ctx, session, instance, marker)  # type: ignore[arg-type]
            version = instance.row_version  # type: ignore[union-attr]
            with session.begin_nested():
                pass
            assert ctx.workflows.take(instance_id, version) is None  # not at the savepoint's release
            raise RuntimeError("the action fails after the savepoint")
    except RuntimeError:
        pass
    assert ctx.workflows.take(instance_id, version) is None
    with ctx.db.transaction() as session:
        instance = session.get(ProcessInstance, instance_id)
        instance.title = instance.title + "（改）"  # type: ignore[union-attr]
        keep_after_commit(ctx, session, instance, marker)  # type: ignore[arg-type]
        version = instance.row_version  # type: ignore[union-attr]
        with session.begin_nested():
            pass
    assert ctx.workflows.take(instance_id, version) is marker  # kept at the commit itself
