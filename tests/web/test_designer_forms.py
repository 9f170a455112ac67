"""Forms, periods and decision tables in the designer (issue 13 #3): a form's JSON Schema edited with a
preview drawn by the officers' own field code, the periods of process.toml edited as a form (its comments
kept), the DMN file opened in the decision table editor — all saved into the draft."""

from __future__ import annotations

import json

from tests.web.test_designer_pages import _post


def test_a_form_is_edited_with_a_live_preview_and_saved_to_the_draft(as_user) -> None:  # type: ignore[no-untyped-def]
    fang = as_user("fangzheng")
    page = fang.client.get("/designer/mini/forms/reply.schema.json")
    assert page.status_code == 200 and "预览（办理人看到的表单）" in page.text
    assert 'id="field-reply_text"' in page.text  # the preview: the task page's own field markup
    schema = json.loads(fang.client.get("/designer/mini/files/forms/reply.schema.json").text)
    schema["properties"]["attachments_note"] = {"type": "string", "title": "附件说明", "maxLength": 200}
    token = fang.client.get("/designer/mini").text.split('name="csrf_token" value="')[1].split('"')[0]
    preview = fang.client.post(
        "/designer/mini/forms/preview",
        json={"schema": json.dumps(schema, ensure_ascii=False), "ui": ""},
        headers={"X-CSRFToken": token},
    ).json["html"]
    assert "附件说明" in preview and 'id="field-attachments_note"' in preview
    broken = fang.client.post(
        "/designer/mini/forms/preview",
        json={"schema": '{"type": "array"}', "ui": ""},
        headers={"X-CSRFToken": token},
    ).json["html"]
    assert "顶层类型必须为 object" in broken
    saved = _post(
        fang,
        "/designer/mini/forms/reply.schema.json",
        "/designer/mini/forms/reply.schema.json",
        {"schema": json.dumps(schema, ensure_ascii=False), "ui": ""},
        follow_redirects=True,
    )
    assert "表单 reply.schema.json 已存入草稿" in saved.text
    kept = json.loads(fang.client.get("/designer/mini/files/forms/reply.schema.json").text)
    assert kept["properties"]["attachments_note"]["title"] == "附件说明"
    refused = _post(
        fang, "/designer/mini", "/designer/mini/forms/reply.schema.json", {"schema": "{oops", "ui": ""}
    )
    assert refused.status_code == 422 and "不是有效的 JSON" in refused.text


def test_periods_are_edited_as_a_form_and_the_file_keeps_its_comments(as_user) -> None:  # type: ignore[no-untyped-def]
    fang = as_user("fangzheng")
    page = fang.client.get("/designer/mini/periods")
    assert page.status_code == 200 and 'name="settings:reply_days" value="15"' in page.text
    wrong = _post(fang, "/designer/mini/periods", "/designer/mini/periods", {"settings:reply_days": "十五"})
    assert wrong.status_code == 422 and "reply_days" in wrong.text and "应为整数" in wrong.text
    done = _post(
        fang,
        "/designer/mini/periods",
        "/designer/mini/periods",
        {"settings:reply_days": "20"},
        follow_redirects=True,
    )
    assert "期限设置已存入草稿" in done.text
    toml = fang.client.get("/designer/mini/files/process.toml").text
    assert "reply_days = 20" in toml and "[undated]  # a test fixture" in toml  # comments kept


def test_the_decision_table_opens_in_the_dmn_editor(as_user) -> None:  # type: ignore[no-untyped-def]
    fang = as_user("fangzheng")
    page = fang.client.get("/designer/mini/decisions/decision.dmn")
    assert page.status_code == 200 and "vendor/dmn-js/dmn-modeler.production.min.js" in page.text
    assert fang.client.get("/designer/mini/decisions/nothing.dmn").status_code == 404
    assert as_user("qianqi").client.get("/designer/mini/decisions/decision.dmn").status_code == 404
    assert as_user("qianqi").client.get("/designer/mini/periods").status_code == 404
