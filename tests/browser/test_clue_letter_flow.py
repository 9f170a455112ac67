"""A clue walked along the 函询 path through the real pages, each step by the person whose step it is."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import LiveServer, serve
from tests.browser.pages import Person
from tests.conftest import ROOT, WORKFLOWS, build_engine, make_workflows_dir

pytestmark = pytest.mark.browser
SCREENSHOTS = ROOT / "docs" / "screenshots"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

CLUE = {
    "clue_no": "XS-2025-0031",
    "received_at": "2025-09-01",
    "source": "信访举报",
    "channel": "来信",
    "is_real_name": False,
    "subject_name": "冯乙",
    "subject_unit": "SJJ",
    "subject_post": "县市场监督管理局副局长",
    "subject_authority": "县委管理",
    "subject_is_party_member": True,
    "subject_is_supervision_object": True,
    "subject_is_unit_head": False,
    "subject_retired": False,
    "subject_user": "fengyi",
    "summary": "反映其接受管理服务对象宴请。",
    "category": "廉洁纪律",
    "secrecy": "秘密",
    "jurisdiction": "本机关管辖",
}
APPROVE = {"同意": "同意。"}


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

    registrar = person("wangwu")
    registrar.page.get_by_role("link", name="登记：问题线索处置").click()
    registrar.fill_form(CLUE)
    registrar.submit()
    registrar.page.get_by_role("heading", name="XS-2025-0031 冯乙").wait_for()

    assigner = person("zhaoliu")
    assigner.open_step("A2_assign")
    assigner.fill_form({"handling_office": "JC1", "handling_officer": "sunba"})
    assigner.submit()
    assert "回避" in assigner.page.locator("#err-handling_officer").inner_text()  # 孙八 is 冯乙's relative
    assigner.fill_form({"handling_officer": "qianqi"})
    assigner.submit()
    assert assigner.page.locator(".flash.success").count() == 1

    officer = person("qianqi")
    officer.do_step(
        "A3_propose", {"method": "THHX", "talk_or_letter": "函询", "reasons": "反映问题较具体，先行函询。"}
    )
    person("lisi").do_step("A4_fg_approve", {"fg_decision": "同意", "fg_opinion": "同意。"})
    person("zhangsan").do_step("A4_sj_approve", {"sj_decision": "同意", "sj_opinion": "同意。"})
    officer.do_step(
        "A5b_issue",
        {
            "letter_no": "示纪函〔2025〕12号",
            "letter_issued_on": "2025-09-25",
            "letter_cc": "郑甲、吴十",
            "letter_questions": "是否接受管理服务对象宴请？请逐项说明。",
            "concerns_unit_head": False,
        },
    )
    officer.do_step("A5b_serve", {"served_at": "2025-09-26"})

    subject = person("fengyi")
    subject.page.goto("/")
    row = subject.page.locator("tr", has=subject.page.locator("a[data-task=A5b_reply]"))
    assert "2025-10-23" in row.inner_text()  # 15 working days across National Day
    subject.shot("inbox-subject")
    pdf = tmp_path / "说明材料.pdf"
    pdf.write_bytes(PDF)
    subject.open_step("A5b_reply")
    subject.fill_form({"reply_text": "本人所在单位组织的工作餐，不存在接受宴请问题。"})
    file_input = subject.page.locator("form.task-form input[type=file]")
    if file_input.count():
        file_input.first.set_input_files(str(pdf))
    subject.submit()
    assert subject.page.locator(".flash.success").count() == 1
    assert subject.page.goto(f"{live.url}/instances/1").status == 404  # the subject never sees the case file
    subject.console_errors.clear()  # that 404 was the point

    person("zhengjia").do_step("A5b_sign", {"signer_opinion": "情况属实。", "signed_on": "2025-10-15"})
    officer.do_step("A5b_receive", {"reply_received_at": "2025-10-16", "reply_complete": True})
    officer.open_step("A7_report")
    officer.shot("task-form")
    officer.fill_form(
        {
            "report_summary": "被反映人已作出说明。",
            "spot_check": False,
            "false_accusation": False,
            "report_untrue": True,
            "minor_problem": False,
            "needs_liability": False,
            "spot_check_contradicts": False,
            "subject_denies": False,
            "explanation_problematic": False,
            "m_txtx": False,
            "m_ppjy": False,
            "m_zljc": False,
            "m_jm": False,
            "m_zzcl": False,
            "a7_proposal": "反映不实，采信了结。",
        }
    )
    officer.submit()
    person("lisi").do_step("A7_fg_approve", {"a7_fg_decision": "同意", "a7_fg_opinion": "同意。"})

    supervisor = person("zhangsan")
    supervisor.open_step("A7_sj_approve")
    supervisor.page.goto("/")
    supervisor.shot("inbox")
    supervisor.do_step("A7_sj_approve", {"a7_sj_decision": "同意", "a7_sj_opinion": "同意了结。"})
    supervisor.page.goto(f"{live.url}/instances/1")
    supervisor.page.locator("#diagram[data-diagram-status=ready]").wait_for(timeout=15_000)
    page = supervisor.page
    assert page.locator(".djs-element.ql-completed[data-element-id=A2_assign]").count() == 1
    assert page.locator(".djs-element.ql-current").count() >= 1
    history = page.locator("ol.history").inner_text()
    for step in ("钱七", "李四", "同意了结。"):
        assert step in history
    supervisor.shot("instance")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name in ("inbox", "instance", "task-form"):
        shutil.copy(artifacts / f"{name}.png", SCREENSHOTS / f"{name}.png")
    for p in people.values():
        assert p.console_errors == [], (p.username, p.console_errors)
        p.close()
