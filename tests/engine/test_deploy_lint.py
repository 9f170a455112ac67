"""Deploying workflow folders, the lint: a lane without a role, missing or bad forms and form rules, unsafe
scripts, conditions and decision cells, unquoted timer literals, loops, steps without a deadline or with
badly written instructions are refused with a message naming the element, and nothing is stored."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from engine import Engine
from tests.conftest import FIXTURES
from tests.engine.deploy_helpers import assert_refused, assert_version_1_still_starts, copy_of_mini, edit

# --- lint: lanes, forms -------------------------------------------------------------------------------


def test_user_task_in_a_lane_without_role_is_refused(mini_engine: Engine, actor, tmp_path: Path) -> None:
    folder = copy_of_mini(tmp_path)
    edit(
        folder,
        "process.bpmn",
        '<bpmn:lane id="lane_fg" name="分管副书记">',
        '<bpmn:lane id="lane_fg" name="不存在的室">',
    )
    assert_refused(mini_engine, folder, "元素 escalate", "不存在的室", "roles.toml")
    assert_version_1_still_starts(mini_engine, actor)


def test_user_task_without_form_is_refused(mini_engine: Engine, tmp_path: Path) -> None:
    folder = copy_of_mini(tmp_path)
    edit(
        folder,
        "process.bpmn",
        '<spiffworkflow:property name="formJsonSchemaFilename" value="escalate.schema.json" />',
        "",
    )
    assert_refused(mini_engine, folder, "元素 escalate", "formJsonSchemaFilename")


def test_user_task_whose_form_file_is_missing_is_refused(mini_engine: Engine, tmp_path: Path) -> None:
    folder = copy_of_mini(tmp_path)
    edit(folder, "process.bpmn", 'value="escalate.schema.json"', 'value="missing.schema.json"')
    assert_refused(mini_engine, folder, "元素 escalate", "forms/missing.schema.json")


def test_form_that_is_not_valid_json_schema_is_refused(mini_engine: Engine, tmp_path: Path) -> None:
    folder = copy_of_mini(tmp_path)
    edit(folder, "forms/escalate.schema.json", '"type": "string"', '"type": "strung"')
    message = assert_refused(
        mini_engine, folder, "forms/escalate.schema.json", "strung", "properties.escalation"
    )
    assert "metaschema" not in message  # the field and the problem, not jsonschema's internals


def test_form_that_is_not_json_is_refused_with_its_line(mini_engine: Engine, tmp_path: Path) -> None:
    folder = copy_of_mini(tmp_path)
    edit(folder, "forms/escalate.schema.json", '"required": ["escalation"],', '"required": ["escalation"]')
    assert_refused(mini_engine, folder, "forms/escalate.schema.json", "line 2")


def test_form_with_a_typename_field_is_refused(mini_engine: Engine, tmp_path: Path) -> None:
    folder = copy_of_mini(tmp_path)
    edit(
        folder,
        "forms/escalate.schema.json",
        '"properties": {',
        '"properties": {"typename": {"type": "string", "title": "类型"}, ',
    )
    assert_refused(mini_engine, folder, "forms/escalate.schema.json", "typename")


def test_form_field_named_like_a_script_helper_is_refused(mini_engine: Engine, tmp_path: Path) -> None:
    # Such a field would make every later script of the instance fail ("task data shadows the helpers").
    folder = copy_of_mini(tmp_path)
    edit(
        folder,
        "forms/serve.schema.json",
        '"properties": {',
        '"properties": {"today": {"type": "string", "title": "今天"}, ',
    )
    assert_refused(mini_engine, folder, "forms/serve.schema.json", "today")


# --- lint: scripts, conditions, timers, loops, decisions ----------------------------------------------


@pytest.mark.parametrize(
    ("script", "fragments"),
    [
        ("late_at = end_of(reply_due", ("Line 3", "SyntaxError")),
        ("import os\nlate_at = end_of(reply_due)", ("Line 3", "import")),
        ("from os import path\nlate_at = end_of(reply_due)", ("Line 3", "import")),
        ("late_at = end_of(reply_due).__class__", ("Line 3", "__class__")),
        ("late_at = ().__class__.__mro__[1].__subclasses__()", ("Line 3", "__subclasses__")),
        ("late_at = __import__('os')", ("Line 3", "__import__")),
        ("late_at = eval('1')", ("Line 3", "Eval")),
        ("today = end_of(reply_due)", ("Line 3", "today")),
    ],
)
def test_bad_script_is_refused_at_deploy(
    mini_engine: Engine, tmp_path: Path, script: str, fragments: tuple[str, ...], actor
) -> None:
    folder = copy_of_mini(tmp_path)
    edit(folder, "process.bpmn", "late_at = end_of(reply_due)", script)
    assert_refused(mini_engine, folder, "元素 calc", *fragments)
    assert_version_1_still_starts(mini_engine, actor)


def test_forbidden_condition_is_refused_at_deploy(mini_engine: Engine, tmp_path: Path) -> None:
    folder = copy_of_mini(tmp_path)
    edit(
        folder,
        "process.bpmn",
        "<bpmn:outgoing>f6</bpmn:outgoing>",
        "<bpmn:outgoing>f6</bpmn:outgoing><bpmn:outgoing>f7</bpmn:outgoing>",
    )
    edit(
        folder,
        "process.bpmn",
        "<bpmn:incoming>f_le</bpmn:incoming>",
        "<bpmn:incoming>f_le</bpmn:incoming><bpmn:incoming>f7</bpmn:incoming>",
    )
    edit(
        folder,
        "process.bpmn",
        '<bpmn:sequenceFlow id="f6"',
        '<bpmn:sequenceFlow id="f7" sourceRef="gw" targetRef="end_late">'
        "<bpmn:conditionExpression>finding.__class__ is str</bpmn:conditionExpression></bpmn:sequenceFlow>"
        '<bpmn:sequenceFlow id="f6"',
    )
    assert_refused(mini_engine, folder, "元素 gw", "__class__")


@pytest.mark.parametrize(
    ("timer", "literal"),
    [
        ("<bpmn:timeDuration>PT1S</bpmn:timeDuration>", "PT1S"),
        ("<bpmn:timeCycle>R3/PT1H</bpmn:timeCycle>", "R3/PT1H"),
        ("<bpmn:timeDate>2025-10-10</bpmn:timeDate>", "2025-10-10"),  # Python reads 2025 - 10 - 10 == 2005
    ],
)
def test_unquoted_timer_literal_is_refused(
    mini_engine: Engine, tmp_path: Path, timer: str, literal: str
) -> None:
    folder = copy_of_mini(tmp_path)
    edit(folder, "process.bpmn", "<bpmn:timeDate>remind_at</bpmn:timeDate>", timer)
    assert_refused(mini_engine, folder, "元素 reply_remind", f'"{literal}"')


def test_quoted_timer_literal_is_accepted(mini_engine: Engine, tmp_path: Path) -> None:
    folder = copy_of_mini(tmp_path)
    edit(
        folder,
        "process.bpmn",
        "<bpmn:timeDate>remind_at</bpmn:timeDate>",
        '<bpmn:timeDuration>"PT1S"</bpmn:timeDuration>',
    )
    assert [r.version for r in mini_engine.deploy(folder)] == [2]


def test_gateway_back_edge_loop_is_refused(mini_engine: Engine, tmp_path: Path) -> None:
    folder = copy_of_mini(tmp_path)
    edit(
        folder,
        "process.bpmn",
        "<bpmn:outgoing>f6</bpmn:outgoing>",
        "<bpmn:outgoing>f6</bpmn:outgoing><bpmn:outgoing>f_back</bpmn:outgoing>",
    )
    edit(
        folder,
        "process.bpmn",
        "<bpmn:incoming>f1</bpmn:incoming>",
        "<bpmn:incoming>f1</bpmn:incoming><bpmn:incoming>f_back</bpmn:incoming>",
    )
    edit(
        folder,
        "process.bpmn",
        '<bpmn:sequenceFlow id="f6"',
        '<bpmn:sequenceFlow id="f_back" sourceRef="gw" targetRef="serve">'
        '<bpmn:conditionExpression>finding == "R3"</bpmn:conditionExpression></bpmn:sequenceFlow>'
        '<bpmn:sequenceFlow id="f6"',
    )
    assert_refused(mini_engine, folder, "流程 mini", "回路", "gw → serve")


def test_decision_table_without_catch_all_last_rule_is_refused(
    mini_engine: Engine, tmp_path: Path, actor
) -> None:
    folder = copy_of_mini(tmp_path)
    edit(
        folder,
        "decision.dmn",
        '<inputEntry id="r2_i"><text>-</text>',
        '<inputEntry id="r2_i"><text>False</text>',
    )
    assert_refused(mini_engine, folder, "decision.dmn", "table_mini", "r2", "兜底")
    assert_version_1_still_starts(mini_engine, actor)


@pytest.mark.parametrize(
    ("old", "new", "cell"),
    [
        (
            '<outputEntry id="r2_o"><text>"R2"</text>',
            '<outputEntry id="r2_o"><text>().__class__</text>',
            "r2_o",
        ),
        (
            '<inputEntry id="r1_i"><text>True</text>',
            '<inputEntry id="r1_i"><text>? .__class__</text>',
            "r1_i",
        ),
        (
            '<inputEntry id="r1_i"><text>True</text>',
            '<inputEntry id="r1_i"><text>__import__("os")</text>',
            "r1_i",
        ),
    ],
)
def test_forbidden_decision_cell_is_refused_at_deploy(
    mini_engine: Engine, tmp_path: Path, old: str, new: str, cell: str
) -> None:
    folder = copy_of_mini(tmp_path)
    edit(folder, "decision.dmn", old, new)
    assert_refused(mini_engine, folder, "decision.dmn", cell)


# --- lint: form rules, subprocesses, documents, what a step shows, deadlines, instructions ----------


def test_a_bad_form_rule_is_refused_at_deploy(mini_engine: Engine, tmp_path: Path) -> None:
    folder = copy_of_mini(tmp_path)
    text = (folder / "forms" / "serve.schema.json").read_text("utf-8")
    schema = json.loads(text)
    schema["x-rules"] = [
        {"assert": "__import__('os')", "field": "served_at", "message": "坏规则"},
        {"assert": "True", "field": "no_such_field", "message": "指向不存在的字段"},
    ]
    (folder / "forms" / "serve.schema.json").write_text(json.dumps(schema, ensure_ascii=False), "utf-8")
    message = assert_refused(mini_engine, folder, "x-rules 指向不存在的字段 no_such_field")
    assert "规则" in message and "__import__" in message


def test_an_embedded_subprocess_in_a_lane_is_refused(mini_engine: Engine, tmp_path: Path) -> None:
    folder = tmp_path / "relay_source"
    shutil.copytree(FIXTURES / "relay_source", folder)
    lane_end = "        <bpmn:flowNodeRef>end</bpmn:flowNodeRef>"
    edit(folder, "process.bpmn", lane_end, lane_end + "\n        <bpmn:flowNodeRef>each</bpmn:flowNodeRef>")
    assert_refused(mini_engine, folder, "元素 each", "嵌入式子流程不能放在泳道")


def test_a_script_issuing_an_unknown_document_kind_is_refused(mini_engine: Engine, tmp_path: Path) -> None:
    folder = tmp_path / "relay_target"
    shutil.copytree(FIXTURES / "relay_target", folder)
    edit(folder, "process.bpmn", 'issue_document("zgtz"', 'issue_document("no_such_letter"')
    assert_refused(mini_engine, folder, "文书类型：no_such_letter")


def test_a_form_showing_material_no_form_names_is_refused(mini_engine: Engine, tmp_path: Path) -> None:
    """`ui:shows` (what a step acts on, issue 10 #1) may only name fields some form or [labels] titles."""
    folder = copy_of_mini(tmp_path)
    edit(
        folder,
        "process.bpmn",
        '<spiffworkflow:property name="formJsonSchemaFilename" value="escalate.schema.json" />',
        '<spiffworkflow:property name="formJsonSchemaFilename" value="escalate.schema.json" />'
        '<spiffworkflow:property name="formUiSchemaFilename" value="escalate.uischema.json" />',
    )
    (folder / "forms" / "escalate.uischema.json").write_text('{"ui:shows": ["served_at", "proposal_text"]}')
    message = assert_refused(mini_engine, folder, "元素 escalate", "ui:shows", "proposal_text")
    assert "served_at" not in message  # a field of another form of the process is fine


def test_a_user_task_with_neither_a_deadline_nor_a_reason_is_refused(
    mini_engine: Engine, tmp_path: Path
) -> None:
    """Issue 10 #4: a dueDateVariable, working days in [step_days], or the reason in [undated]."""
    folder = copy_of_mini(tmp_path)
    edit(folder, "process.toml", 'serve = "测试流程，不设期限"\n', "")
    assert_refused(mini_engine, folder, "元素 serve（送达函询）", "没有办理期限", "[step_days]", "[undated]")
    edit(folder, "process.toml", "[settings]", "[step_days]\nserve = 0\n\n[settings]")
    assert_refused(mini_engine, folder, "[step_days]: serve 的工作日数应为正整数")


@pytest.mark.parametrize(
    ("written", "named"),
    [
        ("请记录 {{ case_no }} 的送达日期。。", "重复的标点“。。”"),
        ("请记录 {{ case_no 的送达日期", "办理说明的模板有误"),
    ],
)
def test_instructions_with_doubled_punctuation_or_a_broken_placeholder_are_refused(
    mini_engine: Engine, tmp_path: Path, written: str, named: str
) -> None:
    """Issue 10 #8: lint reads the instructions as a person would."""
    folder = copy_of_mini(tmp_path)
    edit(folder, "process.bpmn", "请记录 {{ case_no }} 的送达日期", written)
    assert_refused(mini_engine, folder, "元素 serve（送达函询）", named)
