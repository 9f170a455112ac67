"""Interventions through the case page and the API (issue 8): the buttons a supervisor sees, what the
forms do, and the API's 403/404/409/422 answers in Chinese."""

from __future__ import annotations

from flask import Flask

from engine import Engine
from tests.web.conftest import START, Browser, csrf_of


def _api(app: Flask, engine: Engine, username: str, url: str, body: dict):  # type: ignore[no-untyped-def]
    token = engine.issue_token(username)
    return app.test_client().post(url, json=body, headers={"Authorization": f"Bearer {token}"})


def _case(engine: Engine) -> tuple[int, int]:
    case = engine.start(engine.actor_by_name("zhaoliu"), "mini", START)  # type: ignore[arg-type]
    task = next(t for t in engine.inbox(engine.actor_by_name("qianqi")) if t.instance_id == case)  # type: ignore[arg-type]
    return case, task.id


def test_the_api_answers_each_refusal_with_its_status_and_a_chinese_message(
    app: Flask, engine: Engine
) -> None:
    case, task = _case(engine)
    cases = [
        ("wangwu", f"/api/v1/instances/{case}/suspend", {"reason": "x"}, 404, "案件不存在"),
        ("qianqi", f"/api/v1/instances/{case}/suspend", {"reason": "x"}, 403, "您无权对此案件中止"),
        ("zhaoliu", f"/api/v1/instances/{case}/suspend", {}, 422, "请填写理由"),
        (
            "zhaoliu",
            f"/api/v1/tasks/{task}/reassign",
            {"to": "sunba", "reason": "调整"},
            422,
            "孙八须回避此案件",
        ),
        ("zhaoliu", f"/api/v1/tasks/{task}/extend", {"reason": "延", "working_days": 3}, 422, "没有办理期限"),
        ("zhaoliu", f"/api/v1/instances/{case}/resume", {"reason": "x"}, 409, "只有已中止的案件可以恢复"),
        ("zhaoliu", f"/api/v1/instances/{case}/retry", {"reason": "x"}, 409, "没有待处理的运行异常"),
        ("zhaoliu", f"/api/v1/instances/{case}/nonsense", {"reason": "x"}, 404, "页面不存在"),
    ]
    for username, url, body, status, message in cases:
        answer = _api(app, engine, username, url, body)
        assert (answer.status_code, message in answer.json["error"]) == (status, True), (url, answer.json)
    ok = _api(app, engine, "zhaoliu", f"/api/v1/instances/{case}/remind", {"reason": "请尽快送达"})
    assert ok.status_code == 200 and ok.json["done"] == ["已催办（送达函询）"]
    assert (
        _api(app, engine, "zhaoliu", f"/api/v1/instances/{case}/cancel", {"reason": "误登"}).status_code
        == 200
    )
    again = _api(app, engine, "zhaoliu", f"/api/v1/instances/{case}/cancel", {"reason": "误登"})
    assert again.status_code == 409 and again.json["error"] == "案件已作废"


def test_a_supervisor_steers_from_the_case_page_and_others_see_no_buttons(app: Flask, engine: Engine) -> None:
    case, task = _case(engine)
    lead = Browser(app.test_client())
    lead.login("zhangsan")
    page = lead.client.get(f"/instances/{case}").text
    assert "催办 / 转办 / 延期" in page and 'aria-label="中止"' in page and 'aria-label="作废"' in page
    assert "审计记录" in page and "哈希链校验通过" in page and "查阅记录" in page
    form = {"csrf_token": csrf_of(page), "to": "qianqi", "reason": "由主任亲自办理"}
    moved = lead.client.post(f"/tasks/{task}/interventions/reassign", data=form)
    assert moved.status_code == 303 and moved.headers["Location"].endswith(f"/instances/{case}#steer")
    after = lead.client.get(f"/instances/{case}").text
    assert "已转办（送达函询）" in after and "转办（送达函询）" in after and "由主任亲自办理" in after
    refused = lead.client.post(f"/tasks/{task}/interventions/reassign", data=form)
    assert "转办未成功：此事项已由钱七办理" in lead.client.get(refused.headers["Location"]).text
    officer = Browser(app.test_client())
    officer.login("qianqi")
    own = officer.client.get(f"/instances/{case}").text
    assert "催办 / 转办 / 延期" not in own and "审计记录" not in own  # she takes part; she does not steer
    assert (
        officer.client.post(
            f"/instances/{case}/interventions/cancel", data={"csrf_token": csrf_of(own), "reason": "x"}
        ).status_code
        == 303
    )
    assert "作废未成功：您无权对此案件作废" in officer.client.get(f"/instances/{case}").text


def test_the_issuing_office_voids_a_document_from_the_case_page_and_the_api(
    app: Flask, engine: Engine
) -> None:
    case, task = _case(engine)
    lead = Browser(app.test_client())
    lead.login("zhaoliu")
    page = lead.client.get(f"/instances/{case}").text
    reminded = lead.client.post(
        f"/instances/{case}/interventions/remind",
        data={"csrf_token": csrf_of(page), "task_id": task, "reason": "请尽快送达"},
    )
    assert reminded.status_code == 303
    page = lead.client.get(f"/instances/{case}").text
    (doc,) = engine.instance(engine.actor_by_name("zhaoliu"), case).documents  # type: ignore[arg-type]
    assert f'aria-label="作废 {doc.number}"' in page
    second = doc.number.replace("1号", "2号")
    voided = lead.client.post(
        f"/instances/{case}/documents/{doc.id}/void",
        data={"csrf_token": csrf_of(page), "reason": "催办对象有误", "reissue": "1"},
    )
    assert voided.headers["Location"].endswith(f"/instances/{case}#documents")
    page = lead.client.get(voided.headers["Location"]).text
    assert f"已作废{doc.title}{doc.number}，重新制发为{second}" in page
    assert "作废理由：催办对象有误" in page and f"替代已作废的{doc.number}" in page
    listed = (
        app.test_client()
        .get(
            f"/api/v1/instances/{case}/documents",
            headers={"Authorization": f"Bearer {engine.issue_token('zhaoliu')}"},
        )
        .json
    )
    assert [(d["number"], d["void"], d["replaces"]) for d in listed] == [
        (doc.number, True, ""),
        (second, False, doc.number),
    ]
    api = _api(app, engine, "zhaoliu", f"/api/v1/documents/{listed[1]['id']}/void", {"reason": "撤回"})
    assert api.status_code == 200 and api.json["done"] == [f"已作废{doc.title}{second}"]
    again = _api(app, engine, "zhaoliu", f"/api/v1/documents/{listed[1]['id']}/void", {"reason": "撤回"})
    assert again.status_code == 409 and again.json["error"] == f"{second}已作废"
    officer = Browser(app.test_client())
    officer.login("qianqi")
    assert 'aria-label="作废 ' not in officer.client.get(f"/instances/{case}").text
    refused = _api(app, engine, "qianqi", f"/api/v1/documents/{doc.id}/void", {"reason": "x"})
    assert refused.status_code == 403 and refused.json["error"] == "您无权对此案件作废文书"
    pdf = app.test_client().get(
        f"/api/v1/attachments/{listed[0]['pdf_attachment']}",
        headers={"Authorization": f"Bearer {engine.issue_token('zhaoliu')}"},
    )
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    pdf.close()
