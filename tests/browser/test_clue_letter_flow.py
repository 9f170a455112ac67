"""A clue walked along the 函询 path through the real pages, each step by the person whose step it is."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import LiveServer, serve
from tests.browser.pages import Person
from tests.conftest import ROOT, WORKFLOWS, build_engine, make_workflows_dir

pytestmark = pytest.mark.browser
SCREENSHOTS = ROOT / "docs" / "screenshots"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

# The path walked here is a scenario file (also run by the scenario runner and timed by `make bench`).
PATH = json.loads(
    (WORKFLOWS / "clue_disposal" / "scenarios" / "thhx_letter_r2_archive.json").read_text("utf-8")
)
CLUE = PATH["start"]["data"]
STEPS = {step["complete"]: step for step in PATH["steps"] if "complete" in step}


def _pick(person: Person, field: str, typed: str, shot: str) -> None:
    """Type a name into a person field and choose the offer (a screenshot of it first): the field then
    holds the login."""
    box = person.page.locator(f"#in-{field}")
    submit = person.page.locator("form.task-form button[type=submit]")
    place = submit.bounding_box()
    box.fill("")
    box.press_sequentially(typed)
    offers = person.page.locator(f"#people-{field}")
    offers.locator("button", has_text=typed).first.wait_for()
    assert "孙八" not in offers.inner_text()
    assert submit.bounding_box() == place  # the offer lies over the form: nothing moves under the pointer
    box.press("Escape")
    offers.wait_for(state="hidden")
    box.press_sequentially(" ")  # typing again offers again
    box.press("Backspace")
    offers.locator("button", has_text=typed).first.wait_for()
    person.shot(shot)
    offers.locator("button", has_text=typed).first.click()


def _on_its_day(live: LiveServer, step: dict[str, Any]) -> None:
    """The clock at the day the scenario does the step: the dates it types are checked against it."""
    if "at" in step:
        live.engine.clock.set(datetime.fromisoformat(step["at"]))  # type: ignore[attr-defined]


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    engine = build_engine(tmp_path, make_workflows_dir(tmp_path, WORKFLOWS / "clue_disposal"))
    yield from serve(engine)
    engine.close()


def test_letter_path_from_registration_to_archive(
    chromium: Any, live: LiveServer, artifacts: Path, tmp_path: Path
) -> None:
    people: dict[str, Person] = {}

    def person(username: str) -> Person:
        if username not in people:
            people[username] = Person(chromium, live.url, username, artifacts)
        return people[username]

    def step(bpmn_id: str) -> None:
        _on_its_day(live, STEPS[bpmn_id])
        person(STEPS[bpmn_id]["as"]).do_step(bpmn_id, STEPS[bpmn_id]["data"])

    registrar = person(PATH["start"]["as"])
    registrar.open_start("登记：问题线索处置")
    registrar.fill_form(CLUE)
    registrar.submit()
    registrar.page.get_by_role("heading", name="XS-2025-0031 冯乙").wait_for()

    assigner = person("zhaoliu")
    assigner.open_step("A2_assign")
    assigner.fill_form({"handling_office": "JC1", "handling_officer": "sunba"})
    assigner.submit()
    assert "回避" in assigner.page.locator("#err-handling_officer").inner_text()  # 孙八 is 冯乙's relative
    _pick(
        assigner, "handling_officer", "钱七", "person-picker"
    )  # by his name; the recused 孙八 never offered
    assert assigner.page.locator("#in-handling_officer").input_value() == "钱七"  # his name, not his login
    assigner.fill_form({k: v for k, v in STEPS["A2_assign"]["data"].items() if k != "handling_officer"})
    assigner.submit()
    assert assigner.page.locator(".flash.success").count() == 1

    step("A3_propose")
    deputy = person("lisi")
    deputy.open_step("A4_fg_approve")  # he approves what he reads: the proposal, its reasons and plan
    material = deputy.page.locator("section.review").inner_text()
    for words in (
        "谈话函询",
        STEPS["A3_propose"]["data"]["reasons"],
        STEPS["A3_propose"]["data"]["plan_matters"],
    ):
        assert words in material, words
    deputy.shot("task-approval")
    watcher = person("zhangsan")  # the secretary opens the step his deputy holds: read-only, who and since
    watcher.page.goto(deputy.page.url)
    assert "此步骤由" in watcher.page.locator(".notice.readonly").inner_text()
    assert watcher.page.locator("form.task-form").count() == 0
    assert watcher.page.locator("#extension").count() == 0  # nor may he ask for a later date on it
    watcher.shot("task-readonly")
    for bpmn_id in ("A4_fg_approve", "A4_sj_approve", "A5b_issue", "A5b_serve"):
        step(bpmn_id)

    subject = person("fengyi")
    subject.page.goto("/")
    row = subject.page.locator("tr", has=subject.page.locator("a[data-task=A5b_reply]"))
    assert "2025-10-23" in row.inner_text()  # 15 working days across National Day
    subject.shot("inbox-subject")
    pdf = tmp_path / "说明材料.pdf"
    pdf.write_bytes(PDF)
    subject.open_step("A5b_reply")
    subject.fill_form(STEPS["A5b_reply"]["data"])
    subject.page.locator("form.task-form input[type=file]").first.set_input_files(str(pdf))
    subject.submit()
    assert subject.page.locator(".flash.success").count() == 1
    assert subject.page.goto(f"{live.url}/instances/1").status == 404  # the subject never sees the case file
    subject.console_errors.clear()  # that 404 was the point

    for bpmn_id in ("A5b_sign", "A5b_receive"):
        step(bpmn_id)
    officer = person("qianqi")
    officer.open_step("A7_report")
    officer.shot("task-form")
    officer.fill_form({**STEPS["A7_report"]["data"], "report_untrue": True, "minor_problem": True})
    officer.submit()  # 反映不实 and 问题轻微 at once: refused with the reason, nothing picked silently
    assert "认定相互矛盾" in officer.page.locator("#err-report_untrue").inner_text()
    assert officer.page.locator("input[name=report_untrue][value=true]").is_checked()  # the answer is kept
    officer.shot("task-contradiction")
    step("A7_report")
    step("A7_fg_approve")

    supervisor = person("zhangsan")
    supervisor.page.goto("/")
    supervisor.shot("inbox")
    step("A7_sj_approve")
    page = supervisor.page
    page.goto(f"{live.url}/instances/1")
    page.locator("#diagram[data-diagram-status=ready]").wait_for(timeout=15_000)
    assert page.locator(".djs-element.ql-completed[data-element-id=A2_assign]").count() == 1
    assert page.locator(".djs-element.ql-current").count() >= 1
    history = page.locator("ol.history").inner_text()
    for text in ("钱七", "李四", STEPS["A7_sj_approve"]["data"]["a7_sj_opinion"], "上传附件"):
        assert text in history  # the reply's file joined the case with the accepted reply
    assert page.get_by_role("link", name="说明材料.pdf").count() == 1
    supervisor.shot("instance")

    step("A7_r2_feedback")
    step("A_archive")
    page.goto(f"{live.url}/instances/1")
    assert page.locator(".page-head .badge.status").inner_text() == "已办结"

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shots = ("inbox", "instance", "task-form", "task-approval", "task-readonly", "person-picker")
    for name in (*shots, "task-contradiction"):
        shutil.copy(artifacts / f"{name}.png", SCREENSHOTS / f"{name}.png")
    for p in people.values():
        assert p.console_errors == [], (p.username, p.console_errors)
        p.close()
