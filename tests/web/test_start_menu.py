"""Where a person starts new work (issue 12 grew the offices' processes): a few processes are buttons
above the inbox; many (党风政风监督室 starts twelve) are one menu, so the inbox stays first on the page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine import Engine
from tests.conftest import WORKFLOWS, build_engine, make_workflows_dir


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    folders = sorted(p.parent for p in WORKFLOWS.glob("*/process.toml"))
    built = build_engine(tmp_path, make_workflows_dir(tmp_path, *folders))
    yield built
    built.close()


def test_many_processes_are_one_menu_and_a_few_are_buttons(as_user) -> None:  # type: ignore[no-untyped-def]
    planner = as_user("zhoujiu").client.get("/").text
    menu = re.search(r'<details class="start-menu">(.*?)</details>', planner, re.S)
    assert menu and "登记新的线索、案件或事项（12）" in menu.group(1)
    assert len(re.findall(r'href="/processes/\w+/start"', menu.group(1))) == 12
    assert 'class="button primary"' not in planner
    office = as_user("gaoyuan").client.get("/").text  # the 营商办 starts five: a menu, with its 批量导入
    menu = re.search(r'<details class="start-menu">(.*?)</details>', office, re.S)
    assert menu and "登记新的线索、案件或事项（5）" in menu.group(1)
    assert 'href="/processes/approval_supervision/import"' in menu.group(1)
    cyber = as_user("luoxue").client.get("/").text  # 网信办 starts one: a button
    assert "start-menu" not in cyber
    assert re.findall(r'class="button primary" href="/processes/(\w+)/start"', cyber) == ["online_opinion"]
