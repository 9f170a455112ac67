"""营商环境 figures on the dashboard (issue 12 D1): approval items supervised and past their limit, per
department, problems by kind and what the 营商办 did — each figure opening the cases it counts."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from engine import CHINA_TZ, Engine, NotFound
from engine.caselist import CaseFilter
from engine.stats import StatFilter
from tests.conftest import WORKFLOWS, build_engine, make_workflows_dir
from tests.engine.clues import actor
from tests.engine.test_imports import HEADER

ROWS = [
    "SP-2025-0401,食品经营许可,云岭食品,SPJ,2025-09-01,是,,0,承诺时限,5,2025-09-12",  # late
    "SP-2025-0402,药品零售许可,康宁药房,SPJ,2025-09-01,否,2025-09-02,3,承诺时限,5,2025-09-05",  # 反复补正
    "SP-2025-0403,建设用地规划许可,东湖置业,ZRJ,2025-09-01,是,,0,法定时限,20,2025-09-10",  # fine
    "SP-2025-0404,公共场所卫生许可,西岭宾馆,WJJ,2025-09-01,是,,0,承诺时限,5,",  # still open, past due
]
PERIOD = {"from": "2025-09-01", "to": "2025-09-30"}
QUIET_PERIOD = {"from": "2025-10-01", "to": "2025-11-30"}


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    workflows = make_workflows_dir(tmp_path, WORKFLOWS / "approval_supervision", WORKFLOWS / "rectification")
    built = build_engine(tmp_path, workflows, at=datetime(2025, 9, 15, 9, tzinfo=CHINA_TZ))
    office = actor(built, "gaoyuan")
    built.imports.run(office, "approval_supervision", "items.csv", "\n".join([HEADER, *ROWS]).encode())
    built.fire_due_timers()  # SP-2025-0404's limit passed on 2025-09-08
    late = next(t for t in built.inbox(office) if t.instance_title.startswith("SP-2025-0401"))
    built.complete(office, late.id, {"remind_requirements": "查明原因"})
    reply = next(t for t in built.inbox(actor(built, "lichou")) if t.bpmn_id == "D1_reply")
    answer = {"reply_reason": "休假", "reply_measures": "落实限时办结制度"}
    built.complete(actor(built, "lichou"), reply.id, answer)
    judge = next(t for t in built.inbox(office) if t.bpmn_id == "D1_judge")
    decision = {"disposal": "整改", "judge_opinion": "属实", "finding": "超时办结", "severity": "一般"}
    built.complete(office, judge.id, decision)
    yield built
    built.close()


def figures(engine: Engine, username: str = "zhangsan") -> dict[str, list[list[Any]]]:
    f = StatFilter.parse(PERIOD, engine.clock.now().date())
    found = engine.supervisor.statistic(actor(engine, username), "business_env", f)
    return {t.name: [[c.value for c in row] for row in t.rows] for t in found.tables}


def test_items_past_their_limit_per_department_problems_and_disposals(engine: Engine) -> None:
    got = figures(engine)
    assert got["approval_overview"] == [
        ["监督审批事项", 4],
        ["超过办理时限", 2],
        ["其中仍未办结", 1],
        ["按时限办结率", "50.0%"],
    ]
    assert got["approval_by_department"] == [
        ["县行政审批服务局", 2, 1, "50.0%"],
        ["县卫生健康局", 1, 1, "100.0%"],
        ["县自然资源局", 1, 0, "0.0%"],
    ]
    problems = dict(map(tuple, got["approval_problems"]))  # type: ignore[arg-type]
    assert problems == {"反复补正": 1, "超时办结": 1, "超时未办结": 1}
    assert got["approval_disposals"] == [["已纠正，予以办结", 0], ["交承办部门整改", 1], ["移送问题线索", 0]]


def test_the_figures_open_their_cases_and_only_supervisors_of_the_process_see_them(engine: Engine) -> None:
    zhangsan = actor(engine, "zhangsan")
    f = StatFilter.parse(PERIOD, engine.clock.now().date())
    tables = engine.supervisor.statistic(zhangsan, "business_env", f).tables
    table = next(t for t in tables if t.name == "approval_overview")
    link = table.rows[2][1].link  # 其中仍未办结
    listed = engine.supervisor.cases(zhangsan, CaseFilter.parse(link))
    assert [r.title for r in listed.items] == ["SP-2025-0404 公共场所卫生许可（县卫生健康局）"]
    assert figures(engine, "gaoyuan")["approval_overview"][0] == [
        "监督审批事项",
        4,
    ]  # the office that runs it
    with pytest.raises(NotFound):
        figures(engine, "lichou")


def test_an_item_knows_its_departments_earlier_items_past_their_limit(engine: Engine) -> None:
    """反复发生: the 营商办 reads on the step how many of the department's items ran late the year before."""
    office = actor(engine, "gaoyuan")
    cases = {
        v.title.split()[0]: v
        for v in engine.supervisor.cases(actor(engine, "zhangsan"), CaseFilter.parse({})).items
    }
    second = engine.instance(office, cases["SP-2025-0402"].id)
    assert second.data["department_late_before"] == 1  # SP-2025-0401, same department, imported first
    assert engine.instance(office, cases["SP-2025-0403"].id).data["department_late_before"] == 0


def test_the_quiet_day_register_counts_each_filing_by_outcome(tmp_path: Path) -> None:
    """Issue 12 item 3: inspections filed in the 安静生产日 register — approved, refused, recorded — on the
    营商环境 dashboard, each count opening its filings; only quiet-day filings are reviewed."""
    from engine.storyline import Walk, load_scenario

    folder = WORKFLOWS / "quiet_day_register"
    built = build_engine(
        tmp_path, make_workflows_dir(tmp_path, folder), at=datetime(2025, 10, 1, tzinfo=CHINA_TZ)
    )
    try:
        for path in sorted((folder / "scenarios").glob("*.json")):
            scenario = load_scenario(path, "quiet_day_register")
            walk = Walk(built)
            walk.start(scenario["start"])
            for step in scenario["steps"]:
                walk.act(step)  # the refused moves are not made (error steps)
        f = StatFilter.parse(QUIET_PERIOD, built.clock.now().date())
        found = built.supervisor.statistic(actor(built, "gaoyuan"), "business_env", f)
        table = next(t for t in found.tables if t.name == "quiet_days")
        assert [[c.value for c in row] for row in table.rows] == [
            ["待审核", 0],  # the filing on a quiet day counted first as 待审核, then by the 营商办's decision
            ["同意入企", 1],
            ["不同意入企", 1],
            ["登记备查", 1],
        ]
        assert table.rows[2][1].link == {**QUIET_PERIOD, "fact": "quiet_day", "code": "不同意入企"}
    finally:
        built.close()


def test_a_complaint_of_a_quiet_day_inspection_reads_the_register(tmp_path: Path) -> None:
    """Issue 12 item 3: a 涉企执法 complaint of an inspection on a 安静生产日 says whether the department
    filed it in the register and what the 营商办 decided — or that it was never filed — on its 核查 step."""
    from engine.storyline import Walk, load_scenario
    from web.form_render import render_instructions

    folders = (
        WORKFLOWS / "quiet_day_register",
        WORKFLOWS / "enforcement_complaint",
        WORKFLOWS / "rectification",
    )
    built = build_engine(
        tmp_path, make_workflows_dir(tmp_path, *folders), at=datetime(2025, 10, 9, tzinfo=CHINA_TZ)
    )
    try:
        filed = load_scenario(
            WORKFLOWS / "quiet_day_register/scenarios/aj_quiet_day_approved.json", "quiet_day_register"
        )
        walk = Walk(built)
        walk.start(filed["start"])
        for step in filed["steps"]:
            walk.act(step)
        built.clock.set(datetime(2025, 10, 20, 9, tzinfo=CHINA_TZ))  # type: ignore[attr-defined]
        office = actor(built, "gaoyuan")
        complaint = load_scenario(WORKFLOWS / "enforcement_complaint/scenarios/zf_unfounded_closed.json", "x")
        base = {**complaint["start"]["data"], "subject_unit": "SJJ", "enterprise": "康宁食品有限公司"}
        said = {}
        for number, day, kind in (("ZF-2025-0101", "2025-10-15", "安静生产日入企检查"),
                                  ("ZF-2025-0102", "2025-10-16", "安静生产日入企检查"),
                                  ("ZF-2025-0103", "2025-10-15", "吃拿卡要")):  # fmt: skip
            case = built.start(
                office,
                "enforcement_complaint",
                {**base, "complaint_no": number, "occurred_on": day, "complaint_kind": kind},
            )
            check = next(t for t in built.inbox(actor(built, "zhoujiu")) if t.instance_id == case)
            task = built.task(actor(built, "zhoujiu"), check.id)
            shown = str(render_instructions(task.instructions, task.data))
            said[number] = (task.data.get("quiet_day_filing"), shown)
        assert said["ZF-2025-0101"][0] == "已报备，营商办同意入企（康宁食品有限公司）"
        assert "安静生产日入企检查报备登记：已报备，营商办同意入企" in said["ZF-2025-0101"][1]
        assert said["ZF-2025-0102"][0] == "未报备"  # nothing filed for SJJ on that day
        assert said["ZF-2025-0103"][0] == "" and "报备登记" not in said["ZF-2025-0103"][1]
        waiting = "quiet_day_register/scenarios/aj_quiet_day_refused.json"  # filed, not yet reviewed
        Walk(built).start(
            load_scenario(WORKFLOWS / waiting, "quiet_day_register")["start"], {"subject_unit": "SJJ"}
        )
        built.clock.set(datetime(2025, 11, 20, 9, tzinfo=CHINA_TZ))  # type: ignore[attr-defined]
        complaint = {**base, "complaint_no": "ZF-2025-0104", "occurred_on": "2025-11-12"}
        case = built.start(
            office, "enforcement_complaint", {**complaint, "complaint_kind": "安静生产日入企检查"}
        )
        check = next(t for t in built.inbox(actor(built, "zhoujiu")) if t.instance_id == case)
        filing = built.task(actor(built, "zhoujiu"), check.id).data["quiet_day_filing"]
        assert filing == "已报备，营商办尚未审核（东湖建材有限公司）"
    finally:
        built.close()
