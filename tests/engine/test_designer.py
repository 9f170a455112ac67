"""The process designers' room (issue 13): drafts, validation pinned to elements, models from other
tools, hostile uploads, diffs, the scenario gate on deploy, and who may reach any of it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from engine import Engine, NotFound, NotPermitted
from engine.catalog import read_sources
from engine.db.models import AuditEvent
from engine.errors import Refused
from tests.conftest import FIXTURES, WORKFLOWS, build_engine, make_workflows_dir

CAMUNDA = FIXTURES / "foreign" / "camunda_review.bpmn"


@pytest.fixture
def studio(tmp_path: Path) -> Iterator[Engine]:
    engine = build_engine(tmp_path, make_workflows_dir(tmp_path, FIXTURES / "mini"))
    yield engine
    engine.close()


def person(engine: Engine, username: str):  # type: ignore[no-untyped-def]
    found = engine.actor_by_name(username)
    assert found is not None
    return found


def _renamed(sources: dict[str, str], old: str, new: str) -> dict[str, str]:
    bpmn = sources["process.bpmn"]
    assert old in bpmn
    return {**sources, "process.bpmn": bpmn.replace(old, new)}


@pytest.mark.parametrize("folder", sorted(p.parent.name for p in WORKFLOWS.glob("*/process.toml")))
def test_every_procedure_of_the_county_validates_clean_in_the_designer(folder: str, tmp_path: Path) -> None:
    """The checks for models from other tools find nothing to say about the county's own procedures."""
    from engine.designer.checks import validate

    engine = build_engine(tmp_path, make_workflows_dir(tmp_path, WORKFLOWS / folder), seed=False)
    try:
        assert validate(engine.ctx, read_sources(WORKFLOWS / folder)) == []
    finally:
        engine.close()


def test_a_draft_is_saved_in_revisions_and_audited_never_live(studio: Engine) -> None:
    fang = person(studio, "fangzheng")
    first = studio.designer.draft(fang, "mini")
    assert first.revision == 1 and first.base_version == 1 and "scenarios/reply_late.json" in first.sources
    changed = _renamed(first.sources, 'name="答复函询"', 'name="答复函询材料"')
    second = studio.designer.save(fang, "mini", changed, "改名")
    assert second.revision == 2 and studio.designer.save(fang, "mini", changed).revision == 2  # same files
    assert [d.revision for d in studio.designer.history(fang, "mini")] == [2, 1]
    assert [v.version for v in studio.designer.library(fang)[0].versions] == [1]  # nothing deployed
    with studio.ctx.db.reading() as session:
        kinds = list(session.scalars(select(AuditEvent.kind).where(AuditEvent.kind == "draft_saved")))
    assert len(kinds) == 2


def test_only_designers_reach_the_designer_and_only_administrators_migrate(studio: Engine) -> None:
    for outsider in ("zhangsan", "qianqi", "zhaoliu"):
        with pytest.raises(NotFound):
            studio.designer.library(person(studio, outsider))
    with pytest.raises(NotPermitted):
        studio.designer.precheck(person(studio, "fangzheng"), "mini", 1)
    assert studio.designer.precheck(person(studio, "xuming"), "mini", 1) == []


def test_validation_pins_each_problem_to_its_element(studio: Engine) -> None:
    fang = person(studio, "fangzheng")
    sources = studio.designer.draft(fang, "mini").sources
    broken = _renamed(sources, 'name="分管副书记"', 'name="不存在的科室"')
    broken["process.bpmn"] = broken["process.bpmn"].replace(
        "<bpmn:script>", "<bpmn:script>reply_due = (\n", 1
    )
    studio.designer.save(fang, "mini", broken)
    problems = studio.designer.validate(fang, "mini")
    by_element = {p.element: p for p in problems}
    assert "lane_fg" in by_element and "不是 roles.toml 中的角色泳道" in by_element["lane_fg"].message
    assert by_element["lane_fg"].file == "process.bpmn"
    assert "escalate" in by_element  # the user task of that lane has nobody to do it


def test_a_model_from_camunda_modeler_lists_everything_it_lacks_in_chinese(studio: Engine) -> None:
    fang = person(studio, "fangzheng")
    draft = studio.designer.import_model(fang, "camunda_review.bpmn", CAMUNDA.read_bytes())
    assert draft.process_id == "clue_review" and "process.toml" in draft.sources
    problems = studio.designer.validate(fang, "clue_review")
    said = {(p.element, p.file) for p in problems}
    text = "\n".join(p.message for p in problems)
    assert ("clue_review", "process.bpmn") in said and "可执行" in text  # isExecutable="false"
    assert ("Lane_office", "process.bpmn") in said  # a lane that is no role
    assert ("Task_sign", "process.bpmn") in said and "不在任何泳道" in text
    assert ("Task_archive", "process.bpmn") in said and "服务任务" in text
    assert ("Store_cases", "process.bpmn") in said and "数据存储" in text
    assert "assignee" in text and "formKey" in text  # Camunda's settings are said to do nothing here
    assert all(p.file == "process.bpmn" and p.element for p in problems)
    with pytest.raises(Refused, match="已存在"):
        studio.designer.import_model(fang, "camunda_review.bpmn", CAMUNDA.read_bytes())


HOSTILE = {
    "doctype.bpmn": (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
        "DOCTYPE",
    ),
    "entity.bpmn": (b'<?xml version="1.0"?><x><!ENTITY e "boom"></x>', "实体"),
    "page.bpmn": (b"<html><body>not a model</body></html>", "不是 BPMN"),
    "huge.bpmn": (b"<x>" + b"a" * (3 * 1024 * 1024) + b"</x>", "文件过大"),
    "latin1.bpmn": ("<x>函询</x>".encode("gb18030"), "UTF-8"),
    "forms/start.schema.json": (b"{not json", "不是有效的 JSON"),
    "../escape.bpmn": (b"<x/>", "只能上传"),
    "run.py": (b"print(1)", "只能上传"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_or_broken_upload_is_refused_with_its_reason_and_nothing_kept(
    studio: Engine, name: str
) -> None:
    fang = person(studio, "fangzheng")
    before = studio.designer.draft(fang, "mini")
    content, reason = HOSTILE[name]
    with pytest.raises(Refused, match=reason):
        studio.designer.put_file(fang, "mini", name, content)
    assert studio.designer.draft(fang, "mini").revision == before.revision


def test_the_diff_of_two_real_versions_lists_what_changed(studio: Engine) -> None:
    fang, xu = person(studio, "fangzheng"), person(studio, "xuming")
    sources = studio.designer.draft(fang, "mini").sources
    changed = _renamed(sources, 'name="答复函询"', 'name="答复函询材料"')
    changed["process.bpmn"] = changed["process.bpmn"].replace(
        'id="end_ok" name="了结"', 'id="end_ok" name="采信了结"'
    )
    studio.designer.save(fang, "mini", changed)
    outcome = studio.designer.deploy(xu, "mini")
    assert outcome.version == 2 and outcome.created and not outcome.forced
    assert outcome.scenarios and all(r.passed for r in outcome.scenarios)
    diff = studio.designer.diff(fang, "mini", 1, 2)
    changes = {(e.element, c.field, c.before, c.after) for e in diff.changed for c in e.changes}
    assert ("reply", "name", "答复函询", "答复函询材料") in changes
    assert ("end_ok", "name", "了结", "采信了结") in changes
    assert not diff.added and not diff.removed


def test_a_draft_whose_scenarios_fail_is_refused_unless_an_administrator_forces_it(studio: Engine) -> None:
    fang, xu = person(studio, "fangzheng"), person(studio, "xuming")
    sources = studio.designer.draft(fang, "mini").sources
    # the reply period shrinks from 15 to 10 working days: the scenarios' dates no longer hold
    studio.designer.save(
        fang, "mini", {**sources, "process.toml": sources["process.toml"].replace("15", "10")}
    )
    with pytest.raises(Refused, match="个场景未通过"):
        studio.designer.deploy(fang, "mini")
    with pytest.raises(NotPermitted):
        studio.designer.deploy(fang, "mini", force_reason="急用")
    outcome = studio.designer.deploy(xu, "mini", force_reason="县委要求本周上线，场景随后修正")
    assert outcome.forced and outcome.version == 2
    with studio.ctx.db.reading() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.kind == "deploy_forced"))
    assert event is not None
    payload = json.loads(event.payload) if isinstance(event.payload, str) else event.payload
    assert payload["reason"] == "县委要求本周上线，场景随后修正" and payload["failed"]


def _model(body: str, executable: str = "true") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="x">'
        f'<bpmn:process id="p" isExecutable="{executable}">'
        '<bpmn:laneSet id="ls"><bpmn:lane id="lane_jc" name="承办室"><bpmn:flowNodeRef>t</bpmn:flowNodeRef>'
        f"</bpmn:lane></bpmn:laneSet>{body}</bpmn:process></bpmn:definitions>"
    )


FOREIGN_RULES = {
    "not executable": (_model("", executable="false"), "p", "可执行"),
    "service task": (_model('<bpmn:serviceTask id="t" name="归档"/>'), "t", "服务任务"),
    "send task": (_model('<bpmn:sendTask id="t"/>'), "t", "发送任务"),
    "receive task": (_model('<bpmn:receiveTask id="t"/>'), "t", "接收任务"),
    "manual task": (_model('<bpmn:manualTask id="t"/>'), "t", "手工任务"),
    "data store": (_model('<bpmn:dataStoreReference id="s"/>'), "s", "数据存储"),
    "complex gateway": (_model('<bpmn:complexGateway id="g"/>'), "g", "复杂网关"),
    "event gateway": (_model('<bpmn:eventBasedGateway id="g"/>'), "g", "事件网关"),
    "lane without role": (_model("").replace('name="承办室"', 'name="Sales"'), "lane_jc", "角色泳道"),
    "task outside lanes": (_model('<bpmn:userTask id="u"/>'), "u", "不在任何泳道"),
    "task without form": (_model('<bpmn:userTask id="t"/>'), "t", "没有表单"),
    "script without text": (_model('<bpmn:scriptTask id="t"/>'), "t", "没有脚本"),
    "script not python": (
        _model('<bpmn:scriptTask id="t" scriptFormat="javascript"><bpmn:script>x=1</bpmn:script>'
               "</bpmn:scriptTask>"),
        "t",
        "只运行 Python",
    ),
    "another tool's extension": (
        _model('<bpmn:serviceTask id="t"><bpmn:extensionElements><zeebe:taskDefinition type="x"/>'
               "</bpmn:extensionElements></bpmn:serviceTask>"),
        "t",
        "taskDefinition",
    ),
}  # fmt: skip


@pytest.mark.parametrize("rule", sorted(FOREIGN_RULES))
def test_each_rule_for_models_from_other_tools_names_the_file_and_element(rule: str) -> None:
    from engine.designer.foreign import foreign_problems
    from engine.roles import RoleBook
    from engine.xmlsafe import parse_xml

    text, element, words = FOREIGN_RULES[rule]
    roles = RoleBook.load(WORKFLOWS / "roles.toml")
    problems = foreign_problems("model.bpmn", parse_xml(text.encode(), "model.bpmn").getroot(), roles)
    hits = [p for p in problems if f"元素 {element}" in p and words in p]
    assert hits and all(p.startswith("文件 model.bpmn") for p in hits), problems


def test_a_form_whose_x_case_is_not_a_rule_is_refused_at_validation(studio: Engine) -> None:
    fang = person(studio, "fangzheng")
    sources = studio.designer.draft(fang, "mini").sources
    form = json.loads(sources["forms/start.schema.json"])
    form["properties"]["case_no"]["x-case"] = "clue_disposal"  # a name, not {"process": …}
    studio.designer.save(
        fang, "mini", {**sources, "forms/start.schema.json": json.dumps(form, ensure_ascii=False)}
    )
    assert any("x-case" in p.message for p in studio.designer.validate(fang, "mini"))


def test_a_draft_without_scenarios_is_not_deployed_on_a_designers_word(studio: Engine) -> None:
    """Scenarios are the gate: a draft whose scenario files were removed has passed none — a designer
    cannot deploy it; an administrator may, with a reason."""
    fang, xu = person(studio, "fangzheng"), person(studio, "xuming")
    sources = studio.designer.draft(fang, "mini").sources
    bare = {n: t for n, t in sources.items() if not n.startswith("scenarios/")}
    studio.designer.save(fang, "mini", _renamed(bare, 'name="答复函询"', 'name="答复"'))
    with pytest.raises(Refused, match="没有场景测试"):
        studio.designer.deploy(fang, "mini")
    with pytest.raises(NotPermitted):
        studio.designer.deploy(fang, "mini", force_reason="赶时间")
    assert studio.designer.deploy(xu, "mini", force_reason="场景随后补写").forced
    assert [e.draft_revision for e in studio.designer.library(fang)] == [None]  # the deployed draft is closed
    draft = studio.designer.import_model(fang, "review.xml", CAMUNDA.read_bytes())  # any file name
    entries = {e.process_id: e for e in studio.designer.library(fang)}
    assert entries["clue_review"].versions == () and entries["clue_review"].draft_revision == draft.revision


def test_instructions_may_not_carry_html_of_the_designers_making(studio: Engine) -> None:
    """Officers' pages show a step's instructions as written: a link or a form typed into them is refused
    at validation, pinned on the step (values filled in by the template are escaped when shown)."""
    fang = person(studio, "fangzheng")
    sources = studio.designer.draft(fang, "mini").sources
    link = '<spiffworkflow:instructionsForEndUser>请点击&lt;a href="https://x.example"&gt;这里&lt;/a&gt;答复。</spiffworkflow:instructionsForEndUser>'
    bpmn = sources["process.bpmn"].replace(
        '<bpmn:userTask id="reply" name="答复函询">\n      <bpmn:extensionElements>',
        f'<bpmn:userTask id="reply" name="答复函询">\n      <bpmn:extensionElements>{link}',
    )
    assert link in bpmn
    studio.designer.save(fang, "mini", {**sources, "process.bpmn": bpmn})
    pinned = [p for p in studio.designer.validate(fang, "mini") if p.element == "reply"]
    assert pinned and "不能含 HTML 标记" in pinned[0].message
