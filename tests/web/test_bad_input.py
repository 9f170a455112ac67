"""Bad input is answered 4xx in Chinese, never 500 (issue 11 #9): JSON nested deeper than any form, a
lone UTF-16 surrogate in a text, and free text longer than its field allows (20,000 characters where a
form sets no maxLength)."""

from __future__ import annotations

import json

import pytest
from flask import Flask

from engine import Engine, InvalidSubmission
from engine.forms import Form, FormContext, validate
from tests.web.conftest import START

TOO_LONG = "字" * 20_001


def _post(app: Flask, engine: Engine, url: str, body: str) -> tuple[int, dict]:
    headers = {"Authorization": f"Bearer {engine.issue_token('zhaoliu')}", "Content-Type": "application/json"}
    response = app.test_client().post(url, data=body, headers=headers)
    return response.status_code, response.get_json()


@pytest.mark.parametrize("depth", [40, 100_000])
def test_json_nested_too_deep_is_refused(app: Flask, engine: Engine, depth: int) -> None:
    deep = '{"process": "mini", "data": {"case_no": ' + "[" * depth + "]" * depth + "}}"
    status, body = _post(app, engine, "/api/v1/instances", deep)
    assert status == 400 and "嵌套层数过多" in body["errors"]["_"]


def test_a_lone_surrogate_in_a_text_is_refused(app: Flask, engine: Engine) -> None:
    start = json.dumps({"process": "mini", "data": {**START, "subject_name": "冯乙"}}, ensure_ascii=False)
    status, body = _post(app, engine, "/api/v1/instances", start.replace("冯乙", "\\ud800"))
    assert status == 400 and "无效的字符" in body["errors"]["_"]


def test_free_text_longer_than_its_field_allows_is_a_field_error(app: Flask, engine: Engine) -> None:
    start = json.dumps({"process": "mini", "data": {**START, "subject_name": "字" * 21}})
    status, body = _post(app, engine, "/api/v1/instances", start)
    assert status == 400 and body["errors"]["subject_name"] == "不能超过 20 个字"  # its maxLength


def test_free_text_of_a_field_without_a_limit_stops_at_twenty_thousand_characters() -> None:
    note = {"type": "string", "title": "备注"}
    form = Form(
        "f",
        {
            "type": "object",
            "properties": {
                "note": note,
                "rows": {"type": "array", "items": {"type": "object", "properties": {"cell": note}}},
            },
        },
        {},
    )
    ctx = FormContext(
        find_user=lambda _u: None, is_recused=lambda _n, _s: False, attachment_known=lambda _h: True, data={}
    )
    assert validate(form, {"note": "字" * 20_000}, ctx)["note"]
    for data, field in (({"note": TOO_LONG}, "note"), ({"rows": [{"cell": TOO_LONG}]}, "rows")):
        with pytest.raises(InvalidSubmission) as refused:
            validate(form, data, ctx)
        assert refused.value.errors == {field: "不能超过 20000 个字"}
