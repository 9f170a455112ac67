"""上级交办件 are watched while they run (issue 9 #19, D9): a case received from the upper commission on
20 May 2025 and still being handled on 1 September is past its three months on the dashboard, and counts
as concluded late once it is concluded — not only in the report sent upward at the end."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from engine import Engine
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
