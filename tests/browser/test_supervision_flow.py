"""A supervisor's morning on the real pages (issue 8), over the demo storyline: the dashboard's charts,
a figure followed to the cases behind it, a search for 冯乙, a reminder and a reassignment from the case
page, and the officer finding the reassigned step and its notice. Screenshots go to the README."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from engine.db.models import HumanTask, ProcessInstance
from tests.browser.conftest import LiveServer, serve
from tests.browser.pages import Person
from tests.conftest import ROOT
from tests.demo_county import TODAY, played_demo

pytestmark = pytest.mark.browser
SCREENSHOTS = ROOT / "docs" / "screenshots"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    engine = played_demo(tmp_path_factory.mktemp("supervision"), TODAY)
    yield from serve(engine)
    engine.close()


def _charts_drawn(page: Any) -> None:
    page.wait_for_function(
        "() => [...document.querySelectorAll('.ql-chart')].every(e => e.dataset.chartStatus === 'ready')",
        timeout=30_000,
    )


def _open_officer_step(live: LiveServer) -> tuple[int, int]:
    """(case, step) of an open step of a 承办室 officer that another officer of hers could take."""
    engine = live.engine
    secretary = engine.actor_by_name("zhangsan")
    with engine.ctx.db.reading() as session:
        rows = session.execute(
            select(HumanTask.id, HumanTask.instance_id)
            .where(HumanTask.status == "ready", HumanTask.role == "JC", HumanTask.assignee_id.is_not(None))
            .order_by(HumanTask.id)
        ).all()
    for task_id, case in rows:
        if engine.interventions.candidates(secretary, task_id):  # type: ignore[arg-type]
            return case, task_id
    raise AssertionError("the storyline has no step to reassign")


def test_a_supervisor_reads_the_dashboard_searches_and_steers(
    chromium: Any, live: LiveServer, artifacts: Path
) -> None:
    lead = Person(chromium, live.url, "zhangsan", artifacts)
    page = lead.page
    page.get_by_role("link", name="监督看板").click()
    page.get_by_role("heading", name="监督看板").wait_for()
    _charts_drawn(page)
    assert page.locator(".ql-chart svg").count() == page.locator(".ql-chart").count() >= 12
    lead.shot("dashboard")  # the whole page, for the test's artifacts; the README shows its top
    page.screenshot(path=str(SCREENSHOTS / "dashboard.png"))
    forms = page.locator("#forms")
    forms.scroll_into_view_if_needed()
    forms.screenshot(path=str(SCREENSHOTS / "dashboard-forms.png"))
    figure = page.locator("table[data-stat=forms] tbody tr").first.locator("td").nth(1).locator("a")
    counted = int(figure.inner_text())
    figure.click()
    page.get_by_role("heading", name="线索、案件和事项").wait_for()
    assert "来自监督看板的统计口径" in page.locator(".narrowed").inner_text()
    assert (
        page.locator("table.cases tbody tr").count() == int(page.locator("h1 .count").inner_text()) <= counted
    )
    assert int(page.locator("h1 .count").inner_text()) > 0

    page.goto("/instances")
    page.get_by_label("搜索").fill("冯乙")
    page.get_by_role("button", name="查找").click()
    page.wait_for_load_state()
    titles = page.locator("table.cases tbody tr td:nth-child(2) a").all_inner_texts()
    assert titles and all("冯乙" in t or "一案双查" in t for t in titles)  # newest first, a page at a time
    lead.blur()
    shutil.copy(lead.shot("search"), SCREENSHOTS / "search.png")
    page.get_by_label("搜索").fill("XS-2025-0031")  # the main story's clue, by its number
    page.get_by_role("button", name="查找").click()
    page.wait_for_load_state()
    assert "XS-2025-0031 冯乙" in page.locator("table.cases tbody tr td:nth-child(2) a").all_inner_texts()

    case, task = _open_officer_step(live)
    page.goto(f"/instances/{case}")
    row = page.locator(f"tr[data-task-id='{task}']")
    row.locator("summary").click()
    row.get_by_label("催办理由").fill("请于三个工作日内提出处置意见")
    row.get_by_role("button", name="催办").click()
    page.wait_for_load_state()
    assert "已催办" in page.locator(".flash.success").inner_text()
    assert "示纪案催〔2026〕1号" in page.locator("#documents").inner_text()
    row = page.locator(f"tr[data-task-id='{task}']")
    row.locator("summary").click()
    chosen = row.get_by_label("转办给").locator("option").nth(1)
    officer_name = chosen.inner_text()
    row.get_by_label("转办给").select_option(label=officer_name)
    row.get_by_label("转办理由").fill("原承办人出差，改由其他同志办理")
    row.get_by_role("button", name="转办").click()
    page.wait_for_load_state()
    assert "已转办" in page.locator(".flash.success").inner_text()
    history = page.locator("ol.history").inner_text()
    assert "催办" in history and "转办" in history and "原承办人出差" in history
    page.locator("#steer").scroll_into_view_if_needed()
    shutil.copy(lead.shot("case-steer"), SCREENSHOTS / "case-steer.png")

    new_holder = _holder_of(live, task)
    officer = Person(chromium, live.url, new_holder, artifacts)
    assert int(officer.page.locator(".unread-count").inner_text()) >= 1
    officer.page.get_by_role("link", name=re.compile("^通知")).click()
    assert "【转办】" in officer.page.locator("ul.notice-list").inner_text()
    officer.page.screenshot(path=str(SCREENSHOTS / "notices.png"))
    officer.page.goto("/")
    assert officer.page.locator(f"a[data-task][href='/tasks/{task}']").count() == 1  # in his list, once
    assert lead.console_errors == [] and officer.console_errors == []
    lead.close()
    officer.close()


def _holder_of(live: LiveServer, task_id: int) -> str:
    engine = live.engine
    with engine.ctx.db.reading() as session:
        assignee = session.get(HumanTask, task_id).assignee_id  # type: ignore[union-attr]
    return next(a.username for a, _u in engine.users() if a.id == assignee)


def _finished_case(live: LiveServer) -> int:
    with live.engine.ctx.db.reading() as session:
        return session.scalars(
            select(ProcessInstance.id)
            .where(ProcessInstance.status == "completed", ProcessInstance.process_id == "clue_disposal")
            .order_by(ProcessInstance.id)
        ).first()  # type: ignore[return-value]


def test_on_a_phone_inbox_task_and_case_fit_and_the_diagram_zooms(
    chromium: Any, live: LiveServer, artifacts: Path
) -> None:
    """Issue 10 #11: at 375 px nothing makes the page scroll sideways (wide tables scroll inside
    themselves); a finished case's diagram opens fitted, with 放大 / 缩小 / 适合窗口 buttons."""
    officer = Person(chromium, live.url, "qianqi", artifacts, width=375, height=812)
    assert officer.page.locator("a[data-task]").count() > 0
    assert not officer.scrolls_sideways(), "inbox"
    officer.page.locator("a[data-task]").first.click()
    officer.page.locator("form.task-form").wait_for()
    assert not officer.scrolls_sideways(), "task form"
    officer.page.screenshot(path=str(artifacts / "phone-task.png"), full_page=True)

    secretary = Person(chromium, live.url, "zhangsan", artifacts, width=375, height=812)
    page = secretary.page
    page.goto(f"/instances/{_finished_case(live)}")
    page.locator("#diagram[data-diagram-status=ready]").wait_for(timeout=30_000)
    assert not secretary.scrolls_sideways(), "case page"
    viewbox = "() => document.querySelector('#diagram').qlViewer.get('canvas').viewbox()"
    fitted = page.evaluate(viewbox)
    assert fitted["inner"]["width"] <= fitted["width"] * 1.01  # the whole diagram is in view
    page.get_by_role("button", name="放大").click()
    page.get_by_role("button", name="放大").click()
    assert page.evaluate(viewbox)["scale"] > fitted["scale"] * 1.5
    page.get_by_role("button", name="适合窗口（显示全图）").click()
    assert abs(page.evaluate(viewbox)["scale"] - fitted["scale"]) < 0.01
    page.locator("#diagram").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "case-phone.png"))
    assert not officer.console_errors and not secretary.console_errors
