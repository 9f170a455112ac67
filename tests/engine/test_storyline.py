"""The demo storyline (workflows/storyline.json) seeds cases of every process in many states, so that
every demo role logs in to real work; it is played once, into an empty database only."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine import CHINA_TZ, Engine
from engine.db.models import HumanTask, Incident, InstanceLink, ProcessInstance
from engine.storyline import play, seed_demo_cases
from tests.conftest import WORKFLOWS, build_engine, make_workflows_dir
from tests.demo_county import TODAY, played_demo


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = played_demo(tmp_path_factory.mktemp("storyline"), TODAY)
    yield engine
    engine.close()


def test_every_demo_account_logs_in_to_a_step_of_its_own(seeded: Engine) -> None:
    """Issue 9 #20: not every role — every person of the demo county has something to do."""
    designers = seeded.ctx.roles.designers
    idle = [a.display_name for a, _unit in seeded.users() if not seeded.inbox(a) and not a.roles <= designers]
    assert idle == []
    fang = seeded.actor_by_name("fangzheng")  # a designer's work is the model library (issue 13)
    deployed = {p.parent.name for p in WORKFLOWS.glob("*/process.toml")}
    assert fang is not None and len(seeded.designer.library(fang)) == len(deployed)


def test_every_process_has_cases_and_nothing_failed(seeded: Engine) -> None:
    with seeded.ctx.db.reading() as session:
        states = set(session.execute(select(ProcessInstance.process_id, ProcessInstance.status)))
        assert session.scalar(select(func.count()).select_from(Incident)) == 0
    for process_id in ("clue_disposal", "inspection_plan", "unit_inspection", "rectification"):
        assert {(process_id, "running"), (process_id, "completed")} <= states
    assert ("dual_inquiry", "running") in states


@pytest.mark.parametrize(
    "role",
    [
        "XF",
        "AG",
        "JC",
        "FG",
        "SJ",
        "CW",
        "XW",
        "SC",
        "SL",
        "ZZ",
        "DF",
        "TL",
        "LL",
        "DW",
        "BZ",
        "BR",
        "XC",
        "DZ",
    ],
)
def test_every_working_role_has_open_tasks(seeded: Engine, role: str) -> None:
    with seeded.ctx.db.reading() as session:
        query = select(func.count()).where(HumanTask.role == role, HumanTask.status == "ready")
        assert session.scalar(query.select_from(HumanTask))
    holders = [a for a, _unit in seeded.users() if role in a.roles]
    assert any(seeded.inbox(a) for a in holders), f"no {role} holder sees an open task"


def test_the_main_story_leads_from_the_clue_to_an_inquiry_into_the_unit(seeded: Engine) -> None:
    with seeded.ctx.db.reading() as session:
        clue = session.scalar(select(ProcessInstance).where(ProcessInstance.business_key == "XS-2025-0031"))
        assert clue is not None
        link = session.scalar(select(InstanceLink).where(InstanceLink.source_id == clue.id))
        assert link is not None and link.message == "case_filed"
        inquiry = session.get(ProcessInstance, link.target_id)
        assert inquiry is not None and inquiry.process_id == "dual_inquiry" and inquiry.unit_id == "SJJ"


def test_the_seed_runs_only_into_an_empty_database(tmp_path: Path) -> None:
    workflows = make_workflows_dir(tmp_path, WORKFLOWS / "rectification")
    walk = {"scenario": "rectification/scenarios/ladder_reminder_overdue_talk_escalation.json", "until": 3}
    (workflows / "storyline.json").write_text(json.dumps({"walks": [walk]}), "utf-8")
    engine = build_engine(tmp_path, workflows, at=TODAY)
    engine.close()
    assert seed_demo_cases(engine.settings) > 0
    assert seed_demo_cases(engine.settings) == 0


def test_every_chart_of_the_dashboard_has_figures_this_year(seeded: Engine) -> None:
    """A supervisor trying the demo cold sees every chart filled in the dashboard's default period."""
    secretary = seeded.actor_by_name("zhangsan")
    assert secretary is not None
    empty = []
    for statistic in seeded.supervisor.dashboard(secretary, seeded.supervisor.stat_filter({})):
        for table in statistic.tables:
            figures = [c.value for row in table.rows for c in row[1:] if isinstance(c.value, int | float)]
            if not table.rows or (table.chart != "none" and not any(figures)):
                empty.append(table.title)
    assert empty == []


def test_no_inbox_opens_on_work_months_overdue_unless_the_story_says_so(seeded: Engine) -> None:
    """Issue 10 #6: walks that stop midway end last week; only the main story's follow-ups (the 一案双查
    decision and the 整改 of its 纪律检查建议书, waiting since January) are late on purpose."""
    with seeded.ctx.db.reading() as session:
        main = session.scalar(
            select(ProcessInstance.id).where(ProcessInstance.business_key == "XS-2025-0031")
        )
        story = {main, *session.scalars(select(InstanceLink.target_id).where(InstanceLink.source_id == main))}
    late = {
        (a.display_name, t.instance_title, t.title)
        for a, _unit in seeded.users()
        for t in seeded.inbox(a)
        if t.working_days_left is not None and t.working_days_left < -60 and t.instance_id not in story
    }
    assert late == set()


def test_seeding_on_a_day_a_moved_walk_cannot_follow_still_gives_a_demo(tmp_path: Path) -> None:
    """`recent` walks move by whole weeks onto other holidays; on a day one of them finds a timer early,
    `make run` still seeds the county (that case stops where it got to) instead of failing."""
    workflows = make_workflows_dir(tmp_path, WORKFLOWS / "rectification")
    story = workflows / "storyline.json"
    walk = {"scenario": "rectification/scenarios/ladder_reminder_overdue_talk_escalation.json", "until": 20}
    story.write_text(json.dumps({"walks": [{**walk, "recent": True}]}), "utf-8")
    engine = build_engine(tmp_path, workflows, at=datetime(2025, 9, 1, 9, 0, tzinfo=CHINA_TZ))
    spring_festival = datetime(2027, 2, 10, 9, 0, tzinfo=CHINA_TZ)
    with pytest.raises(LookupError):  # the tests play strictly: a walk that cannot follow is a failure
        play(engine, workflows, story, spring_festival)
    engine.close()
    again = build_engine(tmp_path / "again", workflows, at=datetime(2025, 9, 1, 9, 0, tzinfo=CHINA_TZ))
    assert len(play(again, workflows, story, spring_festival, strict=False)) == 1  # seeding goes on
    again.close()


def _reporter_values(value: object, key: str = "") -> set[str]:
    if isinstance(value, dict):
        return {found for k, v in value.items() for found in _reporter_values(v, str(k))}
    if isinstance(value, list):
        return {found for v in value for found in _reporter_values(v, key)}
    return {value} if key.startswith("reporter_") and isinstance(value, str) and value else set()


def test_the_seeded_database_file_holds_no_reporter_name_or_phone(seeded: Engine) -> None:
    """Issue 11 #8: after the whole demo is played, neither the database file nor its WAL contains a
    real-name reporter's name or contact, in any spelling (UTF-8 or JSON's \\u escapes)."""
    scenarios = WORKFLOWS.glob("*/scenarios/*.json")
    values = {v for path in scenarios for v in _reporter_values(json.loads(path.read_text(encoding="utf-8")))}
    assert {"欧阳建华", "13907316021"} <= values  # the demo's real-name reporter is among them
    raw = b"".join(p.read_bytes() for p in Path(seeded.settings.instance_dir).glob("qinglian.db*"))
    spellings = {(v, s) for v in values for s in (v.encode(), json.dumps(v).strip('"').encode("ascii"))}
    assert [v for v, spelled in spellings if spelled in raw] == []
