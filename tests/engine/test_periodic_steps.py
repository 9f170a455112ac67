"""A periodic step never piles up (issue 9 #14): a unit that does not report its 整改 progress has one
open report in its inbox, titled with the periods it missed — not one step per month."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from engine.db.models import HumanTask
from tests.engine.test_facts import walked


def test_a_unit_that_does_not_report_has_one_report_counting_the_missed_months(tmp_path: Path) -> None:
    engine, walk = walked(tmp_path, "rectification", "progress_reports_never_pile_up")
    with engine.ctx.db.reading() as session:
        reports = session.scalars(
            select(HumanTask.title)
            .where(HumanTask.instance_id == walk.own_id, HumanTask.bpmn_id == "C4_report")
            .order_by(HumanTask.id)
        ).all()
    # April's report stood open through May and June; July's is the next, after it was sent; each says
    # its period (issue 10 #5)
    assert reports == ["C-4 报送整改进展（2026年4月）（已缺报2期）", "C-4 报送整改进展（2026年7月）"]
    liaison = engine.actor_by_name("hanmei")
    assert liaison is not None
    inbox = sorted(t.title for t in engine.inbox(liaison) if t.instance_id == walk.own_id)
    assert inbox == ["C-4 报送整改进展（2026年7月）", "C-4 整改执行：申请销号或延期"]
    engine.close()
