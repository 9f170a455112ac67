"""D1 审批时限监督 through the real pages (issue 12): the 营商办 imports the 行政服务中心's items, a late one
gets a numbered 提醒函, the department answers, and the 营商办 hands it to 整改 — a case of Process C that
党风政风监督室 finds in its inbox."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from engine import CHINA_TZ
from tests.browser.conftest import LiveServer, serve
from tests.browser.pages import Person
from tests.conftest import WORKFLOWS, build_engine, make_workflows_dir
from tests.engine.test_imports import GOOD_LATE, GOOD_OPEN, HEADER

pytestmark = pytest.mark.browser


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    workflows = make_workflows_dir(tmp_path, WORKFLOWS / "approval_supervision", WORKFLOWS / "rectification")
    engine = build_engine(tmp_path, workflows, at=datetime(2025, 9, 15, 9, tzinfo=CHINA_TZ))
    yield from serve(engine)
    engine.close()


def test_import_to_a_rectification_case(
    chromium: Any, live: LiveServer, artifacts: Path, tmp_path: Path
) -> None:
    table = tmp_path / "审批事项台账.csv"
    bad = "SP-2025-0209,药品零售许可,康宁药房,县行政审批服务局,2025-02-30,是,,0,承诺时限,5,"
    table.write_bytes("\n".join([HEADER, GOOD_LATE, bad, GOOD_OPEN]).encode("utf-8-sig"))

    office = Person(chromium, live.url, "gaoyuan", artifacts)
    page = office.page
    page.get_by_role("link", name="批量导入：审批时限监督").click()
    page.get_by_label("导入文件").set_input_files(str(table))
    page.get_by_role("button", name="导入", exact=True).click()
    report = page.locator("#import-report")
    report.wait_for()
    assert "已登记 2 件，未登记 1 行" in report.inner_text()
    assert "第 3 行" in page.locator("#import-refused").inner_text()
    office.shot("d1-import")

    office.do_step("D1_remind", {"remind_requirements": "立即查明超时原因，落实限时办结制度"})
    department = Person(chromium, live.url, "lichou", artifacts)
    department.open_step("D1_reply")
    assert "提醒函（示营商提〔2025〕1号）" in department.page.locator("main").inner_text()
    department.fill_form({"reply_reason": "经办人员休假，交接不到位", "reply_measures": "落实限时办结制度"})
    department.submit()

    office.open_step("D1_judge")
    office.fill_form({"disposal": "整改", "judge_opinion": "超时办结属实。", "finding": "超过承诺时限办结"})
    office.fill_form({"severity": "一般"})
    office.shot("d1-judge")
    office.submit()
    assert page.locator(".flash.success").count() == 1

    supervisor = Person(chromium, live.url, "zhoujiu", artifacts)
    row = supervisor.page.get_by_role("row").filter(has_text="SP-2025-0201-YS")
    assert row.count() >= 1, supervisor.page.locator("main").inner_text()
    row.first.get_by_role("link").first.click()
    supervisor.page.locator("form.task-form").wait_for()
    assert "超过承诺时限办结" in supervisor.page.locator("main").inner_text()
    supervisor.shot("d1-rectification-step")
    for person in (office, department, supervisor):
        assert person.console_errors == []
        person.close()
