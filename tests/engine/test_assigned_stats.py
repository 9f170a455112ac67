"""上级交办件 are watched while they run (issue 9 #19, D9): a case received from the upper commission on
20 May 2025 and still being handled on 1 September is past its three months on the dashboard, and counts
as concluded late once it is concluded — not only in the report sent upward at the end."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from engine import CHINA_TZ, Engine
from engine.stats import StatFilter
from engine.storyline import Walk, load_scenario
from tests.conftest import WORKFLOWS, build_engine, make_workflows_dir
from tests.engine.clues import actor

SCENARIO = WORKFLOWS / "clue_disposal" / "scenarios" / "d9_assigned_case_reported_upward.json"


def _assigned(engine: Engine, today: date) -> dict[str, Any]:
    f = StatFilter.parse({"from": "2025-01-01", "to": "2025-12-31"}, today)
    found = engine.supervisor.statistic(actor(engine, "zhangsan"), "clues", f)
    table = next(t for t in found.tables if t.name == "assigned_summary")
    return {row[0].value: (row[1].value, row[1].link) for row in table.rows}


def test_an_assigned_case_past_three_months_is_on_the_dashboard_while_open(tmp_path: Path) -> None:
    scenario = load_scenario(SCENARIO, "clue_disposal")
    at = datetime.fromisoformat(scenario["start"]["at"])
    engine = build_engine(tmp_path, make_workflows_dir(tmp_path, WORKFLOWS / "clue_disposal"), at=at)
    try:
        walk = Walk(engine)
        walk.start(scenario["start"])
        walk.act(scenario["steps"][0])  # assigned; the disposal is being proposed
        open_now = _assigned(engine, date(2025, 9, 1))
        assert open_now["办理中（当前）"][0] == 1
        count, link = open_now["已超过三个月仍未办结（当前）"]
        assert count == 1 and link["fact"] == "assigned" and link["state"] == "overdue"
        for step in scenario["steps"][1:]:  # concluded on 13 October, reported upward the next day
            walk.act(step)
        done = _assigned(engine, date(2025, 10, 14))
        assert done["办理中（当前）"][0] == 0 and done["已超过三个月仍未办结（当前）"][0] == 0
        assert done["本期办结"][0] == 1 and done["其中超过三个月办结"][0] == 1
    finally:
        engine.close()


def _told(engine: Engine, username: str, case: int) -> list[tuple[str, str]]:
    notices = engine.notices.of(actor(engine, username))
    return [(n.kind, n.text) for n in notices if n.instance_id == case and n.kind.startswith("case_")]


def test_the_secretary_and_the_case_office_are_told_before_and_after_three_months(tmp_path: Path) -> None:
    """The worker's sweep tells the 纪委书记 and 案管室 ten working days ahead that a 上级交办件 must be
    concluded or its extension approved, and again once the three months have passed — once each."""
    scenario = load_scenario(SCENARIO, "clue_disposal")
    at = datetime.fromisoformat(scenario["start"]["at"])  # 1 September 2025
    engine = build_engine(tmp_path, make_workflows_dir(tmp_path, WORKFLOWS / "clue_disposal"), at=at)
    try:
        walk = Walk(engine)
        case = walk.start(scenario["start"], {"received_at": "2025-06-10"})  # due 10 September
        walk.act(scenario["steps"][0])
        assert engine.sweep_case_deadlines() == 2  # 张三 (纪委书记) and 赵六 (案管室)
        assert engine.sweep_case_deadlines() == 0  # told once
        soon = _told(engine, "zhangsan", case)
        assert [k for k, _t in soon] == ["case_due_soon"] and "应于2025-09-10前办结" in soon[0][1]
        assert _told(engine, "zhaoliu", case) == soon and _told(engine, "qianqi", case) == []
        engine.clock.set(datetime(2025, 9, 11, 9, tzinfo=CHINA_TZ))  # type: ignore[attr-defined]
        assert engine.sweep_case_deadlines() == 2 and engine.sweep_case_deadlines() == 0
        assert [k for k, _t in _told(engine, "zhangsan", case)] == ["case_overdue", "case_due_soon"]
        assert "须经纪委书记批准延长三个月" in _told(engine, "zhangsan", case)[0][1]
    finally:
        engine.close()
