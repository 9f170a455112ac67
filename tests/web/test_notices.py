"""The notification centre in the pages and the API (issue 8): the unread count in the header, the
list, marking read by following a notice or all at once."""

from __future__ import annotations

from flask import Flask

from engine import Engine
from tests.web.conftest import START, Browser, csrf_of


def test_the_header_counts_unread_notices_and_following_one_reads_it(app: Flask, engine: Engine) -> None:
    case = engine.start(engine.actor_by_name("zhaoliu"), "mini", START)  # type: ignore[arg-type]
    officer = Browser(app.test_client())
    officer.login("qianqi")
    home = officer.client.get("/").text
    assert 'class="count unread-count">1<' in home and "【新待办】M-100 冯乙：“送达函询”" in home
    page = officer.client.get("/notifications").text
    task = next(t for t in engine.inbox(engine.actor_by_name("qianqi")) if t.instance_id == case)  # type: ignore[arg-type]
    notice = engine.notices.of(engine.actor_by_name("qianqi"))[0]  # type: ignore[arg-type]
    followed = officer.client.post(
        "/notifications/read",
        data={"csrf_token": csrf_of(page), "id": notice.id, "open": f"/tasks/{task.id}"},
    )
    assert followed.status_code == 303 and followed.headers["Location"] == f"/tasks/{task.id}"
    assert "unread-count" not in officer.client.get("/").text


def test_the_api_lists_notices_and_marks_them_read(app: Flask, engine: Engine) -> None:
    engine.start(engine.actor_by_name("zhaoliu"), "mini", START)  # type: ignore[arg-type]
    client, token = app.test_client(), engine.issue_token("qianqi")
    headers = {"Authorization": f"Bearer {token}"}
    listed = client.get("/api/v1/notifications?unread=1", headers=headers).json
    assert listed["unread"] == 1 and listed["items"][0]["kind"] == "new_task"
    refused = client.post("/api/v1/notifications/read", json={"ids": "all"}, headers=headers)
    assert refused.status_code == 422 and "ids" in refused.json["error"]
    marked = client.post("/api/v1/notifications/read", json={"all": True}, headers=headers).json
    assert (
        marked == {"marked": 1} and client.get("/api/v1/notifications", headers=headers).json["unread"] == 0
    )


def test_following_a_notice_never_leads_off_the_site(app: Flask, engine: Engine) -> None:
    engine.start(engine.actor_by_name("zhaoliu"), "mini", START)  # type: ignore[arg-type]
    officer = Browser(app.test_client())
    officer.login("qianqi")
    token = csrf_of(officer.client.get("/notifications").text)
    notice = engine.notices.of(engine.actor_by_name("qianqi"))[0]  # type: ignore[arg-type]
    for target in ("//evil.example", "/\\evil.example", "https://evil.example/x"):
        answer = officer.client.post(
            "/notifications/read", data={"csrf_token": token, "id": notice.id, "open": target}
        )
        assert answer.headers["Location"] == "/notifications", target


def test_a_notice_links_to_its_step_and_may_be_dismissed(app: Flask, engine: Engine) -> None:
    case = engine.start(engine.actor_by_name("zhaoliu"), "mini", START)  # type: ignore[arg-type]
    task = next(t for t in engine.inbox(engine.actor_by_name("qianqi")) if t.instance_id == case)  # type: ignore[arg-type]
    officer = Browser(app.test_client())
    officer.login("qianqi")
    assert f'<a href="/tasks/{task.id}">【新待办】M-100 冯乙' in officer.client.get("/").text
    page = officer.client.get("/notifications").text
    assert f'name="open" value="/tasks/{task.id}">去办理</button>' in page and "标为已读" in page
    notice = engine.notices.of(engine.actor_by_name("qianqi"))[0]  # type: ignore[arg-type]
    dismissed = officer.client.post(
        "/notifications/read", data={"csrf_token": csrf_of(page), "id": notice.id}
    )
    assert dismissed.headers["Location"] == "/notifications"
    assert "unread-count" not in officer.client.get("/").text
