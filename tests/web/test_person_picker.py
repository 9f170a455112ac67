"""Issue 10 #2: people are picked, not typed — a person field searches the directory by name, unit or
post and offers only those the field accepts (role, office, 回避); a unique name typed is stored as the
person's login; pages and API answer alike."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import update

from engine import Engine
from engine.db.models import User
from engine.directory import by_name
from tests.conftest import WORKFLOWS, build_engine, make_workflows_dir
from tests.web.conftest import Browser, csrf_of
from web import create_app

CLUE = json.loads((WORKFLOWS / "clue_disposal/scenarios/thhx_letter_r2_archive.json").read_text("utf-8"))[
    "start"
]["data"]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, Flask, int]]:
    tmp = tmp_path_factory.mktemp("picker")
    engine = build_engine(tmp, make_workflows_dir(tmp, WORKFLOWS / "clue_disposal"))
    case = engine.start(engine.actor_by_name("wangwu"), "clue_disposal", CLUE)  # type: ignore[arg-type]
    task = next(t for t in engine.inbox(engine.actor_by_name("zhaoliu")) if t.instance_id == case)  # type: ignore[arg-type]
    yield engine, create_app(engine.settings, engine), task.id
    engine.close()


def test_typing_a_name_finds_the_officer_the_field_accepts(world) -> None:  # type: ignore[no-untyped-def]
    _engine, app, task_id = world
    client = Browser(app.test_client()).login("zhaoliu")
    found = client.get(f"/people?task={task_id}&field=handling_officer&q=钱七").json["items"]
    assert [p["username"] for p in found] == ["qianqi"]
    assert found[0]["label"].startswith("钱七（") and "第一纪检监察室" in found[0]["label"]
    by_office = [
        p["name"]
        for p in client.get(f"/people?task={task_id}&field=handling_officer&q=纪检监察室").json["items"]
    ]
    assert "钱七" in by_office and "孙八" not in by_office  # 孙八 is 冯乙's relative: never offered
    assert "赵六" not in by_office  # 案管室 is not a handling office's officer (role JC)


def test_choosing_a_person_fills_the_name_unless_another_bears_it(world) -> None:  # type: ignore[no-untyped-def]
    """The field then reads 钱七, not qianqi — and the submission reads that name back as qianqi. Once a
    second active 钱七 exists, the name would be ambiguous: the offers fill their logins."""
    engine, app, task_id = world
    client = Browser(app.test_client()).login("zhaoliu")
    ask = f"/people?task={task_id}&field=handling_officer&q=钱七"
    assert [(p["username"], p["fills"]) for p in client.get(ask).json["items"]] == [("qianqi", "钱七")]
    with engine.ctx.db.reading() as session:
        assert by_name(session, "钱七") == "qianqi"
    engine.add_user("qianqi2", "钱七", "another-password-1", unit="JC1", roles=["JC"])
    try:
        fills = {p["username"]: p["fills"] for p in client.get(ask).json["items"]}
        assert fills == {"qianqi": "qianqi", "qianqi2": "qianqi2"}
    finally:
        with engine.ctx.db.transaction() as session:
            session.execute(update(User).where(User.username == "qianqi2").values(active=False))


def test_a_person_field_shows_the_name_of_the_login_it_holds(world) -> None:  # type: ignore[no-untyped-def]
    """A login in a person field (kept from a refused post, or filled by an earlier step) is shown as the
    person's name, which the submission reads back as the login."""
    _engine, app, task_id = world
    client = Browser(app.test_client()).login("zhaoliu")
    page = client.get(f"/tasks/{task_id}").text
    refused = client.post(
        f"/tasks/{task_id}", data={"csrf_token": csrf_of(page), "handling_officer": "qianqi"}
    )
    assert refused.status_code == 400  # no 承办室 chosen
    assert re.search(r'id="in-handling_officer"[^>]*value="钱七"', refused.text), "the name, not qianqi"
    assert "qianqi" not in refused.text


def test_the_api_answers_alike_and_strangers_get_nothing(world) -> None:  # type: ignore[no-untyped-def]
    engine, app, task_id = world
    api = app.test_client()
    found = api.get(
        f"/api/v1/people?task={task_id}&field=handling_officer&q=钱",
        headers={"Authorization": f"Bearer {engine.issue_token('zhaoliu')}"},
    ).json["items"]
    assert [p["username"] for p in found] == ["qianqi"]
    stranger = api.get(
        f"/api/v1/people?task={task_id}&field=handling_officer&q=钱",
        headers={"Authorization": f"Bearer {engine.issue_token('qianqi')}"},
    )
    assert stranger.status_code == 404  # not her step


def test_a_unique_name_typed_is_kept_as_the_login(world) -> None:  # type: ignore[no-untyped-def]
    engine, app, task_id = world
    client = Browser(app.test_client()).login("zhaoliu")
    page = client.get(f"/tasks/{task_id}").text
    assert 'data-people="handling_officer"' in page and 'id="people-handling_officer"' in page
    done = client.post(
        f"/tasks/{task_id}",
        data={"csrf_token": csrf_of(page), "handling_office": "JC1", "handling_officer": "钱七"},
    )
    assert done.status_code == 303, done.text
    case = engine.instance(
        engine.actor_by_name("zhaoliu"), engine.task(engine.actor_by_name("zhaoliu"), task_id).instance_id
    )  # type: ignore[arg-type]
    assert case.data["handling_officer"] == "qianqi"


def test_english_chosen_on_the_login_page_stays_and_reaches_labels_and_errors(world) -> None:  # type: ignore[no-untyped-def]
    """Issue 10 #10: the language survives sign-in; field labels (title_en) and errors are in English."""
    engine, app, _ = world
    case = engine.start(engine.actor_by_name("wangwu"), "clue_disposal", {**CLUE, "clue_no": "XS-2025-0098"})
    task_id = next(t.id for t in engine.inbox(engine.actor_by_name("zhaoliu")) if t.instance_id == case)
    client = app.test_client()
    login = client.get("/login").text
    client.post("/lang/en", data={"csrf_token": csrf_of(login), "next": "/login"})
    Browser(client).login("zhaoliu")
    page = client.get(f"/tasks/{task_id}").text
    assert "Officer in charge" in page and "Handling office" in page
    refused = client.post(f"/tasks/{task_id}", data={"csrf_token": csrf_of(page), "handling_office": "JC1"})
    assert refused.status_code == 400
    assert "This field is required" in refused.text and "此项为必填项" not in refused.text
