"""The smallest walk through the real pages: register, serve a letter, see the diagram marked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import LiveServer, serve
from tests.browser.pages import Person
from tests.conftest import FIXTURES, build_engine, make_workflows_dir

pytestmark = pytest.mark.browser


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    engine = build_engine(tmp_path, make_workflows_dir(tmp_path, FIXTURES / "mini"))
    yield from serve(engine)
    engine.close()


def test_register_and_serve_through_the_pages(chromium: Any, live: LiveServer, artifacts: Path) -> None:
    registrar = Person(chromium, live.url, "zhaoliu", artifacts)
    page = registrar.page
    registrar.open_start("登记：小流程")
    registrar.fill("编号", "M-7")  # wrong pattern: refused, what was typed is kept
    registrar.fill("被反映人", "冯乙")
    page.get_by_role("button", name="登记").click()
    page.get_by_text("格式不符合要求").wait_for()  # visible, or the wait times out
    assert page.get_by_label("被反映人", exact=True).input_value() == "冯乙"
    registrar.fill("编号", "M-007")
    registrar.choose("县市场监督管理局")
    registrar.choose("第一纪检监察室")
    registrar.fill("被反映人账号", "fengyi")
    page.get_by_role("button", name="登记").click()
    page.get_by_role("heading", name="M-007 冯乙").wait_for()

    officer = Person(chromium, live.url, "qianqi", artifacts)
    officer.open_task("送达函询")
    officer.fill("送达日期", "2025-09-26")
    officer.submit()
    assert officer.page.get_by_text("已办结：送达函询").is_visible()

    subject = Person(chromium, live.url, "fengyi", artifacts)
    row = subject.page.get_by_role("row").filter(has_text="答复函询")
    assert "2025-10-23" in row.inner_text()

    page.reload()
    diagram = page.locator("#diagram[data-diagram-status=ready]")
    diagram.wait_for(timeout=10_000)
    assert page.locator(".djs-element.ql-current[data-element-id=reply]").count() == 1
    assert page.locator(".djs-element.ql-completed[data-element-id=serve]").count() == 1
    registrar.shot("mini-instance")
    for person in (registrar, officer, subject):
        assert person.console_errors == []
        person.close()
