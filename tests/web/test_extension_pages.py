"""延期申请 through the pages and the API (issue 9 #19): the person concerned asks from his step's page;
the 分管副书记 finds it under 延期申请 and decides; the API does the same."""

from __future__ import annotations

from datetime import date

from flask import Flask

from tests.engine.test_calendar_overrides import _reply, letter  # noqa: F401 — the served 函询
from tests.web.conftest import Browser, csrf_of
from web import create_app


def test_the_person_asks_on_his_step_and_the_deputy_decides_on_his_list(letter) -> None:  # noqa: F811
    engine, case = letter
    app = create_app(engine.settings, engine)
    task = _reply(engine, case)
    subject = Browser(app.test_client())
    subject.login("fengyi")
    page = subject.client.get(f"/tasks/{task.id}").text
    assert 'aria-label="申请延期"' in page
    asked = subject.client.post(
        f"/tasks/{task.id}/extension-request",
        data={"csrf_token": csrf_of(page), "wanted": "2025-10-31", "reason": "出差在外"},
    )
    page = subject.client.get(asked.headers["Location"]).text
    assert "延期申请已提交，等待审批" in page and "申请将期限延至2025-10-31，等待审批" in page
    deputy = Browser(app.test_client())
    deputy.login("lisi")
    home = deputy.client.get("/").text
    assert '>延期申请 <span class="count">1</span>' in home
    listing = deputy.client.get("/extension-requests").text
    assert "冯乙" in listing and "出差在外" in listing and "2025-10-23" in listing
    request_id = engine.extension_requests.pending(engine.actor_by_name("lisi"))[0].id
    decided = deputy.client.post(
        f"/extension-requests/{request_id}/decision",
        data={"csrf_token": csrf_of(listing), "approve": "1", "due": "2025-10-30", "note": "同意"},
    )
    assert (
        "已审批冯乙的延期申请：同意，期限延至2025-10-30"
        in deputy.client.get(decided.headers["Location"]).text
    )
    assert _reply(engine, case).due_date == date(2025, 10, 30)


def test_the_api_asks_and_decides(letter) -> None:  # noqa: F811
    engine, case = letter
    app: Flask = create_app(engine.settings, engine)
    client = app.test_client()

    def call(user: str, url: str, body: dict | None = None):  # type: ignore[no-untyped-def]
        headers = {"Authorization": f"Bearer {engine.issue_token(user)}"}
        if body is None:
            return client.get(url, headers=headers)
        return client.post(url, json=body, headers=headers)

    task = _reply(engine, case)
    made = call(
        "fengyi", f"/api/v1/tasks/{task.id}/extension-requests", {"reason": "出差", "due": "2025-10-31"}
    )
    assert made.status_code == 201 and made.json["status"] == "pending"
    again = call(
        "fengyi", f"/api/v1/tasks/{task.id}/extension-requests", {"reason": "出差", "due": "2025-11-03"}
    )
    assert again.status_code == 409
    (waiting,) = call("lisi", "/api/v1/extension-requests").json
    assert waiting["wanted"] == "2025-10-31" and waiting["requested_by"] == "冯乙"
    assert call("zhoujiu", "/api/v1/extension-requests").json == []
    refused = call(
        "lisi",
        f"/api/v1/extension-requests/{waiting['id']}/decision",
        {"approve": False, "note": "请按期答复"},
    )
    assert refused.status_code == 200 and refused.json["status"] == "refused"
    assert _reply(engine, case).due_date == date(2025, 10, 23)
