"""回避 through the pages (issue 8): the person concerned asks from his step's page; the 纪委书记 decides
from the list of requests; the withdrawn officer then gets 404 for the case, page and API."""

from __future__ import annotations

from flask import Flask

from engine import Engine
from tests.web.conftest import START, Browser, csrf_of


def test_a_request_from_a_step_page_decided_by_the_secretary_takes_effect(app: Flask, engine: Engine) -> None:
    case = engine.start(engine.actor_by_name("zhaoliu"), "mini", {**START, "subject_name": "冯甲"})  # type: ignore[arg-type]
    qianqi = engine.actor_by_name("qianqi")
    engine.complete(qianqi, engine.inbox(qianqi)[0].id, {"served_at": "2025-09-26"})  # type: ignore[arg-type]
    subject = Browser(app.test_client())
    subject.login("fengyi")
    step = subject.client.get("/").text.split('href="/tasks/')[1].split('"')[0]
    page = subject.client.get(f"/tasks/{step}").text
    assert "申请承办人员回避" in page and '<option value="qianqi">钱七</option>' in page
    asked = subject.client.post(
        f"/instances/{case}/recusals",
        data={
            "csrf_token": csrf_of(page),
            "user": "qianqi",
            "grounds": "曾有经济往来",
            "requester": "被反映人",
            "form": "书面",
            "back": f"/tasks/{step}",
        },
    )
    assert (
        asked.headers["Location"] == f"/tasks/{step}"
        and "回避申请已提交" in subject.client.get(f"/tasks/{step}").text
    )
    secretary = Browser(app.test_client())
    secretary.login("zhangsan")
    listed = secretary.client.get("/recusals").text
    assert (
        "申请钱七回避" in listed
        and "曾有经济往来" in listed
        and '回避申请 <span class="count">1</span>' in secretary.client.get("/").text
    )
    request_id = engine.recusals.pending(engine.actor_by_name("zhangsan"))[0].id  # type: ignore[arg-type]
    secretary.client.post(
        f"/recusals/{request_id}/decision",
        data={"csrf_token": csrf_of(listed), "decision": "同意", "opinion": "同意回避"},
    )
    officer = Browser(app.test_client())
    officer.login("qianqi")
    assert officer.client.get(f"/instances/{case}").status_code == 404
    token = engine.issue_token("qianqi")
    assert (
        app.test_client()
        .get(f"/api/v1/instances/{case}", headers={"Authorization": f"Bearer {token}"})
        .status_code
        == 404
    )
    assert "同意回避" in secretary.client.get(f"/instances/{case}").text


def test_the_case_pages_own_request_names_the_officer_by_name(app: Flask, engine: Engine) -> None:
    """The form on the case page offers the signed-in officer by name (it showed the login, under a label
    asking for a user name) and takes a name back: 钱七 withdraws himself as 钱七."""
    case = engine.start(engine.actor_by_name("zhaoliu"), "mini", START)  # type: ignore[arg-type]
    officer = Browser(app.test_client())
    officer.login("zhaoliu")
    page = officer.client.get(f"/instances/{case}").text
    form = page.split('aria-label="申请回避"', 1)[1].split("</form>", 1)[0]
    assert 'name="user" required value="赵六"' in form and "zhaoliu" not in form and "用户名" not in form
    asked = officer.client.post(
        f"/instances/{case}/recusals",
        data={
            "csrf_token": csrf_of(page),
            "user": "赵六",
            "grounds": "与被反映人系同学",
            "requester": "本人",
            "form": "书面",
        },
    )
    assert asked.status_code == 303
    assert "回避申请已提交" in officer.client.get(f"/instances/{case}").text
    secretary = Browser(app.test_client())
    secretary.login("zhangsan")
    assert "申请赵六回避" in secretary.client.get("/recusals").text
