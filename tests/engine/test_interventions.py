"""Supervisors' interventions (issue 8), each with its effect, its record and its refusals: 催办, 转办,
延期 (timers move), 中止 and 恢复 (remaining working days kept across a holiday), 作废 (documents void,
numbers never reused), 重试 after correcting the data of a case an incident stopped."""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from engine import CHINA_TZ, Conflict, Engine, NotFound, NotPermitted, ProcessFailed, Refused
from engine.db.models import AuditEvent, HumanTask, Notification
from engine.db.oversight import Intervention
from tests.conftest import FIXTURES, build_engine, make_workflows_dir
from tests.engine.clues import actor

START = {
    "case_no": "M-100",
    "subject_name": "冯乙",
    "subject_unit": "SJJ",
    "subject_user": "fengyi",
    "handling_office": "JC1",
}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CHINA_TZ)


def open_step(engine: Engine, instance_id: int, bpmn_id: str) -> HumanTask:
    with engine.ctx.db.reading() as session:
        return session.scalars(
            select(HumanTask).where(
                HumanTask.instance_id == instance_id,
                HumanTask.bpmn_id == bpmn_id,
                HumanTask.status.in_(("ready", "suspended")),
            )
        ).one()


def served(engine: Engine, **start: str) -> int:
    """A mini case whose letter was served on 2025-09-26: the reply is due 2025-10-23 (National Day)."""
    engine.clock.set(at("2025-09-26T10:00"))  # type: ignore[attr-defined]
    case = engine.start(actor(engine, "zhaoliu"), "mini", {**START, **start})
    officer = actor(engine, "qianqi")
    engine.complete(officer, open_step(engine, case, "serve").id, {"served_at": "2025-09-26"})
    return case


def notices(engine: Engine, username: str) -> list[str]:
    with engine.ctx.db.reading() as session:
        user = actor(engine, username).id
        return list(
            session.scalars(
                select(Notification.text).where(Notification.user_id == user).order_by(Notification.id)
            )
        )


def test_remind_sends_a_numbered_reminder_to_whoever_holds_the_step(mini_engine: Engine) -> None:
    case = served(mini_engine)
    step = open_step(mini_engine, case, "reply")
    done = mini_engine.interventions.remind(actor(mini_engine, "zhaoliu"), step.id, "请按期答复")
    assert done.summary == "已催办（答复函询）"
    view = mini_engine.instance(actor(mini_engine, "zhaoliu"), case)
    assert [(d.title, d.number) for d in view.documents] == [("催办单", "示纪案催〔2025〕1号")]
    assert (
        notices(mini_engine, "fengyi")[-1]
        == "【催办】M-100 冯乙：“答复函询”，请按期答复（示纪案催〔2025〕1号）"
    )
    assert mini_engine.addressed_documents(actor(mini_engine, "fengyi"), case) == []  # the office's own paper
    entry = view.history[-1]
    assert (entry.kind, entry.title, entry.details["reason"]) == (
        "intervention",
        "催办（答复函询）",
        "请按期答复",
    )


def test_interventions_are_refused_to_those_who_may_not_make_them(mini_engine: Engine) -> None:
    case = served(mini_engine)
    step = open_step(mini_engine, case, "reply")
    steer = mini_engine.interventions
    with pytest.raises(Refused, match="理由"):
        steer.remind(actor(mini_engine, "zhaoliu"), step.id, "  ")
    with pytest.raises(NotFound):  # takes no part and supervises nothing
        steer.remind(actor(mini_engine, "wangwu"), step.id, "催")
    with pytest.raises(NotFound):  # the person concerned never sees the case file
        steer.suspend(actor(mini_engine, "fengyi"), case, "中止")
    with pytest.raises(
        NotPermitted, match="中止"
    ):  # her office's case, but suspending is for 案管室 and leaders
        steer.suspend(actor(mini_engine, "qianqi"), case, "中止")
    assert steer.available(actor(mini_engine, "zhaoliu"), case) == set(mini_engine.roles.interventions)
    assert steer.available(actor(mini_engine, "qianqi"), case) == frozenset()  # takes part, steers nothing
    assert steer.available(actor(mini_engine, "wangwu"), case) == frozenset()


def test_a_step_only_its_own_person_may_do_is_never_reassigned(mini_engine: Engine) -> None:
    case = served(mini_engine)
    reply = open_step(mini_engine, case, "reply")  # 冯乙's own reply
    lead = actor(mini_engine, "zhangsan")
    assert mini_engine.interventions.candidates(lead, reply.id) == []
    with pytest.raises(Refused, match="须由本人办理"):
        mini_engine.interventions.reassign(lead, reply.id, "chuding", "改由他人答复")


def test_reassign_goes_only_to_someone_who_may_do_the_step(mini_engine: Engine) -> None:
    case = mini_engine.start(actor(mini_engine, "zhaoliu"), "mini", START)
    step = open_step(mini_engine, case, "serve")
    lead = actor(mini_engine, "zhangsan")
    steer = mini_engine.interventions
    for username, why in (
        ("sunba", "回避"),
        ("wushi", "不能办理"),
        ("zhoujiu", "不能办理"),
        ("nobody", "查无此人"),
    ):
        with pytest.raises(Refused, match=why):
            steer.reassign(lead, step.id, username, "调整")
    assert steer.candidates(lead, step.id) == [("qianqi", "钱七")]  # 孙八 is recused (冯乙)
    steer.reassign(lead, step.id, "qianqi", "由主任亲自办理")
    assert [t.id for t in mini_engine.inbox(actor(mini_engine, "qianqi"))] == [step.id]
    with pytest.raises(Refused, match="已由钱七办理"):
        steer.reassign(lead, step.id, "qianqi", "再次")
    other = mini_engine.start(
        actor(mini_engine, "zhaoliu"), "mini", {**START, "case_no": "M-101", "subject_name": "冯甲"}
    )
    serve = open_step(mini_engine, other, "serve")
    steer.reassign(lead, serve.id, "sunba", "人手调整")
    assert [t.instance_id for t in mini_engine.inbox(actor(mini_engine, "sunba"))] == [other]
    assert other not in [t.instance_id for t in mini_engine.inbox(actor(mini_engine, "qianqi"))]
    assert notices(mini_engine, "sunba")[-1] == "【转办】M-101 冯甲：“送达函询”已转由您办理。人手调整"


def test_extend_moves_the_due_date_and_the_timers_watching_the_step(mini_engine: Engine) -> None:
    case = served(mini_engine)
    step = open_step(mini_engine, case, "reply")
    lead = actor(mini_engine, "lisi")
    with pytest.raises(Refused, match="须晚于原期限"):
        mini_engine.interventions.extend(lead, step.id, "病假", due="2025-10-20")
    mini_engine.interventions.extend(lead, step.id, "被函询人住院治疗", working_days=5, approved_by="张三")
    moved = open_step(mini_engine, case, "reply")
    assert moved.due_date == date(2025, 10, 30)  # 10-24, 27, 28, 29, 30
    with mini_engine.ctx.db.reading() as session:
        record = session.scalars(select(Intervention).where(Intervention.kind == "extend")).one()
    assert (record.details["old_due"], record.details["new_due"], record.details["approved_by"]) == (
        "2025-10-23",
        "2025-10-30",
        "张三",
    )
    assert mini_engine.instance(lead, case).data["reply_due"] == "2025-10-30"
    mini_engine.clock.set(at("2025-10-24T09:00"))  # type: ignore[attr-defined]
    mini_engine.fire_due_timers()
    assert open_step(mini_engine, case, "reply").status == "ready"  # the old deadline passed harmlessly
    mini_engine.clock.set(at("2025-10-31T00:00"))  # type: ignore[attr-defined]
    mini_engine.fire_due_timers()
    assert open_step(mini_engine, case, "escalate").status == "ready"  # the new one did not


def test_suspend_keeps_the_remaining_working_days_across_a_holiday(mini_engine: Engine) -> None:
    case = served(mini_engine)
    manager = actor(mini_engine, "zhaoliu")
    mini_engine.clock.set(at("2025-09-29T10:00"))  # type: ignore[attr-defined]
    mini_engine.interventions.suspend(manager, case, "被函询人出国考察，暂停计算期限")
    # 13 working days were left: 09-30, 10-09, 10-10, 10-11 (a working Saturday), 10-13 … 10-23
    with pytest.raises(Conflict):
        mini_engine.interventions.suspend(manager, case, "再次")
    assert mini_engine.inbox(actor(mini_engine, "fengyi")) == []
    with pytest.raises(Conflict, match="中止"):
        mini_engine.complete(
            actor(mini_engine, "fengyi"), open_step(mini_engine, case, "reply").id, {"reply_text": "x"}
        )
    mini_engine.clock.set(at("2025-10-24T09:00"))  # type: ignore[attr-defined]
    assert mini_engine.fire_due_timers() == []  # no timer runs while the case stands still
    mini_engine.clock.set(at("2025-11-03T09:00"))  # type: ignore[attr-defined]
    mini_engine.interventions.resume(manager, case, "已回国")
    assert open_step(mini_engine, case, "reply").due_date == date(2025, 11, 20)  # 11-03 + 13 working days
    mini_engine.clock.set(at("2025-11-16T23:00"))  # type: ignore[attr-defined]
    mini_engine.fire_due_timers()
    assert not any("前答复" in n for n in notices(mini_engine, "fengyi"))
    mini_engine.clock.set(at("2025-11-17T00:00"))  # type: ignore[attr-defined]  # 3 working days before
    mini_engine.fire_due_timers()
    assert notices(mini_engine, "fengyi")[-1] == "请于 2025-11-20 前答复"  # the case data moved too


def test_cancel_voids_the_documents_and_their_numbers_are_never_given_again(mini_engine: Engine) -> None:
    case = served(mini_engine)
    manager = actor(mini_engine, "zhaoliu")
    mini_engine.interventions.remind(manager, open_step(mini_engine, case, "reply").id, "请答复")
    mini_engine.interventions.cancel(manager, case, "重复登记，作废")
    view = mini_engine.instance(manager, case)
    assert view.status == "cancelled" and [(d.number, d.void) for d in view.documents] == [
        ("示纪案催〔2025〕1号", True)
    ]
    assert view.ready_tasks == () and mini_engine.inbox(actor(mini_engine, "fengyi")) == []
    with pytest.raises(Conflict, match="已作废"):
        mini_engine.interventions.cancel(manager, case, "再次")
    other = served(mini_engine, case_no="M-102")
    mini_engine.interventions.remind(manager, open_step(mini_engine, other, "reply").id, "请答复")
    assert [d.number for d in mini_engine.instance(manager, other).documents] == ["示纪案催〔2025〕2号"]


def test_retry_runs_a_stopped_case_again_once_its_data_is_corrected(tmp_path: Path) -> None:
    broken = tmp_path / "src" / "mini"
    shutil.copytree(FIXTURES / "mini", broken)
    bpmn = broken / "process.bpmn"
    bpmn.write_text(bpmn.read_text("utf-8").replace('" 前答复")', '" 前答复" + str(1 // divisor))'), "utf-8")
    (broken / "process.toml").write_text(
        (broken / "process.toml").read_text("utf-8") + "divisor = 0\n", "utf-8"
    )
    engine = build_engine(tmp_path, make_workflows_dir(tmp_path, broken))
    try:
        case = served(engine)
        engine.clock.set(at("2025-10-20T09:00"))  # type: ignore[attr-defined]
        engine.fire_due_timers()  # the reminder's script divides by zero: an incident, the case stops
        incidents = engine.incidents(actor(engine, "zhaoliu"))
        assert [i.instance_id for i in incidents] == [case]
        manager = actor(engine, "zhaoliu")
        with pytest.raises(ProcessFailed):
            engine.interventions.retry(manager, case, "先原样重试")  # still failing: a new incident
        with pytest.raises(Refused, match="不能更正"):
            engine.interventions.retry(manager, case, "改", {"typename": "x"})
        engine.interventions.retry(manager, case, "更正除数后重试", {"divisor": 1})
        assert engine.incidents(manager) == []
        assert notices(engine, "fengyi")[-1] == "请于 2025-10-23 前答复1"
        with pytest.raises(Conflict, match="没有待处理的运行异常"):
            engine.interventions.retry(manager, case, "再次")
    finally:
        engine.close()


def test_every_intervention_is_in_the_audit_trail_and_the_case_chain_verifies(mini_engine: Engine) -> None:
    case = served(mini_engine)
    manager = actor(mini_engine, "zhaoliu")
    mini_engine.interventions.suspend(manager, case, "暂停")
    mini_engine.interventions.resume(manager, case, "继续")
    with mini_engine.ctx.db.reading() as session:
        kinds = [
            json.loads(e.payload)["intervention"]
            for e in session.scalars(select(AuditEvent).where(AuditEvent.kind == "intervention"))
        ]
    assert kinds == ["suspend", "resume"]
    trail = mini_engine.supervisor.case_audit(manager, case)
    assert trail.intact and [line.what for line in trail.lines][-2:] == ["中止", "恢复"]
    mini_engine.instance(actor(mini_engine, "lisi"), case)
    assert [(line.actor, line.kind) for line in mini_engine.supervisor.case_audit(manager, case).looks][
        -1
    ] == ("李四", "查阅案卷")
    with mini_engine.ctx.db.transaction() as session:  # someone edits the record of the suspension
        event = session.scalars(select(AuditEvent).where(AuditEvent.kind == "intervention")).first()
        event.payload = event.payload.replace("暂停", "无故")  # type: ignore[union-attr]
    broken = mini_engine.supervisor.case_audit(manager, case)
    assert not broken.intact and broken.broken_at == event.seq  # type: ignore[union-attr]
    with pytest.raises(NotFound):
        mini_engine.supervisor.case_audit(actor(mini_engine, "wangwu"), case)
