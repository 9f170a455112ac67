"""Issue 10 #1 and #7: whoever approves, countersigns or receives sees what he acts on, above the form and
in the API; need-to-know still holds; someone who does not hold a step gets a read-only view."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime

import pytest
from flask import Flask

from engine import Engine
from tests.conftest import WORKFLOWS, build_engine, make_workflows_dir
from tests.web.conftest import Browser
from web import create_app

SCENARIO = json.loads((WORKFLOWS / "clue_disposal/scenarios/thhx_letter_r2_archive.json").read_text("utf-8"))
STEPS = [s for s in SCENARIO["steps"] if "complete" in s and "error" not in s]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, Flask, int]]:
    tmp = tmp_path_factory.mktemp("review")
    engine = build_engine(tmp, make_workflows_dir(tmp, WORKFLOWS / "clue_disposal"))
    instance_id = engine.start(engine.actor_by_name("wangwu"), "clue_disposal", SCENARIO["start"]["data"])  # type: ignore[arg-type]
    yield engine, create_app(engine.settings, engine), instance_id
    engine.close()


def _walk_to(engine: Engine, instance_id: int, bpmn_id: str) -> int:
    """Complete the scenario's steps until `bpmn_id` is ready; returns that task's id."""
    for step in STEPS:
        actor = engine.actor_by_name(step["as"])
        ready = [t for t in engine.inbox(actor) if t.instance_id == instance_id]  # type: ignore[arg-type]
        if step["complete"] == bpmn_id:
            return next(t.id for t in ready if t.bpmn_id == bpmn_id)
        task = next((t for t in ready if t.bpmn_id == step["complete"]), None)
        if task is not None:
            if "at" in step:  # on the scenario's day: the dates it types are checked against it
                engine.clock.set(datetime.fromisoformat(step["at"]))  # type: ignore[attr-defined]
            engine.complete(actor, task.id, step["data"])  # type: ignore[arg-type]
    raise AssertionError(f"{bpmn_id} never became ready")


def test_the_deputy_secretary_approves_the_proposal_he_reads(world) -> None:  # type: ignore[no-untyped-def]
    engine, app, instance_id = world
    task_id = _walk_to(engine, instance_id, "A4_fg_approve")
    page = Browser(app.test_client()).login("lisi").get(f"/tasks/{task_id}").text
    review = page[page.index("办理依据的材料") : page.index('class="task-form"')]
    proposal = next(s for s in STEPS if s["complete"] == "A3_propose")["data"]
    for words in ("处置方式", "谈话函询", "理由", proposal["reasons"], "谈话函询方案：需要说明的问题"):
        assert words in review, words
    assert proposal["plan_matters"] in review
    assert "THHX" not in review


def test_the_secretary_sees_the_deputys_opinion_before_his_own(world) -> None:  # type: ignore[no-untyped-def]
    engine, app, instance_id = world
    task_id = _walk_to(engine, instance_id, "A4_sj_approve")
    body = (
        app.test_client()
        .get(
            f"/api/v1/tasks/{task_id}", headers={"Authorization": f"Bearer {engine.issue_token('zhangsan')}"}
        )
        .json
    )
    labels = [item["label"] for item in body["review"]]
    assert labels.index("理由") < labels.index("分管副书记审批") < labels.index("分管副书记签批意见"), labels
    assert body["review"][labels.index("分管副书记审批")]["text"] == "同意"
    assert body["may_act"] is True


def test_the_unit_head_countersigns_the_reply_he_reads_and_nothing_else(world) -> None:  # type: ignore[no-untyped-def]
    engine, app, instance_id = world
    subject = engine.actor_by_name("fengyi")
    reply_id = _walk_to(engine, instance_id, "A5b_reply")
    sha = engine.upload(subject, "说明材料.pdf", PDF, instance_id).sha256  # type: ignore[arg-type]
    reply = next(s for s in STEPS if s["complete"] == "A5b_reply")["data"]
    engine.complete(subject, reply_id, {**reply, "reply_file": sha})  # type: ignore[arg-type]
    task_id = _walk_to(engine, instance_id, "A5b_sign")
    client = Browser(app.test_client()).login("zhengjia")
    page = client.get(f"/tasks/{task_id}").text
    assert reply["reply_text"] in page and "是否接受宴请？" in page  # the reply and the questions it answers
    assert SCENARIO["start"]["data"]["summary"] not in page  # not the clue
    link = page[page.index("说明材料.pdf") - 200 : page.index("说明材料.pdf")]
    href = link[link.rindex('href="') + 6 :].split('"')[0]
    with client.get(href) as download:
        assert download.data == PDF  # the reply's file opens for him
    assert client.get(f"/instances/{instance_id}").status_code == 404  # the case file does not


def test_a_supervisor_opening_someone_elses_step_sees_who_holds_it_and_no_form(world) -> None:  # type: ignore[no-untyped-def]
    engine, app, instance_id = world
    task_id = _walk_to(engine, instance_id, "A5b_receive")
    page = Browser(app.test_client()).login("zhangsan").get(f"/tasks/{task_id}")
    assert page.status_code == 200
    assert "此步骤由钱七办理" in page.text and "您可以查看，不能办理" in page.text
    assert '<form method="post" enctype' not in page.text
    assert "情况属实。" in page.text  # the material still shows: the unit head's opinion on the reply
    body = (
        app.test_client()
        .get(
            f"/api/v1/tasks/{task_id}", headers={"Authorization": f"Bearer {engine.issue_token('zhangsan')}"}
        )
        .json
    )
    assert body["may_act"] is False and body["holder"] == "钱七"
