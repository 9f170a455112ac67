"""The dashboard's figures of issue 12's registers, over their scenario files played in full: 警示教育 (units
a session was for that sent nobody listed first), 插手干预重大事项 by domain and outcome, 网络舆情 by
assessment with the late ones counted."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest

from engine import CHINA_TZ, Engine
from engine.stats import StatFilter
from engine.storyline import play
from tests.conftest import WORKFLOWS, build_engine, make_workflows_dir
from tests.engine.clues import actor

SCENARIOS = [
    "warning_education/scenarios/jy_special_session_with_absence.json",
    "interference_register/scenarios/gy_clue.json",
    "interference_register/scenarios/gy_liaison_talk.json",
    "online_opinion/scenarios/yq_clue_after_late_assessment.json",
    "online_opinion/scenarios/yq_clarified.json",
]
PERIOD = {"from": "2025-01-01", "to": "2025-12-31"}


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    tmp = tmp_path_factory.mktemp("programme")
    folders = ("clue_disposal", "warning_education", "interference_register", "online_opinion")
    built = build_engine(tmp, make_workflows_dir(tmp, *(WORKFLOWS / f for f in folders)))
    storyline = tmp / "storyline.json"
    storyline.write_text(json.dumps({"walks": [{"scenario": s} for s in SCENARIOS]}), encoding="utf-8")
    play(built, WORKFLOWS, storyline, datetime(2026, 1, 5, 9, tzinfo=CHINA_TZ))
    yield built
    built.close()


def figures(engine: Engine, name: str, username: str = "zhangsan") -> dict[str, list[list[Any]]]:
    f = StatFilter.parse(PERIOD, datetime(2026, 1, 5).date())
    found = engine.supervisor.statistic(actor(engine, username), name, f)
    return {t.name: [[c.value for c in row] for row in t.rows] for t in found.tables}


def test_units_a_session_was_for_that_sent_nobody_come_first(engine: Engine) -> None:
    got = figures(engine, "warning_education")
    assert got["edu_sessions"] == [["警示教育专场", 1]]
    assert got["edu_units"] == [
        ["县自然资源局", 1, 0, "是"],
        ["县行政审批服务局", 1, 46, "否"],
        ["县市场监督管理局", 1, 38, "否"],
    ]


def test_interference_entries_by_domain_and_outcome(engine: Engine) -> None:
    got = figures(engine, "interference")
    assert dict(map(tuple, got["interference_by_domain"]))["工程建设"] == 1  # type: ignore[arg-type]
    assert dict(map(tuple, got["interference_by_domain"]))["选人用人"] == 1  # type: ignore[arg-type]
    assert got["interference_results"] == [["登记存档", 0], ["谈话提醒", 1], ["移送问题线索", 1]]
    assert figures(engine, "interference", "zhoujiu")["interference_results"][2] == ["移送问题线索", 1]


def test_online_incidents_by_assessment_and_the_late_ones(engine: Engine) -> None:
    got = figures(engine, "online_opinion")
    assert got["opinion_overview"] == [["登记舆情", 2], ["超过时限研判", 1]]
    results = dict(map(tuple, got["opinion_results"]))  # type: ignore[arg-type]
    assert (results["澄清正名"], results["移送问题线索"], results["待研判"]) == (1, 1, 0)
    assert figures(engine, "online_opinion", "luoxue")["opinion_overview"][0] == ["登记舆情", 2]
