"""The figures /metrics reports (issue 11 #11), read from the database: open and overdue steps, how long
the most overdue timer has waited, open incidents, running cases."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from engine import CHINA_TZ, Engine
from engine.db.models import ProcessInstance
from tests.engine.conftest import clock_of
from tests.engine.test_deadlines import _serve


def test_the_figures_follow_the_cases(mini_engine: Engine, actor) -> None:  # type: ignore[no-untyped-def]
    assert mini_engine.operations.gauges().open_tasks == 0
    reply = _serve(mini_engine, actor, "M-001", "2025-09-01")  # reply due 15 working days later
    figures = mini_engine.operations.gauges()
    assert (figures.open_tasks, figures.overdue_tasks, figures.running_instances) == (1, 0, 1)
    assert figures.timer_lag_seconds == 0.0
    with mini_engine.ctx.db.reading() as session:
        due = session.get(ProcessInstance, reply.instance_id).next_timer_at  # type: ignore[union-attr]
    assert due is not None
    clock_of(mini_engine).set(due + timedelta(hours=2))  # the worker has not swept yet
    assert mini_engine.operations.gauges().timer_lag_seconds == 7200.0
    day_after = datetime.combine(reply.due_date + timedelta(days=1), time(9), tzinfo=CHINA_TZ)
    clock_of(mini_engine).set(day_after)
    assert mini_engine.operations.gauges().overdue_tasks == 1
