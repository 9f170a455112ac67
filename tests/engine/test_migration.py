"""Moving running cases to a newer version (issue 13 #7), on SQLite and PostgreSQL: the pre-check says
per case whether it can move and why not; a moved case keeps its timers' due moments and its open step's
deadline; a migration that fails half-way leaves the case as it was."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from engine import CHINA_TZ, Engine
from engine.db.models import AuditEvent, HumanTask, ProcessInstance
from tests.conftest import FIXTURES, build_engine, make_workflows_dir

START = {
    "case_no": "M-101",
    "subject_name": "冯乙",
    "subject_unit": "SJJ",
    "subject_user": "fengyi",
    "handling_office": "JC1",
}
SERVED = datetime(2025, 9, 26, 9, 0, tzinfo=CHINA_TZ)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def county(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    url = request.getfixturevalue("fresh_postgres") if request.param == "postgresql" else ""
    engine = build_engine(
        tmp_path, make_workflows_dir(tmp_path, FIXTURES / "mini"), database_url=url, at=SERVED
    )
    yield engine
    engine.close()


def _actor(engine: Engine, name: str):  # type: ignore[no-untyped-def]
    found = engine.actor_by_name(name)
    assert found is not None
    return found


def _waiting_for_reply(engine: Engine, case_no: str) -> int:
    """A case standing on 答复函询 with its reminder and lateness timers running."""
    instance = engine.start(_actor(engine, "zhaoliu"), "mini", {**START, "case_no": case_no})
    serve = next(t for t in engine.inbox(_actor(engine, "qianqi")) if t.instance_id == instance)
    engine.complete(_actor(engine, "qianqi"), serve.id, {"served_at": "2025-09-26"})
    return instance


def _deploy(engine: Engine, *changes: tuple[str, str], scenarios: bool = True) -> int:
    fang, xu = _actor(engine, "fangzheng"), _actor(engine, "xuming")
    sources = engine.designer.draft(fang, "mini").sources
    bpmn = sources["process.bpmn"]
    for old, new in changes:
        assert old in bpmn
        bpmn = bpmn.replace(old, new)
    changed = {**sources, "process.bpmn": bpmn}
    if not scenarios:
        changed = {n: t for n, t in changed.items() if not n.startswith("scenarios/")}
    engine.designer.save(fang, "mini", changed)
    reason = (
        "" if scenarios else "测试迁移，不带场景"
    )  # a draft without scenarios needs an administrator's reason
    return engine.designer.deploy(xu, "mini", force_reason=reason).version


def _row(engine: Engine, instance: int) -> tuple[int, str, object, list[tuple[str, str, object]]]:
    with engine.ctx.db.reading() as session:
        case = session.get(ProcessInstance, instance)
        assert case is not None
        open_steps = session.execute(
            select(HumanTask.bpmn_id, HumanTask.title, HumanTask.due_date).where(
                HumanTask.instance_id == instance, HumanTask.status == "ready"
            )
        ).all()
        return case.version_id, case.state_json, case.next_timer_at, [tuple(r) for r in open_steps]


def test_a_case_with_a_running_timer_moves_and_keeps_its_deadlines(county: Engine) -> None:
    xu = _actor(county, "xuming")
    instance = _waiting_for_reply(county, "M-101")
    _, _, timer_before, steps_before = _row(county, instance)
    assert steps_before[0][:2] == ("reply", "答复函询") and timer_before is not None
    county.clock.set(datetime(2025, 10, 9, 9, 0, tzinfo=CHINA_TZ))  # type: ignore[attr-defined]
    version = _deploy(county, ('name="答复函询"', 'name="答复函询（附说明材料）"'))
    [check] = county.designer.precheck(xu, "mini", version)
    assert check.instance_id == instance and check.can_move and check.from_version == 1
    assert check.steps == ("答复函询",)
    [outcome] = county.designer.migrate(xu, "mini", version, [instance], "步骤更名，按新版本办理")
    assert outcome.moved, outcome.message
    _, _, timer_after, steps_after = _row(county, instance)
    assert timer_after == timer_before  # the reminder is due when it was, not re-counted from today
    assert steps_after == [("reply", "答复函询（附说明材料）", steps_before[0][2])]  # same deadline
    county.clock.set(datetime(2025, 10, 24, 0, 0, tzinfo=CHINA_TZ))  # type: ignore[attr-defined]
    county.fire_due_timers()
    assert [s[0] for s in _row(county, instance)[3]] == ["escalate"]  # the new version's timer fired
    with county.ctx.db.reading() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.kind == "instance_migrated"))
    assert event is not None and event.actor == "xuming"
    payload = json.loads(event.payload) if isinstance(event.payload, str) else event.payload
    assert payload["reason"] == "步骤更名，按新版本办理" and payload["to_version"] == version


def test_the_precheck_says_why_a_case_cannot_move(county: Engine) -> None:
    xu = _actor(county, "xuming")
    instance = _waiting_for_reply(county, "M-102")
    # the new version drops the step the case stands on (its timers and flows go with it)
    version = _deploy(county, ('"reply"', '"reply_v2"'), (">reply<", ">reply_v2<"), scenarios=False)
    [check] = county.designer.precheck(xu, "mini", version)
    assert not check.can_move and "当前步骤「答复函询」在新版本中已删除" in check.reasons
    before = _row(county, instance)
    [outcome] = county.designer.migrate(xu, "mini", version, [instance], "试迁移")
    assert not outcome.moved and "已删除" in outcome.message
    assert _row(county, instance) == before


def test_a_migration_that_fails_half_way_leaves_the_case_as_it_was(county: Engine) -> None:
    xu = _actor(county, "xuming")
    instance = _waiting_for_reply(county, "M-103")
    before = _row(county, instance)
    # the new version's lateness timer reads a variable no case has: arming it fails during the move
    late = "<bpmn:timeDate>late_at</bpmn:timeDate>"
    version = _deploy(county, (late, late.replace("late_at", "late_at_v2")), scenarios=False)
    [outcome] = county.designer.migrate(xu, "mini", version, [instance], "新的逾期计算")
    assert not outcome.moved and outcome.message
    assert _row(county, instance) == before  # same version, same state, same timers and steps
    with county.ctx.db.reading() as session:
        failed = session.scalar(select(AuditEvent).where(AuditEvent.kind == "migration_failed"))
    assert failed is not None and failed.instance_id == instance


def test_a_move_that_breaks_after_the_state_was_written_is_rolled_back_whole(
    county: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Half-way for real: the case's new state, steps and audit event are written, then the last part of
    the move fails — the one transaction rolls all of it back."""
    from engine.designer import migration
    from engine.errors import ProcessFailed

    xu = _actor(county, "xuming")
    instance = _waiting_for_reply(county, "M-104")
    before = _row(county, instance)
    version = _deploy(county, ('name="答复函询"', 'name="答复函询（新）"'))

    def broken(*_args: object) -> None:
        raise ProcessFailed("写入待办步骤时出错")

    monkeypatch.setattr(migration, "_refresh_open_steps", broken)
    [outcome] = county.designer.migrate(xu, "mini", version, [instance], "更名")
    assert not outcome.moved and "写入待办步骤时出错" in outcome.message
    assert _row(county, instance) == before
    with county.ctx.db.reading() as session:
        kinds = set(session.scalars(select(AuditEvent.kind).where(AuditEvent.instance_id == instance)))
    assert "instance_migrated" not in kinds and "migration_failed" in kinds
    assert county.verify_audit() is None


def test_a_case_that_has_ended_keeps_its_version(county: Engine) -> None:
    xu = _actor(county, "xuming")
    instance = _waiting_for_reply(county, "M-105")
    fengyi = _actor(county, "fengyi")
    reply = next(t for t in county.inbox(fengyi) if t.instance_id == instance)
    county.complete(fengyi, reply.id, {"admits": True, "reply_text": "情况说明"})
    version = _deploy(county, ('name="答复函询"', 'name="答复函询（新）"'))
    assert county.designer.precheck(xu, "mini", version) == []  # not offered
    [outcome] = county.designer.migrate(xu, "mini", version, [instance], "误选")  # nor moved if asked for
    assert not outcome.moved and "只迁移办理中的案件" in outcome.message
