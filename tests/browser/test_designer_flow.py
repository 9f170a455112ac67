"""A process designer's afternoon on the real pages (issue 13): open the editor, rename a step, make a
mistake and see it pinned on the diagram, fix it, run the scenarios, deploy — and a case registered
afterwards runs on the new version while the case already open finishes on the old one."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from engine.db.models import ProcessInstance, ProcessVersion
from tests.browser.conftest import LiveServer, serve
from tests.browser.pages import Person
from tests.conftest import FIXTURES, ROOT, build_engine, make_workflows_dir

pytestmark = pytest.mark.browser
SCREENSHOTS = ROOT / "docs" / "screenshots"
START = {"subject_name": "冯乙", "subject_unit": "SJJ", "subject_user": "fengyi", "handling_office": "JC1"}


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    engine = build_engine(tmp_path, make_workflows_dir(tmp_path, FIXTURES / "mini"))
    yield from serve(engine)
    engine.close()


def _served_case(live: LiveServer, case_no: str) -> int:
    """A case registered and its letter served: it waits for 冯乙's reply."""
    engine = live.engine
    instance = engine.start(engine.actor_by_name("zhaoliu"), "mini", {**START, "case_no": case_no})  # type: ignore[arg-type]
    officer = engine.actor_by_name("qianqi")
    serve_step = next(t for t in engine.inbox(officer) if t.instance_id == instance)  # type: ignore[arg-type]
    engine.complete(officer, serve_step.id, {"served_at": "2025-09-26"})  # type: ignore[arg-type]
    return instance


def _version_of(live: LiveServer, instance: int) -> int:
    with live.engine.ctx.db.reading() as session:
        query = select(ProcessVersion.version).join(
            ProcessInstance, ProcessInstance.version_id == ProcessVersion.id
        )
        return int(session.scalar(query.where(ProcessInstance.id == instance)) or 0)


def _set_instructions(page: Any, text: str) -> None:
    box = page.locator("#bio-properties-panel-ql-instructions")
    box.click()
    box.press("ControlOrMeta+a")
    box.press_sequentially(text)
    box.press("Tab")


def _save(page: Any) -> str:
    designer = page.locator("#designer")
    page.evaluate("() => document.getElementById('designer').removeAttribute('data-designer-status')")
    page.get_by_role("button", name="保存草稿并校验").click()
    page.locator("#designer[data-designer-status=saved]").wait_for(timeout=20_000)
    assert designer.get_attribute("data-designer-status") == "saved"
    return str(page.locator("#designer-status").inner_text())


def test_a_designer_edits_checks_tests_and_deploys_while_old_cases_keep_their_version(
    chromium: Any, live: LiveServer, artifacts: Path
) -> None:
    old_case = _served_case(live, "M-201")
    designer = Person(chromium, live.url, "fangzheng", artifacts, width=1440, height=900)
    page = designer.page
    page.get_by_role("link", name="流程设计").first.click()
    page.get_by_role("link", name="小流程").click()
    page.get_by_role("link", name="编辑流程图").click()
    page.locator("#designer[data-designer-status=ready]").wait_for(timeout=20_000)

    # rename the step through the properties panel
    assert page.evaluate("() => qinglianDesigner.select('reply')") is True
    name = page.locator("#bio-properties-panel-name")
    name.click()
    name.press("ControlOrMeta+a")
    name.press_sequentially("答复函询并附说明材料")
    name.press("Tab")
    # a mistake: the instructions' template is left open
    _set_instructions(page, "请于 {{ reply_due 前答复")
    status = _save(page)
    assert "校验发现" in status
    assert page.locator('.djs-element.ql-problem[data-element-id="reply"]').count() == 1
    assert "办理说明的模板有误" in page.locator("#designer-problem-list").inner_text()
    designer.shot("designer-error-pinned")

    _set_instructions(page, "请于 {{ reply_due }} 前答复，并附说明材料。")
    assert "校验通过" in _save(page)
    assert page.locator(".ql-problem").count() == 0
    designer.shot("designer-editor")

    page.get_by_role("link", name="返回流程（运行场景、部署）").click()
    page.get_by_role("button", name="运行场景测试").click()
    page.get_by_text("场景测试：2 个通过，0 个未通过").wait_for(timeout=60_000)
    page.get_by_role("button", name="部署草稿").click()
    page.locator(".flash", has_text="已部署为第 2 版").wait_for(timeout=60_000)
    page.get_by_role("link", name="与上一版比较").click()
    page.locator("#diagram-after[data-diagram-status=ready]").wait_for(timeout=20_000)
    assert page.locator('#diagram-after .djs-element.ql-current[data-element-id="reply"]').count() == 1
    assert "答复函询并附说明材料" in page.locator("#diff-list").inner_text()
    designer.shot("designer-diff")

    new_case = _served_case(live, "M-202")
    assert (_version_of(live, old_case), _version_of(live, new_case)) == (1, 2)
    subject = Person(chromium, live.url, "fengyi", artifacts)
    inbox = subject.page.locator("main").inner_text()
    assert "答复函询并附说明材料" in inbox  # the new case's step, as version 2 names it
    subject.open_step("reply")  # the first: the old case's step, still as version 1 has it
    subject.page.get_by_role("heading", name="答复函询").wait_for()
    subject.close()
    engine = live.engine
    fengyi = engine.actor_by_name("fengyi")
    step = next(t for t in engine.inbox(fengyi) if t.instance_id == old_case)  # type: ignore[arg-type]
    engine.complete(fengyi, step.id, {"admits": True, "reply_text": "情况说明"})  # type: ignore[arg-type]
    with engine.ctx.db.reading() as session:
        finished = session.get(ProcessInstance, old_case)
        assert finished is not None and finished.status == "completed"  # finished on version 1
    assert designer.console_errors == []
    designer.close()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for shot in ("designer-editor", "designer-error-pinned", "designer-diff"):
        shutil.copy(artifacts / f"{shot}.png", SCREENSHOTS / f"{shot}.png")


def test_forms_preview_as_typed_and_the_decision_table_opens(
    chromium: Any, live: LiveServer, artifacts: Path
) -> None:
    designer = Person(chromium, live.url, "fangzheng", artifacts, width=1440, height=900)
    page = designer.page
    page.goto("/designer/mini")
    page.get_by_role("link", name="reply.schema.json").click()
    editor = page.locator("#form-editor")
    schema = page.locator("#schema")
    new_field = '"reply_note": {"type": "string", "title": "补充说明"}, "reply_text": {'
    text = schema.input_value().replace('"reply_text": {', new_field, 1)
    schema.fill(text)
    page.locator("#form-editor[data-preview-status=ready]").wait_for(timeout=10_000)
    assert page.locator("#form-preview").get_by_label("补充说明").count() == 1
    designer.shot("designer-form")
    assert editor.count() == 1

    page.goto("/designer/mini")
    page.get_by_role("link", name="decision.dmn").click()
    page.locator("#decision-editor[data-decision-status=ready]").wait_for(timeout=20_000)
    assert page.locator(".tjs-table").count() == 1  # the decision table, not the DRD
    designer.shot("designer-decision")
    inferno = (
        "It looks like you're using a minified copy of the development build of Inferno"  # dmn-js's bundle
    )
    assert [e for e in designer.console_errors if not e.startswith(inferno)] == []
    designer.close()
    for shot in ("designer-form", "designer-decision"):
        shutil.copy(artifacts / f"{shot}.png", SCREENSHOTS / f"{shot}.png")
