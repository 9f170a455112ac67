"""Form widgets that are neither a plain input nor a table: a list of usernames is one text input whose
items are separated by 、 or commas, and a checkbox group left unticked posts an empty list (a hidden
`<name>__present` marker says the group was on the page), on the real inspection forms."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.datastructures import ImmutableMultiDict

from engine import Engine
from engine.storyline import Walk
from tests.conftest import WORKFLOWS, build_engine, make_workflows_dir
from web.form_render import fields_of, parse_post

FOLDERS = ("inspection_plan", "unit_inspection", "rectification", "clue_disposal")
SCENARIO = json.loads(
    (WORKFLOWS / "inspection_plan" / "scenarios" / "plan_full_chain.json").read_text("utf-8")
)
START_URL = "/processes/inspection_plan/start"
PLAN = {
    "plan_no": "JC-2026-07",
    "year": "2026",
    "inspection_type": "年度",
    "plan_title": "2026年度县直部门落实“两个责任”情况监督检查",
    "units": ["SJJ", "CZJ"],
    "units__present": "1",
    "team_lead": "wushi",
    "team_members": "sunba、qianqi",
    "checklist_version": "2026",
    "onsite_from": "2026-03-23",
    "onsite_to": "2026-04-03",
}


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """The pages run on process B and the processes its messages start, at the scenario's start."""
    workflows = make_workflows_dir(tmp_path, *(WORKFLOWS / name for name in FOLDERS))
    built = build_engine(tmp_path, workflows)
    yield built
    built.close()


def field_html(page: str, name: str) -> str:
    """The markup of one field, from its wrapper to the next field."""
    start = page.index(f'id="field-{name}"')
    end = page.find('<div class="field', start + 1)
    return page[start : end if end > 0 else len(page)]


def post(values: dict[str, Any]) -> ImmutableMultiDict[str, str]:
    pairs = [(k, v) for k, vs in values.items() for v in (vs if isinstance(vs, list) else [vs])]
    return ImmutableMultiDict(pairs)


def parse(schema: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    return parse_post(schema, post(values), ImmutableMultiDict(), None, None)  # type: ignore[arg-type]


# -- a list of usernames ------------------------------------------------------------------------------


def test_a_list_of_usernames_is_one_labelled_text_input_with_a_hint(as_user) -> None:  # type: ignore[no-untyped-def]
    page = as_user("zhoujiu").client.get(START_URL).text
    members = field_html(page, "team_members")
    assert '<label for="in-team_members" class="required">检查组组员</label>' in members
    assert re.search(r'<input id="in-team_members" name="team_members"\s+type="text"', members)
    assert 'aria-describedby="help-team_members hint-team_members"' in members
    assert (
        '<p class="help" id="hint-team_members">输入姓名、单位或职务查找并选择；多人之间用顿号“、”分隔'
        in members
    )
    assert 'data-people="team_members"' in members and 'data-people-many="1"' in members
    lead = field_html(page, "team_lead")  # a single person: the picker, no separator hint
    assert re.search(r'name="team_lead"\s+type="text"', lead) and "hint-team_lead" not in lead
    assert (
        'data-people="team_lead" data-people-list="people-team_lead"' in lead
        and 'id="people-team_lead"' in lead
    )


@pytest.mark.parametrize(
    "typed", ["sunba、qianqi", "sunba, qianqi", " sunba，qianqi ", "sunba\r\nqianqi", "sunba 、、qianqi"]
)
def test_typed_usernames_reach_the_engine_as_a_list(as_user, engine: Engine, typed: str) -> None:  # type: ignore[no-untyped-def]
    response = as_user("zhoujiu").post_form(START_URL, {**PLAN, "team_members": typed})
    assert response.status_code == 303, response.text
    planner = engine.actor_by_name("zhoujiu")
    assert planner is not None
    instance_id = int(response.location.rsplit("/", 1)[1])
    data = engine.instance(planner, instance_id).data
    assert data["team_members"] == ["sunba", "qianqi"]
    assert data["team_members_names"] == ["孙八", "钱七"]


def test_a_refused_person_is_named_under_the_field_and_the_typed_list_kept(as_user, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    response = as_user("zhoujiu").post_form(START_URL, {**PLAN, "team_members": "sunba、zhengjia"})
    assert response.status_code == 400
    members = field_html(response.text, "team_members")
    assert re.search(r'<p class="error" id="err-team_members" role="alert">郑甲：[^<]*角色', members), members
    assert 'value="孙八、郑甲"' in members  # the people typed, by name (the submission reads names back)
    assert "err-team_members" in members.split("<input", 1)[1].split(">", 1)[0]  # aria-describedby
    units = field_html(response.text, "units")  # the ticked units stay ticked
    assert re.search(r'value="SJJ"\s+checked', units) and re.search(r'value="CZJ"\s+checked', units)


def test_an_empty_list_of_usernames_is_refused_as_required(as_user) -> None:  # type: ignore[no-untyped-def]
    response = as_user("zhoujiu").post_form(START_URL, {**PLAN, "team_members": " 、 "})
    assert response.status_code == 400
    assert 'id="err-team_members"' in field_html(response.text, "team_members")


def test_a_rule_naming_the_list_shows_under_it(as_user) -> None:  # type: ignore[no-untyped-def]
    response = as_user("zhoujiu").post_form(START_URL, {**PLAN, "team_members": "wushi、sunba"})
    assert response.status_code == 400
    assert "检查组组长不必再列为组员" in field_html(response.text, "team_members")


def test_a_saved_list_is_shown_joined_and_parsed_back() -> None:
    schema = {"properties": {"people": {"type": "array", "items": {"type": "string", "format": "username"}}}}
    (people,) = fields_of(schema, {}, {"people": ["lisi", "wangwu"]}, {})
    assert people.kind == "list" and people.value == "lisi、wangwu" and people.attrs["people"]
    assert parse(schema, {"people": people.value}) == {"people": ["lisi", "wangwu"]}
    assert parse(schema, {"people": ""}) == {}  # left empty: absent, the engine says 必填 if it is
    assert parse(schema, {}) == {}
    numbers = {"properties": {"n": {"type": "array", "items": {"type": "integer"}}}}
    assert parse(numbers, {"n": "3, 5、x"}) == {"n": [3, 5, "x"]}  # "x" left for the schema check


# -- a checkbox group left unticked -------------------------------------------------------------------


def at_scoring(engine: Engine) -> tuple[str, int]:
    """Walk the scenario to B-5 of the first unit's inspection: 吴十's scoring task URL and that case."""
    walk = Walk(engine)
    walk.start({**SCENARIO["start"], "process": "inspection_plan"})
    for step in SCENARIO["steps"]:
        if step.get("complete") == "B5_score":
            walk.move_clock(step["at"])
            break
        walk.act(step)
    walk.focus("unit_inspection#1")
    (task,) = [t for t in walk.ready() if t.bpmn_id == "B5_score"]
    return f"/tasks/{task.id}", walk.instance_id


def scores_posted() -> dict[str, str]:
    rows = next(s for s in SCENARIO["steps"] if s.get("complete") == "B5_score")["data"]["scores"]
    out = {}
    for i, row in enumerate(rows):
        for key, value in row.items():
            out[f"scores-{i}-{key}"] = str(value)
    return out


def test_an_unticked_group_posts_an_empty_list(as_user, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    url, instance_id = at_scoring(engine)
    lead = as_user("wushi")
    veto = field_html(lead.client.get(url).text, "veto_hits")
    assert '<input type="hidden" name="veto_hits__present" value="1">' in veto
    assert "<legend>一票否决事项</legend>" in veto  # no asterisk: ticking none is an answer
    refused = lead.post_form(url, scores_posted())  # no marker: the group was not on the page
    assert refused.status_code == 400 and 'id="err-veto_hits"' in refused.text
    response = lead.post_form(url, {**scores_posted(), "veto_hits__present": "1"})
    assert response.status_code == 303, field_html(response.text, "veto_hits")
    supervisor = engine.actor_by_name("zhangsan")
    assert supervisor is not None
    data = engine.instance(supervisor, instance_id).data
    assert data["veto_hits"] == [] and data["grade"] == "一般"


def test_parse_of_checkbox_groups_with_and_without_the_marker() -> None:
    schema = {
        "properties": {
            "hits": {"type": "array", "items": {"type": "string", "enum": ["V1", "V2"]}},
            "rows": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "note": {"type": "string"},
                        "flags": {"type": "array", "items": {"type": "string", "enum": ["A", "B"]}},
                    },
                },
            },
        }
    }
    assert parse(schema, {}) == {}
    assert parse(schema, {"hits__present": "1"}) == {"hits": []}
    assert parse(schema, {"hits__present": "1", "hits": ["V1", "V2"]}) == {"hits": ["V1", "V2"]}
    table = {
        "rows-0-note": "x",
        "rows-0-flags__present": "1",
        "rows-1-note": "",
        "rows-1-flags__present": "1",
    }
    assert parse(schema, table) == {
        "rows": [{"note": "x", "flags": []}]
    }  # an unticked cell leaves a row empty
    (hits, _rows) = fields_of(schema, {}, {"hits": "V1"}, {})  # one box of a post kept as typed
    assert hits.value == ["V1"]


def test_a_whole_number_typed_stays_an_int() -> None:
    schema = {"properties": {"score": {"type": "number"}, "year": {"type": "integer"}}}
    assert parse(schema, {"score": "15", "year": "2026"}) == {"score": 15, "year": 2026}
    assert parse(schema, {"score": "12.5"}) == {"score": 12.5}
    assert parse(schema, {"score": "十五"}) == {"score": "十五"}  # left for the schema check to name
