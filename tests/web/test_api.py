"""JSON API /api/v1: bearer tokens, the same authorization as the pages, clear errors."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from engine import Engine
from engine.db.models import AuditEvent
from tests.web.conftest import START


class Api:
    def __init__(self, client: FlaskClient, token: str):
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str) -> Any:
        return self.client.get(f"/api/v1{path}", headers=self.headers)

    def post(self, path: str, body: Any) -> Any:
        return self.client.post(f"/api/v1{path}", json=body, headers=self.headers)


@pytest.fixture
def api(app: Flask, engine: Engine):  # type: ignore[no-untyped-def]
    def make(username: str) -> Api:
        return Api(app.test_client(), engine.issue_token(username))

    return make


def _start(api) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    response = api("zhaoliu").post("/instances", {"process": "mini", "data": START})
    assert response.status_code == 201, response.json
    body = response.json
    return body["id"], body["ready_tasks"][0]["id"]


def test_requests_without_a_valid_token_get_401(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/api/v1/tasks").status_code == 401
    response = client.get("/api/v1/tasks", headers={"Authorization": "Bearer ql_forged"})
    assert response.status_code == 401
    assert "error" in response.json


def test_start_lists_the_first_ready_task(api) -> None:  # type: ignore[no-untyped-def]
    instance_id, _ = _start(api)
    body = api("zhaoliu").get(f"/instances/{instance_id}").json
    assert body["status"] == "running"
    assert [t["bpmn_id"] for t in body["ready_tasks"]] == ["serve"]
    assert body["history"][0]["kind"] == "instance_started"


def test_a_start_answers_the_open_steps_without_recording_a_look_at_the_case(api, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    """The start's answer lists the case's open steps; it is not the case file, so the trail says the case
    was started, not that its starter also read it (reads of the file are audited as such)."""
    instance_id, task_id = _start(api)
    with engine.ctx.db.reading() as session:
        kinds = session.scalars(select(AuditEvent.kind).where(AuditEvent.instance_id == instance_id)).all()
    assert kinds == ["instance_started"]
    assert api("zhaoliu").get(f"/tasks/{task_id}").json["bpmn_id"] == "serve"
    api("zhaoliu").get(f"/instances/{instance_id}")
    with engine.ctx.db.reading() as session:
        kinds = session.scalars(select(AuditEvent.kind).where(AuditEvent.instance_id == instance_id)).all()
    assert kinds == ["instance_started", "case_viewed"]


def test_processes_lists_deployed_versions(api) -> None:  # type: ignore[no-untyped-def]
    body = api("zhaoliu").get("/processes").json
    assert [(p["process_id"], p["version"]) for p in body] == [("mini", 1)]


def test_task_shows_its_schema_and_due_date(api) -> None:  # type: ignore[no-untyped-def]
    _, task_id = _start(api)
    officer = api("qianqi")
    assert [t["id"] for t in officer.get("/tasks").json] == [task_id]
    body = officer.get(f"/tasks/{task_id}").json
    assert body["title"] == "送达函询"
    assert body["schema"]["required"] == ["served_at"]
    officer.post(f"/tasks/{task_id}/complete", {"data": {"served_at": "2025-09-26"}})
    reply = api("fengyi").get("/tasks").json[0]
    assert reply["due_date"] == "2025-10-23"
    assert reply["working_days_left"] > 0


def test_complete_validates_and_conflicts(api) -> None:  # type: ignore[no-untyped-def]
    instance_id, task_id = _start(api)
    officer = api("qianqi")
    bad = officer.post(f"/tasks/{task_id}/complete", {"data": {"served_at": "not a date"}})
    assert bad.status_code == 400
    assert set(bad.json["errors"]) == {"served_at"}
    unknown = officer.post(f"/tasks/{task_id}/complete", {"data": {"served_at": "2025-09-26", "extra": 1}})
    assert unknown.status_code == 400 and "extra" in unknown.json["errors"]
    typename = officer.post(
        f"/tasks/{task_id}/complete", {"data": {"served_at": "2025-09-26", "typename": "x"}}
    )
    assert typename.status_code == 400 and "typename" in typename.json["errors"]
    assert officer.post(f"/tasks/{task_id}/complete", {"data": []}).status_code == 400
    ok = officer.post(f"/tasks/{task_id}/complete", {"data": {"served_at": "2025-09-26"}})
    assert ok.status_code == 200
    again = officer.post(f"/tasks/{task_id}/complete", {"data": {"served_at": "2025-09-26"}})
    assert again.status_code == 409
    history = api("zhaoliu").get(f"/instances/{instance_id}").json["history"]
    assert [h["kind"] for h in history].count("task_completed") == 1


# Everyone who takes no part in the case: no role in it, another unit, or recused (孙八 is 冯乙's relative).
OUTSIDERS = [
    "wangwu",
    "zhoujiu",
    "wushi",
    "zhengjia",
    "chenbing",
    "chuding",
    "weiwu",
    "jiangji",
    "shengeng",
    "hanxin",
    "yangren",
    "sunba",
]


@pytest.mark.parametrize("username", OUTSIDERS)
def test_outsiders_get_404_for_everything_of_the_case(api, username: str) -> None:  # type: ignore[no-untyped-def]
    instance_id, task_id = _start(api)
    outsider = api(username)
    assert outsider.get(f"/instances/{instance_id}").status_code == 404
    assert outsider.get(f"/tasks/{task_id}").status_code == 404
    assert (
        outsider.post(f"/tasks/{task_id}/complete", {"data": {"served_at": "2025-09-26"}}).status_code == 404
    )
    assert instance_id not in [i["id"] for i in outsider.get("/instances").json["items"]]
    assert task_id not in [t["id"] for t in outsider.get("/tasks").json]


def test_the_subject_sees_his_task_but_never_the_case_file(api) -> None:  # type: ignore[no-untyped-def]
    instance_id, task_id = _start(api)
    api("qianqi").post(f"/tasks/{task_id}/complete", {"data": {"served_at": "2025-09-26"}})
    subject = api("fengyi")
    tasks = subject.get("/tasks").json
    assert [t["bpmn_id"] for t in tasks] == ["reply"]
    assert subject.get(f"/tasks/{tasks[0]['id']}").status_code == 200
    assert subject.get(f"/instances/{instance_id}").status_code == 404
    assert subject.get("/instances").json["items"] == []


def test_supervisors_see_every_case_but_cannot_do_others_work(api) -> None:  # type: ignore[no-untyped-def]
    instance_id, task_id = _start(api)
    supervisor = api("lisi")
    assert supervisor.get(f"/instances/{instance_id}").status_code == 200
    assert (
        supervisor.post(f"/tasks/{task_id}/complete", {"data": {"served_at": "2025-09-26"}}).status_code
        == 403
    )
