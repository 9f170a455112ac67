"""The demo storyline (workflows/storyline.json) seeds cases of every process in many states, so that
every demo role logs in to real work; it is played once, into an empty database only."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine import CHINA_TZ, Engine
from engine.db.models import HumanTask, Incident, InstanceLink, ProcessInstance
from engine.storyline import seed_demo_cases
from tests.conftest import WORKFLOWS, build_engine, make_workflows_dir
from tests.demo_county import played_demo

TODAY = datetime(2026, 11, 27, 9, 0, tzinfo=CHINA_TZ)


def _all_workflows(tmp: Path) -> Path:
    folders = sorted(p.parent for p in WORKFLOWS.glob("*/process.toml"))
    workflows = make_workflows_dir(tmp, *folders)
    shutil.copy(WORKFLOWS / "storyline.json", workflows / "storyline.json")
    return workflows


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = played_demo(tmp_path_factory.mktemp("storyline"), TODAY)
    yield engine
    engine.close()


def test_every_demo_account_logs_in_to_a_step_of_its_own(seeded: Engine) -> None:
    """Issue 9 #20: not every role — every person of the demo county has something to do."""
    idle = [a.display_name for a, _unit in seeded.users() if not seeded.inbox(a)]
    assert idle == []


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
    workflows = _all_workflows(tmp_path)
    engine = build_engine(tmp_path, workflows, at=TODAY)
    zhaoliu = engine.actor_by_name("zhaoliu")
    assert zhaoliu is not None
    register = {"clue_no": "XS-2026-0901"}  # any case at all: the demo is not played over real work
    with pytest.raises(Exception):  # noqa: B017 — the start form refuses this partial data
        engine.start(zhaoliu, "clue_disposal", register)
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
