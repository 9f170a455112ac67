"""Who sees the inspections: 党风政风监督室 supervises every case of the processes it runs (`sees` in
roles.toml); a unit's liaison gets the data their step's instructions and tables need, no more."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from engine import Engine, NotFound
from engine.directory import add_user
from engine.storyline import Walk, load_scenario
from tests.conftest import WORKFLOWS, build_engine, make_workflows_dir

SCENARIO = WORKFLOWS / "unit_inspection" / "scenarios" / "average_no_interview.json"
START = json.loads(SCENARIO.read_text("utf-8"))["start"]


@pytest.fixture
def inspection(tmp_path: Path) -> Iterator[tuple[Engine, int]]:
    engine = build_engine(
        tmp_path,
        make_workflows_dir(tmp_path, WORKFLOWS / "unit_inspection"),
        at=datetime.fromisoformat(START["at"]),
    )
    with engine.ctx.db.transaction() as session:
        add_user(session, "dfnew", "新同事", "pw-dfnew-123456", unit="DFS", roles=["DF"])
    starter = engine.actor_by_name(START["as"])
    assert starter is not None
    yield engine, engine.start(starter, "unit_inspection", START["data"])
    engine.close()


def _actor(engine: Engine, name: str):  # type: ignore[no-untyped-def]
    found = engine.actor_by_name(name)
    assert found is not None
    return found


def test_the_office_that_runs_inspections_sees_each_one_without_taking_part(
    inspection: tuple[Engine, int],
) -> None:
    engine, case = inspection
    colleague = _actor(engine, "dfnew")
    assert engine.instance(colleague, case).title.startswith("JC-2026-05")
    with pytest.raises(NotFound):
        engine.instance(_actor(engine, "qianqi"), case)  # the team lead's step has not come yet
    with pytest.raises(NotFound):
        engine.instance(_actor(engine, "hanmei"), case)  # the unit's liaison: her step only


def test_the_liaison_gets_the_checklist_her_table_starts_from_and_nothing_else(
    inspection: tuple[Engine, int],
) -> None:
    engine, case = inspection
    liaison = _actor(engine, "hanmei")
    task = next(t for t in engine.inbox(liaison) if t.instance_id == case)
    view = engine.task(liaison, task.id)
    assert [row["item"] for row in view.data["checklist_rows"]] == [f"C0{n}" for n in range(1, 9)]
    assert view.data["checklist_items"][0]["area"] == "主体责任部署与研究"  # read in a {% for %} loop
    assert "team_members" not in view.data and "team_lead" not in view.data  # the inspectors are not hers


def test_a_case_started_by_a_unit_heads_step_belongs_to_the_office_and_its_documents_stay_there(
    tmp_path: Path,
) -> None:
    scenario = load_scenario(SCENARIO, "unit_inspection")
    workflows = make_workflows_dir(tmp_path, WORKFLOWS / "unit_inspection", WORKFLOWS / "rectification")
    engine = build_engine(tmp_path, workflows, at=datetime.fromisoformat(START["at"]))
    try:
        walk = Walk(engine)
        walk.start(scenario["start"])
        for step in scenario["steps"]:
            walk.act(step)  # ends with 郑甲 acknowledging the feedback: that sends the finding to 整改
        walk.focus("rectification")
        office = _actor(engine, "zhoujiu")
        assert engine.instance(office, walk.instance_id).started_by == "周九"  # not 郑甲, who acted
        walk.act(
            {
                "in": "rectification",
                "as": "zhoujiu",
                "complete": "C1_issue",
                "data": {"notice_type": "整改通知书"},
            }
        )
        notice = engine.instance(office, walk.instance_id).documents[0]
        assert notice.kind == "zgtz" and notice.pdf_attachment is not None
        with pytest.raises(NotFound):  # his unit's 整改 is in his figures and lists, its file is not his
            engine.attachment(_actor(engine, "zhengjia"), notice.pdf_attachment)
        assert engine.attachment(office, notice.pdf_attachment)[0].exists()
    finally:
        engine.close()


def test_a_unit_gets_the_documents_addressed_to_it_and_nothing_else(inspection: tuple[Engine, int]) -> None:
    engine, case = inspection
    liaison, other_unit = _actor(engine, "hanmei"), _actor(engine, "liuqiang")
    notice = engine.instance(_actor(engine, "zhoujiu"), case).documents[0]
    assert notice.kind == "jctz" and notice.pdf_attachment is not None
    assert [d.number for d in engine.addressed_documents(liaison, case)] == [notice.number]
    path, view = engine.attachment(liaison, notice.pdf_attachment)
    assert path.read_bytes().startswith(b"%PDF") and view.filename.endswith("检查通知书.pdf")
    assert engine.addressed_documents(other_unit, case) == []  # no step in this case
    with pytest.raises(NotFound):
        engine.attachment(other_unit, notice.pdf_attachment)
    assert engine.addressed_documents(_actor(engine, "fengyi"), case) == []  # not a recipient role
