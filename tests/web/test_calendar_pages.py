"""The county's calendar page and API (issue 9 #19): 案管室 registers an extra holiday or working day with
its reason and sees which deadlines moved; nobody else finds the page."""

from __future__ import annotations

from datetime import date

from flask import Flask

from engine import Engine
from tests.web.conftest import Browser, csrf_of


def _api(app: Flask, engine: Engine, username: str):  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {engine.issue_token(username)}"}
    client = app.test_client()
    return lambda method, url, body=None: client.open(url, method=method, json=body, headers=headers)


def test_the_case_office_registers_a_local_holiday_on_its_page(app: Flask, engine: Engine) -> None:
    office = Browser(app.test_client())
    office.login("zhaoliu")
    page = office.client.get("/calendar").text
    assert "工作日历：本地调整" in page and "没有本地调整" in page and ">工作日历</a>" in page
    done = office.client.post(
        "/calendar/days",
        data={
            "csrf_token": csrf_of(page),
            "day": "2025-10-10",
            "kind": "holiday",
            "note": "县委通知：防汛放假",
        },
    )
    page = office.client.get(done.headers["Location"]).text
    assert "已将2025-10-10调整为放假" in page
    assert "<td>2025-10-10</td><td>放假</td><td>县委通知：防汛放假</td><td>赵六，" in page
    assert not engine.calendar.is_working_day(date(2025, 10, 10))
    refused = office.client.post(
        "/calendar/days",
        data={"csrf_token": csrf_of(page), "day": "2025-10-11", "kind": "holiday", "note": ""},
    )
    assert "调整未成功：请填写理由" in office.client.get(refused.headers["Location"]).text
    cleared = office.client.post(
        "/calendar/days/2025-10-10/clear", data={"csrf_token": csrf_of(page), "note": "通知撤回"}
    )
    assert "已撤销2025-10-10的本地调整" in office.client.get(cleared.headers["Location"]).text
    officer = Browser(app.test_client())
    officer.login("qianqi")
    assert officer.client.get("/calendar").status_code == 404
    assert ">工作日历</a>" not in officer.client.get("/").text


def test_the_api_keeps_the_calendar_too(app: Flask, engine: Engine) -> None:
    office, officer = _api(app, engine, "zhaoliu"), _api(app, engine, "qianqi")
    made = office(
        "POST", "/api/v1/calendar/days", {"day": "2025-10-18", "kind": "workday", "note": "周六上班"}
    )
    assert made.status_code == 200 and made.json == {"moved": []}
    (day,) = office("GET", "/api/v1/calendar/days").json
    assert (day["day"], day["kind"], day["note"], day["set_by_name"]) == (
        "2025-10-18",
        "workday",
        "周六上班",
        "赵六",
    )
    assert officer("GET", "/api/v1/calendar/days").status_code == 404
    refused = officer("POST", "/api/v1/calendar/days", {"day": "2025-10-19", "kind": "workday", "note": "x"})
    assert refused.status_code == 403 and refused.json["error"] == "您无权调整工作日历"
    bad = office("POST", "/api/v1/calendar/days", {"day": "2025-10-19", "kind": "off", "note": "x"})
    assert bad.status_code == 422 and "放假" in bad.json["error"]
    gone = office("POST", "/api/v1/calendar/days/2025-10-18/clear", {"note": "取消"})
    assert gone.status_code == 200 and office("GET", "/api/v1/calendar/days").json == []
    missing = office("POST", "/api/v1/calendar/days/2025-10-18/clear", {"note": "取消"})
    assert missing.status_code == 404
