"""The county's own calendar (issue 9 #19): 案管室 declares an extra holiday or working day with its
reason; every open deadline keeps its length in working days and moves, with its reminders and overdue
timers, and the case's history shows the old and the new date. Others may not touch the calendar."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from engine import Engine, NotPermitted, Refused, audit
from engine.db.models import AuditEvent
from engine.storyline import Walk, load_scenario
from engine.workdays import WorkCalendar
from tests.conftest import WORKFLOWS, build_engine, make_workflows_dir


@pytest.fixture
def letter(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A 函询 served on 2025-09-26: the reply is due 2025-10-23 (15 working days, National Day off)."""
    steps = load_scenario(
        WORKFLOWS / "clue_disposal" / "scenarios" / "thhx_letter_r2_archive.json", "clue_disposal"
    )
    engine = build_engine(
        tmp_path,
        make_workflows_dir(tmp_path, WORKFLOWS / "clue_disposal"),
        at=datetime.fromisoformat(steps["start"]["at"]),
    )
    walk = Walk(engine)
    walk.start(steps["start"])
    for step in steps["steps"][:6]:
        walk.act(step)
    yield engine, walk.own_id
    engine.close()


def _reply(engine: Engine, case: int):  # type: ignore[no-untyped-def]
    subject = engine.actor_by_name("fengyi")
    return next(t for t in engine.inbox(subject) if t.instance_id == case)  # type: ignore[arg-type]


def test_an_extra_holiday_moves_the_open_reply_deadline_and_its_timers(letter) -> None:  # type: ignore[no-untyped-def]
    engine, case = letter
    office = engine.actor_by_name("zhaoliu")
    assert _reply(engine, case).due_date == date(2025, 10, 23)
    moved = engine.calendar_desk.set_day(office, "2025-10-10", "holiday", "县委通知：防汛救灾放假一天")
    assert [(m.title, m.old, m.new) for m in moved] == [
        ("A-5b 函询：答复", date(2025, 10, 23), date(2025, 10, 24))
    ]
    assert _reply(engine, case).due_date == date(2025, 10, 24)
    assert not engine.calendar.is_working_day(date(2025, 10, 10))
    view = engine.instance(office, case)  # type: ignore[arg-type]
    assert view.data["reply_due"] == "2025-10-24"
    entry = next(h for h in view.history if h.details.get("intervention") == "recalendar")
    assert entry.details["old_due"] == "2025-10-23" and entry.details["new_due"] == "2025-10-24"
    assert entry.details["reason"] == "县委通知：防汛救灾放假一天"
    timers = {t["name"]: (t["old"][:10], t["new"][:10]) for t in entry.details["timers"]}
    assert timers and all(old < new for old, new in timers.values()), timers
    # the day given back: the deadline returns to its date
    back = engine.calendar_desk.clear_day(office, "2025-10-10", "防汛放假取消")
    assert [(m.old, m.new) for m in back] == [(date(2025, 10, 24), date(2025, 10, 23))]
    assert engine.calendar_desk.days() == []


def test_an_extra_working_day_brings_a_deadline_forward(letter) -> None:  # type: ignore[no-untyped-def]
    engine, case = letter
    office = engine.actor_by_name("zhaoliu")
    engine.calendar_desk.set_day(office, "2025-10-18", "workday", "县政府通知：周六上班")
    assert _reply(engine, case).due_date == date(2025, 10, 22)
    (day,) = engine.calendar_desk.days()
    assert (day.day, day.kind, day.set_by) == (date(2025, 10, 18), "workday", "zhaoliu")


def test_only_the_calendar_keepers_change_it_and_with_a_reason(letter) -> None:  # type: ignore[no-untyped-def]
    engine, case = letter
    with pytest.raises(NotPermitted, match="您无权调整工作日历"):
        engine.calendar_desk.set_day(engine.actor_by_name("qianqi"), "2025-10-10", "holiday", "x")
    office = engine.actor_by_name("zhaoliu")
    with pytest.raises(Refused, match="请填写理由"):
        engine.calendar_desk.set_day(office, "2025-10-10", "holiday", "")
    with pytest.raises(Refused, match="请选择“放假”或“上班”"):
        engine.calendar_desk.set_day(office, "2025-10-10", "maybe", "x")
    with pytest.raises(Refused, match="日期的格式"):
        engine.calendar_desk.set_day(office, "10/10", "holiday", "x")
    assert _reply(engine, case).due_date == date(2025, 10, 23)


def test_the_overrides_outlive_the_process(letter, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    engine, _case = letter
    engine.calendar_desk.set_day(engine.actor_by_name("zhaoliu"), "2025-10-10", "holiday", "防汛")
    again = Engine(engine.settings, clock=engine.clock)
    assert not again.calendar.is_working_day(date(2025, 10, 10))
    again.close()


def test_a_newly_published_year_moves_the_deadlines_counted_before_it(letter) -> None:  # type: ignore[no-untyped-def]
    """`qinglian calendar recompute` after the holidays data gained the State Council's schedule: the reply
    date was counted when 8 October still looked like a working day; on the published data it is a holiday,
    so the deadline keeps its working days and moves, in the history with the reason."""
    engine, case = letter
    office = engine.actor_by_name("zhaoliu")
    engine.ctx.calendar = WorkCalendar(extra_workdays=[date(2025, 10, 8)])  # the data as it was
    with pytest.raises(NotPermitted):
        engine.calendar_desk.recompute(engine.actor_by_name("fengyi"), "国务院办公厅公布节假日安排")
    moved = engine.calendar_desk.recompute(office, "国务院办公厅公布2025年节假日安排")
    assert [(m.title, m.old, m.new) for m in moved] == [
        ("A-5b 函询：答复", date(2025, 10, 23), date(2025, 10, 24))
    ]
    assert _reply(engine, case).due_date == date(2025, 10, 24)
    view = engine.instance(office, case)  # type: ignore[arg-type]
    entry = next(h for h in view.history if h.details.get("intervention") == "recalendar")
    assert entry.details["reason"] == "国务院办公厅公布2025年节假日安排"
    assert engine.calendar_desk.recompute(office, "再次核对") == []  # nothing left to move


def test_every_change_of_the_calendar_is_in_the_audit_trail(letter) -> None:  # type: ignore[no-untyped-def]
    """Who made which day what, why, and which cases it moved — also a change that moved nothing."""
    engine, case = letter
    office = engine.actor_by_name("zhaoliu")
    engine.calendar_desk.set_day(office, "2025-10-10", "holiday", "县委通知：防汛救灾放假一天")
    engine.calendar_desk.set_day(office, "2026-06-01", "workday", "县庆调休上班")  # no deadline that far
    engine.calendar_desk.clear_day(office, "2026-06-01", "调休取消")
    with engine.ctx.db.reading() as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.kind == "calendar_changed").order_by(AuditEvent.seq)
        ).all()
        assert audit.verify(session, engine.ctx.audit_key) is None
    got = [(e.actor, json.loads(e.payload)) for e in events]
    assert [(actor, p["day"], p["set"], p["reason"], p["moved"]) for actor, p in got] == [
        ("zhaoliu", "2025-10-10", "holiday", "县委通知：防汛救灾放假一天", [case]),
        ("zhaoliu", "2026-06-01", "workday", "县庆调休上班", []),
        ("zhaoliu", "2026-06-01", "national", "调休取消", []),
    ]
