"""Every demo user against a real clue they take no part in: 404 everywhere, pages and API alike."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime

import pytest
from flask import Flask

from engine import Engine
from tests.conftest import PASSWORDS, WORKFLOWS, build_engine, make_workflows_dir
from tests.web.conftest import csrf_of
from web import create_app

LETTER_PATH = WORKFLOWS / "clue_disposal" / "scenarios" / "thhx_letter_r2_archive.json"
CLUE = {
    **json.loads(LETTER_PATH.read_text(encoding="utf-8"))["start"]["data"],
    "is_real_name": True,
    "reporter_name": "李某",
    "reporter_contact": "13800000000",
}
# Who may open the case file once 赵六 has assigned it to 钱七 of the first office:
# the registrar, the 案管室/分管副书记/纪委书记 supervisors, and the first office's officers — except 孙八,
# who is recused (冯乙 is his relative).
SEES_CASE = {"wangwu", "zhaoliu", "lisi", "zhangsan", "qianqi"}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, Flask, int]]:
    tmp = tmp_path_factory.mktemp("matrix")
    engine = build_engine(tmp, make_workflows_dir(tmp, WORKFLOWS / "clue_disposal"))
    instance_id = engine.start(engine.actor_by_name("wangwu"), "clue_disposal", CLUE)  # type: ignore[arg-type]
    assigner = engine.actor_by_name("zhaoliu")
    task = next(t for t in engine.inbox(assigner) if t.bpmn_id == "A2_assign")  # type: ignore[arg-type]
    engine.complete(assigner, task.id, {"handling_office": "JC1", "handling_officer": "qianqi"})  # type: ignore[arg-type]
    yield engine, create_app(engine.settings, engine), instance_id
    engine.close()


@pytest.mark.parametrize("username", sorted(PASSWORDS))
def test_each_demo_user_sees_the_case_only_if_they_take_part(world, username: str) -> None:  # type: ignore[no-untyped-def]
    engine, app, instance_id = world
    actor = engine.actor_by_name(username)
    officer = engine.actor_by_name("qianqi")
    task_id = next(t.id for t in engine.inbox(officer) if t.instance_id == instance_id)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {engine.issue_token(username)}"}
    expected = 200 if username in SEES_CASE else 404
    assert client.get(f"/api/v1/instances/{instance_id}", headers=headers).status_code == expected
    listed = [i["id"] for i in client.get("/api/v1/instances", headers=headers).json["items"]]
    assert (instance_id in listed) == (username in SEES_CASE)
    may_act = username == "qianqi"
    task_status = client.get(f"/api/v1/tasks/{task_id}", headers=headers).status_code
    assert task_status == (200 if may_act or username in SEES_CASE else 404)
    complete = client.post(
        f"/api/v1/tasks/{task_id}/complete", json={"data": {}}, headers=headers
    ).status_code
    assert complete == (400 if may_act else 403 if username in SEES_CASE else 404)
    assert (task_id in [t.id for t in engine.inbox(actor)]) == may_act  # type: ignore[arg-type]


def test_whistleblower_identity_only_for_the_petitions_office(world) -> None:  # type: ignore[no-untyped-def]
    engine, _app, instance_id = world
    for username, visible in (("wangwu", True), ("zhaoliu", False), ("zhangsan", False), ("qianqi", False)):
        data = engine.instance(engine.actor_by_name(username), instance_id).data  # type: ignore[arg-type]
        assert (data["reporter_name"] == "李某") is visible, username
        history = engine.instance(engine.actor_by_name(username), instance_id).history  # type: ignore[arg-type]
        assert "13800000000" not in str(history), username  # the trail keeps a keyed hash only (issue 11 #8)


def test_the_subject_gets_only_what_his_step_needs(world) -> None:  # type: ignore[no-untyped-def]
    engine, app, _ = world
    # its own case, so the other tests of this module keep theirs where it was
    instance_id = engine.start(
        engine.actor_by_name("wangwu"), "clue_disposal", {**CLUE, "clue_no": "XS-2025-0032"}
    )
    path = [
        step for step in json.loads(LETTER_PATH.read_text(encoding="utf-8"))["steps"] if "complete" in step
    ]
    until_served = [
        s for s in path[: 1 + next(n for n, s in enumerate(path) if s["complete"] == "A5b_serve")]
    ]
    for step in until_served:
        bpmn_id, username, data = step["complete"], step["as"], step["data"]
        if "at" in step:  # on the scenario's day: the dates it types are checked against it
            engine.clock.set(datetime.fromisoformat(step["at"]))  # type: ignore[attr-defined]
        actor = engine.actor_by_name(username)
        task = next(t for t in engine.inbox(actor) if t.instance_id == instance_id and t.bpmn_id == bpmn_id)
        engine.complete(actor, task.id, data)
    (reply,) = [t for t in engine.inbox(engine.actor_by_name("fengyi")) if t.instance_id == instance_id]
    token = engine.issue_token("fengyi")
    body = (
        app.test_client().get(f"/api/v1/tasks/{reply.id}", headers={"Authorization": f"Bearer {token}"}).json
    )
    case_file = {"summary", "reasons", "fg_opinion", "reporter_name", "reporter_contact", "handling_officer"}
    assert case_file.isdisjoint(body["data"]), sorted(case_file & set(body["data"]))
    assert "reply_due" in body["data"]  # what his instructions speak of stays


def test_a_second_clue_on_the_same_person_is_flagged_at_assignment(world) -> None:  # type: ignore[no-untyped-def]
    engine, app, _ = world
    registrar = engine.actor_by_name("wangwu")
    second = engine.start(registrar, "clue_disposal", {**CLUE, "clue_no": "XS-2025-0040"})
    other = engine.start(
        registrar, "clue_disposal", {**CLUE, "clue_no": "XS-2025-0041", "subject_name": "褚丁"}
    )
    assigner = engine.actor_by_name("zhaoliu")
    tasks = {t.instance_id: t for t in engine.inbox(assigner) if t.bpmn_id == "A2_assign"}
    client = app.test_client()
    page = client.get("/login")
    client.post(
        "/login",
        data={"username": "zhaoliu", "password": PASSWORDS["zhaoliu"], "csrf_token": csrf_of(page.text)},
    )
    flagged = client.get(f"/tasks/{tasks[second].id}").text
    assert "同一被反映人已有线索 XS-2025-0031" in flagged
    assert "同一被反映人已有线索" not in client.get(f"/tasks/{tasks[other].id}").text
