"""The /designer pages (issue 13): the model library, a process's page (validate, scenarios, deploy,
upload, versions), the diff, the editor page and the migration pre-check — designers only."""

from __future__ import annotations

import io

import pytest

from engine import Engine
from tests.web.conftest import START, csrf_of


def _post(user, page: str, url: str, data: dict | None = None, **kw):  # type: ignore[no-untyped-def]
    token = csrf_of(user.client.get(page).text)
    return user.client.post(url, data={**(data or {}), "csrf_token": token}, **kw)


def test_a_designer_finds_the_library_and_the_process_page(as_user) -> None:  # type: ignore[no-untyped-def]
    fang = as_user("fangzheng")
    home = fang.client.get("/").text
    assert 'href="/designer"' in home and 'id="designer-pointer"' in home  # an empty inbox points there
    library = fang.client.get("/designer").text
    assert "小流程" in library and "第 1 版" in library and "系统（随安装部署）" in library
    page = fang.client.get("/designer/mini")
    assert page.status_code == 200 and "草稿（第 1 稿）" in page.text and "方正" in page.text
    assert "强制部署的理由" not in page.text  # designers deploy only what passes; administrators may force
    assert "强制部署的理由" in as_user("xuming").client.get("/designer/mini").text


def test_validate_scenarios_and_deploy_from_the_page(as_user, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    fang = as_user("fangzheng")
    checked = _post(fang, "/designer/mini", "/designer/mini/validate")
    assert checked.status_code == 200 and "校验通过：可以部署" in checked.text
    ran = _post(fang, "/designer/mini", "/designer/mini/scenarios")
    assert "场景测试：2 个通过，0 个未通过" in ran.text and "scenarios/reply_late.json" in ran.text
    bpmn = fang.client.get("/designer/mini/files/process.bpmn").text
    broken = bpmn.replace('name="分管副书记"', 'name="无人科室"').encode()
    sent = {"file": (io.BytesIO(broken), "process.bpmn")}
    assert (
        _post(
            fang, "/designer/mini", "/designer/mini/files", sent, content_type="multipart/form-data"
        ).status_code
        == 302
    )
    refused = _post(fang, "/designer/mini", "/designer/mini/deploy")
    assert refused.status_code == 400 and "校验未通过" in refused.text and "lane_fg" in refused.text
    fixed = {
        "file": (io.BytesIO(bpmn.replace('name="答复函询"', 'name="答复函询材料"').encode()), "process.bpmn")
    }
    _post(fang, "/designer/mini", "/designer/mini/files", fixed, content_type="multipart/form-data")
    deployed = _post(fang, "/designer/mini", "/designer/mini/deploy", follow_redirects=True)
    assert "已部署为第 2 版" in deployed.text
    diff = fang.client.get("/designer/mini/diff?from=1&to=2")
    assert diff.status_code == 200 and "答复函询材料" in diff.text and "diagram-before" in diff.text
    marks = fang.client.get("/designer/mini/diff/after.json?from=1&to=2").json
    assert marks == {"completed": [], "current": ["reply"], "overdue": []}


def test_a_hostile_upload_is_refused_on_the_page(as_user) -> None:  # type: ignore[no-untyped-def]
    fang = as_user("fangzheng")
    evil = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    sent = {"file": (io.BytesIO(evil), "process.bpmn")}
    refused = _post(fang, "/designer/mini", "/designer/mini/files", sent, content_type="multipart/form-data")
    assert refused.status_code == 422 and "文件未上传" in refused.text and "DOCTYPE" in refused.text


def test_the_editor_page_loads_the_draft_and_saves_with_validation(as_user) -> None:  # type: ignore[no-untyped-def]
    fang = as_user("fangzheng")
    page = fang.client.get("/designer/mini/edit")
    assert (
        page.status_code == 200
        and "vendor/designer/modeler.js" in page.text
        and "保存草稿并校验" in page.text
    )
    xml = fang.client.get("/designer/mini/draft/process.bpmn").text
    token = csrf_of(page.text)
    broken = xml.replace('name="分管副书记"', 'name="无人科室"')
    saved = fang.client.post(
        "/designer/mini/draft/process.bpmn",
        data=broken.encode(),
        headers={"X-CSRFToken": token, "Content-Type": "application/xml"},
    ).json
    assert (
        saved["saved"] and saved["revision"] == 2 and "lane_fg" in {p["element"] for p in saved["problems"]}
    )
    unsigned = fang.client.post("/designer/mini/draft/process.bpmn", data=xml.encode())
    assert unsigned.status_code == 400  # no CSRF token: refused


def test_the_migration_precheck_lists_each_running_case(as_user, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    zhaoliu = engine.actor_by_name("zhaoliu")
    engine.start(zhaoliu, "mini", START)  # type: ignore[arg-type]
    xu = as_user("xuming")
    bpmn = xu.client.get("/designer/mini/files/process.bpmn").text
    sent = {
        "file": (io.BytesIO(bpmn.replace('name="送达函询"', 'name="送达函询通知"').encode()), "process.bpmn")
    }
    _post(xu, "/designer/mini", "/designer/mini/files", sent, content_type="multipart/form-data")
    _post(xu, "/designer/mini", "/designer/mini/deploy")
    page = xu.client.get("/designer/mini/migrate?version=2")
    assert page.status_code == 200 and "M-100" in page.text and "可以迁移" in page.text
    moved = _post(
        xu,
        "/designer/mini/migrate?version=2",
        "/designer/mini/migrate",
        {"version": "2", "instance": ["1"], "reason": "更正步骤名称"},
        follow_redirects=True,
    )
    assert "已迁移 1 件案件到第 2 版" in moved.text
    assert as_user("fangzheng").client.get("/designer/mini/migrate?version=2").status_code == 403


@pytest.mark.parametrize("username", ["zhangsan", "qianqi", "zhaoliu", "fengyi"])
def test_no_one_else_reaches_the_designer(as_user, username: str) -> None:  # type: ignore[no-untyped-def]
    other = as_user(username)
    assert 'href="/designer"' not in other.client.get("/").text
    for url in ("/designer", "/designer/mini", "/designer/mini/edit", "/designer/mini/files/process.bpmn"):
        assert other.client.get(url).status_code == 404
