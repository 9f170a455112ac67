"""Deadlines on tasks: due dates in working days, working days left, provisional years flagged."""

from __future__ import annotations

from datetime import datetime

from engine import CHINA_TZ, Engine
from tests.engine.conftest import clock_of

START = {"subject_name": "冯乙", "subject_unit": "SJJ", "handling_office": "JC1", "subject_user": "fengyi"}


def _serve(engine: Engine, actor, case_no: str, served_at: str):  # type: ignore[no-untyped-def]
    engine.start(actor("zhaoliu"), "mini", {"case_no": case_no, **START})
    serve = next(t for t in engine.inbox(actor("qianqi")) if t.instance_title.startswith(case_no))
    engine.complete(actor("qianqi"), serve.id, {"served_at": served_at})
    return next(t for t in engine.inbox(actor("fengyi")) if t.instance_title.startswith(case_no))


def test_due_date_and_working_days_left_across_national_day(mini_engine: Engine, actor) -> None:  # type: ignore[no-untyped-def]
    clock_of(mini_engine).set(datetime(2025, 9, 30, 9, tzinfo=CHINA_TZ))
    reply = _serve(mini_engine, actor, "M-001", "2025-09-26")
    assert reply.due_date.isoformat() == "2025-10-23"
    assert not reply.due_provisional
    assert reply.working_days_left == 12  # 15 minus Sun 09-28 (an adjusted working day), 09-29 and 09-30
    clock_of(mini_engine).set(datetime(2025, 10, 27, 9, tzinfo=CHINA_TZ))
    assert mini_engine.task(actor("fengyi"), reply.id).working_days_left == -2


def test_a_deadline_in_a_year_without_a_published_schedule_is_provisional(mini_engine: Engine, actor) -> None:  # type: ignore[no-untyped-def]
    clock_of(mini_engine).set(datetime(2026, 12, 21, 9, tzinfo=CHINA_TZ))
    reply = _serve(mini_engine, actor, "M-002", "2026-12-21")
    assert reply.due_date.year == 2027
    assert reply.due_provisional
