"""One 两个责任 inspection through the real pages, from the plan to the acknowledged 反馈意见书, each step by
the person whose step it is: plan (DF), approval (CW), notices (DF), self-assessment table with evidence (LL),
signature (DW), on-site log, scoring against the checklist (one refusal first) and findings (TL),
acknowledgement (DW); then the case page with grade, documents, linked cases and the diagram."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from engine import CHINA_TZ
from tests.browser.conftest import LiveServer, serve
from tests.browser.pages import Person
from tests.conftest import ROOT, WORKFLOWS, build_engine, make_workflows_dir

pytestmark = pytest.mark.browser
SCREENSHOTS = ROOT / "docs" / "screenshots"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
FOLDERS = ("inspection_plan", "unit_inspection", "rectification", "clue_disposal")
SHOTS = ("inspection-plan-form", "inspection-score-refused", "inspection-findings", "inspection-case")

# The walk is the scenario file (also run by the scenario runner): the pages and the engine agree.
PATH = json.loads((WORKFLOWS / "inspection_plan" / "scenarios" / "plan_full_chain.json").read_text("utf-8"))
PLAN = PATH["start"]["data"]
# The team as a person types it: by name (吴十, 孙八、钱七); the submission reads unique names as logins.
TYPED_PLAN = {**PLAN, "team_lead": "吴十", "team_members": ["孙八", "钱七"]}
assert (PLAN["team_lead"], PLAN["team_members"]) == ("wushi", ["sunba", "qianqi"]), "the names typed"
STEPS = {step["complete"]: step for step in PATH["steps"] if "complete" in step}
UNIT = "县市场监督管理局"  # unit_inspection#1 of the scenario (SJJ): the one walked to the end
# What the case data holds after B-5: the scenario's own expectation (total and grade).
AFTER_SCORING = {
    key: str(value)
    for s in PATH["steps"]
    if s.get("in") == "unit_inspection#1" and "data" in s.get("expect", {})
    for key, value in s["expect"]["data"].items()
}
TOO_HIGH = "得分不能超过该项目的分值"


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    workflows = make_workflows_dir(tmp_path, *(WORKFLOWS / name for name in FOLDERS))
    engine = build_engine(tmp_path, workflows, at=datetime.fromisoformat(PATH["start"]["at"]))
    yield from serve(engine)
    engine.close()


class Walk:
    """The people of the walk (one browser context each), the scenario's clock and files."""

    def __init__(self, chromium: Any, live: LiveServer, artifacts: Path, tmp_path: Path):
        self.chromium, self.live, self.artifacts, self.tmp_path = chromium, live, artifacts, tmp_path
        self.people: dict[str, Person] = {}

    def person(self, username: str) -> Person:
        if username not in self.people:
            self.people[username] = Person(self.chromium, self.live.url, username, self.artifacts)
        return self.people[username]

    def clock(self, step: dict[str, Any]) -> None:
        """Move the live server's FrozenClock to the step's time and fire the timers due by then."""
        if "at" in step:
            at = datetime.fromisoformat(step["at"]).astimezone(CHINA_TZ)
            self.live.engine.clock.set(at)  # type: ignore[attr-defined]
            self.live.engine.fire_due_timers()

    def files(self, value: Any) -> Any:
        """The scenario's `@file:NAME` references as small PDFs on disk, for the file inputs."""
        if isinstance(value, str) and value.startswith("@file:"):
            path = self.tmp_path / value.removeprefix("@file:")
            path.write_bytes(PDF)
            return path
        if isinstance(value, list):
            return [self.files(v) for v in value]
        if isinstance(value, dict):
            return {k: self.files(v) for k, v in value.items()}
        return value

    def opened(self, bpmn_id: str) -> Person:
        """The person of the scenario's step, on that step's page, at the step's time."""
        self.clock(STEPS[bpmn_id])
        who = self.person(STEPS[bpmn_id]["as"])
        who.open_step(bpmn_id)
        return who

    def step(self, bpmn_id: str) -> None:
        self.clock(STEPS[bpmn_id])
        self.person(STEPS[bpmn_id]["as"]).do_step(bpmn_id, self.files(STEPS[bpmn_id]["data"]))


def start_plan(walk: Walk) -> None:
    """B-1: 党风政风监督室 drafts the plan on the start page (units as checkboxes, the team by login)."""
    planner = walk.person(PATH["start"]["as"])
    planner.open_start("登记：两个责任监督检查计划")
    planner.fill_form(TYPED_PLAN)  # the team members typed by name, separated by 、
    planner.blur()
    planner.shot("inspection-plan-form")
    planner.submit()
    planner.page.get_by_role("heading", name=f"{PLAN['plan_no']} {PLAN['plan_title']}").wait_for()


def self_assessment(walk: Walk) -> None:
    """B-3: the unit's liaison fills the checklist table (one row per item already there) with evidence."""
    liaison = walk.opened("B3_self_assessment")
    assert liaison.page.locator("table[data-table=sa_items] tbody tr").count() == 8, "ui:rows prefill"
    assert liaison.table_cell("sa_items", 7, "item").input_value() == "C08"
    instructions = liaison.page.locator(".instructions").inner_text()  # the checklist, read by {% for %}
    for row in STEPS["B5_score"]["data"]["scores"]:
        assert re.search(rf"{row['item']} \S+（\d+分）", instructions), (row["item"], instructions)
    liaison.fill_form(walk.files(STEPS["B3_self_assessment"]["data"]))
    liaison.blur()
    liaison.shot("inspection-self-assessment")
    liaison.submit()
    assert liaison.page.locator(".flash.success").count() == 1, liaison.page.locator(
        ".error"
    ).all_inner_texts()


def scoring(walk: Walk) -> None:
    """B-5: one score above its item's weight first: refused with the message, everything typed kept."""
    lead = walk.opened("B5_score")
    assert lead.page.locator("table[data-table=scores] tbody tr").count() == 8, "ui:rows prefill"
    scores = [dict(row) for row in STEPS["B5_score"]["data"]["scores"]]
    too_high = [dict(scores[0], score=scores[0]["score"] + 5), *scores[1:]]  # C01: 20 of 15
    lead.fill_form({"scores": too_high, "veto_hits": STEPS["B5_score"]["data"]["veto_hits"]})  # none ticked
    lead.submit()
    assert lead.page.locator(".flash.success").count() == 0, "a score above its weight is refused"
    assert lead.table_cell("scores", 0, "score").input_value() == "20"
    assert lead.table_cell("scores", 1, "deduction_reason").input_value() == scores[1]["deduction_reason"]
    assert lead.table_cell("scores", 7, "item").input_value() == "C08"
    assert lead.page.locator("#err-veto_hits").count() == 0, "no veto ticked is an answer"
    assert TOO_HIGH in lead.page.locator("#err-scores").inner_text()
    lead.blur()
    lead.shot("inspection-score-refused")
    lead.fill_form({"scores": scores})
    lead.submit()
    assert lead.page.locator(".flash.success").count() == 1, lead.page.locator(".error").all_inner_texts()


def findings(walk: Walk) -> None:
    """B-6: one finding (→ 整改 after the acknowledgement) and one clue (→ 线索处置 at once), two tables."""
    lead = walk.opened("B6_findings")
    lead.fill_form(walk.files(STEPS["B6_findings"]["data"]))
    lead.blur()
    wide = lead.page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert wide[0] <= wide[1], f"the page is wider than the window {wide}: a wide table scrolls inside"
    clues = lead.page.locator("table[data-table=clues]").evaluate(
        "t => t.parentElement.scrollWidth > t.parentElement.clientWidth"
    )
    assert clues, "the clue table is wider than the page and scrolls sideways"
    lead.shot("inspection-findings")
    lead.submit()
    assert lead.page.locator(".flash.success").count() == 1, lead.page.locator(".error").all_inner_texts()


def case_page(walk: Walk) -> None:
    """The unit's case, as the planner (党风政风监督室 runs the inspections, so it sees every unit's case
    though it takes no step in it), reached from the plan's linked cases."""
    supervisor = walk.person(PATH["start"]["as"])
    page, url = supervisor.page, walk.live.url
    page.goto(f"{url}/instances")
    page.get_by_role("link", name=f"{PLAN['plan_no']} {PLAN['plan_title']}").first.click()
    started = page.locator("#links tr.link-started")
    assert started.count() == len(PLAN["units"])
    started.get_by_role("link", name=f"{PLAN['plan_no']} {UNIT}").click()
    page.get_by_role("heading", name=f"{PLAN['plan_no']} {UNIT}").wait_for()
    assert page.locator(".page-head .badge.status").inner_text() == "已办结"

    case_data = page.locator("dl.data").last  # 登记和办理信息 (folded: read the text, not what is shown)
    for key, expected in AFTER_SCORING.items():  # each under its title (process.toml [labels])
        label = {"total": "总分", "grade": "评定等次"}[key]
        assert (case_data.locator(f"dt:text-is('{label}') + dd").text_content() or "").strip() == expected, (
            key
        )

    links = page.locator("#links")
    triggered = links.locator("tr.link-triggered_by")
    assert triggered.count() == 1 and PLAN["plan_no"] in triggered.inner_text()
    started_rows = links.locator("tr.link-started").all_inner_texts()
    for process in ("问题整改及销号", "问题线索处置"):
        assert any(process in row for row in started_rows), started_rows

    documents = page.locator("#documents tbody tr")
    rows = documents.all_inner_texts()
    assert (
        len(rows) == 4
        and "检查通知书" in rows[0]
        and "自查报告" in rows[1]
        and "检查评分表" in rows[2]
        and "反馈意见书" in rows[3]
    ), rows
    for link in documents.get_by_role("link", name="PDF").all():
        response = page.request.get(f"{url}{link.get_attribute('href')}")
        assert response.status == 200 and response.body().startswith(b"%PDF"), link.get_attribute("href")

    page.locator("#diagram[data-diagram-status=ready]").wait_for(timeout=30_000)  # bpmn-js, slow on a busy CI
    completed = page.locator(".djs-element.ql-completed").evaluate_all(
        "els => els.map(e => e.getAttribute('data-element-id'))"
    )
    for done in ("B3_selfcheck", "B4_onsite", "B5_score", "B6_findings", "B6_ack"):
        assert done in completed, (done, completed)
    supervisor.shot("inspection-case")


def test_inspection_from_plan_to_feedback(
    chromium: Any, live: LiveServer, artifacts: Path, tmp_path: Path
) -> None:
    walk = Walk(chromium, live, artifacts, tmp_path)
    start_plan(walk)
    walk.step("B1_approve")  # 纪委常委会
    walk.step("B2_confirm")  # one 检查通知书 and one unit inspection per unit
    self_assessment(walk)
    walk.step("B3_sign")  # 单位主要负责人 signs
    walk.step("B4_onsite")  # 检查组组长: 汇报、查阅、谈话、测评 (rows added with 添加一行)
    scoring(walk)
    findings(walk)
    walk.step("B6_ack")  # 单位主要负责人 signs for the 反馈意见书
    case_page(walk)

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name in SHOTS:
        shutil.copy(artifacts / f"{name}.png", SCREENSHOTS / f"{name}.png")
    for p in walk.people.values():
        assert p.console_errors == [], (p.username, p.console_errors)
        p.close()
