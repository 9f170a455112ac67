"""Table fields (arrays of objects) on the start and task pages: rows rendered, prefilled, posted back
as a list of dicts in row order, empty rows dropped, errors shown above the table with the input kept."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine import Engine
from tests.conftest import FIXTURES, build_engine, make_workflows_dir
from tests.web.conftest import Browser, csrf_of
from web.form_render import ROW, fields_of

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
START = {
    "case_no": "T-001",
    "subject_name": "韩梅",
    "subject_unit": "SJJ",
    "handling_office": "JC1",
    "contacts-0-name": "韩梅",
    "contacts-0-phone": "0371-1234",
    "contacts-1-name": "",
    "contacts-1-phone": "",
}


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """The pages run on the table test process and the process its message starts."""
    folders = (FIXTURES / "web_table", FIXTURES / "web_rectify")
    built = build_engine(tmp_path, make_workflows_dir(tmp_path, *folders))
    yield built
    built.close()


def start_case(as_user) -> int:  # type: ignore[no-untyped-def]
    response = as_user("zhaoliu").post_form("/processes/web_table/start", START)
    assert response.status_code == 303, response.text
    return int(response.location.rsplit("/", 1)[1])


def plan_url(officer: Browser) -> str:
    found = re.search(r'href="(/tasks/\d+)"[^>]*>制定整改方案<', officer.client.get("/").text)
    assert found, "制定整改方案 not in the inbox"
    return found.group(1)


def data_of(engine: Engine, instance_id: int) -> dict[str, Any]:
    supervisor = engine.actor_by_name("zhaoliu")
    assert supervisor is not None
    return engine.instance(supervisor, instance_id).data


def table_html(page: str, name: str) -> str:
    """The markup of one table field, from its wrapper to the next field."""
    start = page.index(f'id="field-{name}"')
    end = page.find('<div class="field', start + 1)
    return page[start : end if end > 0 else len(page)]


TWO_ROWS = {
    "tasks-0-measure": "建立台账",
    "tasks-0-due": "2025-10-31",
    "tasks-0-kind": "限期整改",
    "tasks-0-responsible_leader": "yaogui",
    "tasks-0-score": "12.5",
    "tasks-0-done": "true",
    "tasks-1-measure": "",  # an empty row in the middle is dropped
    "tasks-1-due": "",
    "tasks-1-kind": "",
    "tasks-1-score": "",
    "tasks-3-measure": "开展警示教育",  # rows are read in index order, gaps allowed (a row was deleted)
    "tasks-3-due": "2025-11-15",
    "tasks-3-kind": "长期坚持",
    "scores-0-item": "C01",
    "scores-0-score": "9",
    "scores-1-item": "C02",
    "scores-1-score": "5",
}


def test_the_start_form_renders_a_table_and_posts_rows_as_a_list(as_user, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    page = as_user("zhaoliu").client.get("/processes/web_table/start").text
    contacts = table_html(page, "contacts")
    assert "<table" in contacts and "姓名" in contacts and "电话" in contacts
    assert 'name="contacts-0-name"' in contacts and 'name="contacts-1-name"' not in contacts  # one row
    assert f'name="contacts-{ROW}-name"' in contacts  # the template row for 添加一行
    assert "添加一行" in contacts and "删除" in contacts
    assert "/static/js/table.js" in page
    instance_id = start_case(as_user)
    assert data_of(engine, instance_id)["contacts"] == [{"name": "韩梅", "phone": "0371-1234"}]


def test_the_task_form_shows_rows_prefilled_from_ui_rows(as_user) -> None:  # type: ignore[no-untyped-def]
    start_case(as_user)
    officer = as_user("qianqi")
    page = officer.client.get(plan_url(officer)).text
    tasks = table_html(page, "tasks")
    for header in ("整改措施", "完成时限", "类别", "佐证材料", "责任领导", "分值", "已完成"):
        assert header in tasks
    assert '<textarea id="in-tasks-0-measure" name="tasks-0-measure"' in tasks  # ui: items.measure textarea
    assert 'type="date"' in tasks and 'name="tasks-0-evidence" type="file"' in tasks
    assert re.search(r'name="tasks-0-done" value="false"\s+checked', tasks)  # the default, in a new row
    assert 'name="tasks-1-measure"' not in tasks
    scores = table_html(page, "scores")  # one row per checklist item, from checklist_rows
    assert re.search(r'name="scores-0-item".*?<option value="C01" selected>', scores, re.S)
    assert re.search(r'name="scores-1-item".*?<option value="C02" selected>', scores, re.S)
    assert re.search(r'name="scores-1-score"\s+type="number"\s+value="5"', scores)
    assert 'name="scores-2-item"' not in scores


def test_posted_rows_reach_the_engine_typed_in_row_order(as_user, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    instance_id = start_case(as_user)
    officer = as_user("qianqi")
    url = plan_url(officer)
    response = officer.post_form(
        url,
        {**TWO_ROWS, "tasks-3-evidence": [(io.BytesIO(PDF), "台账.pdf"), (io.BytesIO(PDF + b" "), "照.pdf")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303, response.text
    data = data_of(engine, instance_id)
    first, second = data["tasks"]
    assert first == {
        "measure": "建立台账",
        "due": "2025-10-31",
        "kind": "限期整改",
        "responsible_leader": "yaogui",
        "score": 12.5,
        "done": True,
    }
    assert second["measure"] == "开展警示教育" and second["kind"] == "长期坚持"
    assert len(second["evidence"]) == 2 and all(re.fullmatch(r"[0-9a-f]{64}", s) for s in second["evidence"])
    assert data["scores"] == [{"item": "C01", "score": 9}, {"item": "C02", "score": 5}]


def test_a_rule_error_shows_above_the_table_and_keeps_the_rows(as_user, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    instance_id = start_case(as_user)
    officer = as_user("qianqi")
    url = plan_url(officer)
    too_high = {**TWO_ROWS, "scores-0-score": "12"}
    upload = {"tasks-0-evidence": (io.BytesIO(PDF), "台账.pdf")}
    response = officer.post_form(url, {**too_high, **upload}, content_type="multipart/form-data")
    assert response.status_code == 400
    scores = table_html(response.text, "scores")
    error = scores.index("评分不能超过该项分值")
    assert error < scores.index("<table")  # above the table
    assert 'aria-describedby="err-scores"' in scores
    assert re.search(r'name="scores-0-score"\s+type="number"\s+value="12"', scores)  # as typed
    tasks = table_html(response.text, "tasks")
    assert "建立台账</textarea>" in tasks and 'value="2025-10-31"' in tasks
    assert "开展警示教育</textarea>" in tasks  # the two kept rows, renumbered 0 and 1
    assert 'name="tasks-1-measure"' in tasks and 'name="tasks-2-measure"' not in tasks
    assert re.search(r'name="tasks-0-evidence__kept" value="[0-9a-f]{64}"', tasks)  # the upload is kept
    assert "scores" not in data_of(engine, instance_id)  # nothing reached the case


def test_a_wrong_person_in_a_row_is_refused_with_the_column_named(as_user) -> None:  # type: ignore[no-untyped-def]
    start_case(as_user)
    officer = as_user("qianqi")
    response = officer.post_form(plan_url(officer), {**TWO_ROWS, "tasks-0-responsible_leader": "wangwu"})
    assert response.status_code == 400
    tasks = table_html(response.text, "tasks")
    assert "责任领导：该人员不具备承担此项工作的角色" in tasks
    assert 'value="王五"' in tasks  # wangwu typed, shown by his name


def test_all_rows_empty_gives_an_empty_list_and_the_engine_asks_for_one(as_user) -> None:  # type: ignore[no-untyped-def]
    start_case(as_user)
    officer = as_user("qianqi")
    empty = {"tasks-0-measure": "", "tasks-0-due": "", "tasks-0-done": "false"}  # default only: empty
    response = officer.post_form(plan_url(officer), {**empty, "scores-0-item": "C01", "scores-0-score": "1"})
    assert response.status_code == 400
    tasks = table_html(response.text, "tasks")
    assert "至少需要 1 项" in tasks
    assert 'name="tasks-0-measure"' in tasks  # still one row to fill in


def test_a_returned_form_shows_its_saved_rows_before_ui_rows() -> None:
    schema = {
        "properties": {
            "scores": {
                "type": "array",
                "title": "逐项评分",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "properties": {"item": {"type": "string"}, "score": {"type": "number"}},
                },
            }
        }
    }
    ui = {"scores": {"ui:rows": "checklist_rows"}}
    checklist = {"checklist_rows": [{"item": "C01"}, {"item": "C02"}, {"item": "C03"}]}
    saved = {"scores": [{"item": "C02", "score": 4.0}]}
    (table,) = fields_of(schema, ui, saved, {}, checklist)
    assert [[c.value for c in row] for row in table.rows] == [["C02", 4]]
    (fresh,) = fields_of(schema, ui, {}, {}, checklist)
    assert [row[0].value for row in fresh.rows] == ["C01", "C02", "C03"]
    typed = {"scores-0-item": "C09", "scores-0-score": "x", "csrf_token": "t"}  # a post that failed to parse
    (again,) = fields_of(schema, ui, typed, {"scores": "填写有误"}, checklist)
    assert [[c.value for c in row] for row in again.rows] == [["C09", "x"]] and again.error == "填写有误"
    assert [c.name for c in again.columns] == [f"scores-{ROW}-item", f"scores-{ROW}-score"]


def test_the_page_has_no_inline_script(as_user) -> None:  # type: ignore[no-untyped-def]
    start_case(as_user)
    officer = as_user("qianqi")
    response = officer.client.get(plan_url(officer))
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert not re.search(r"<script(?![^>]*\bsrc=)", response.text)
    assert "onclick" not in response.text
    assert csrf_of(response.text)
