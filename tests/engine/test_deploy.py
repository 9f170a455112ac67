"""Deploying workflow folders: bad files are refused with a message naming file and line or element,
nothing is stored, and the version already deployed keeps working (RELIABILITY F8, F12–F15, F19)."""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime
from itertools import count
from pathlib import Path

import pytest
from sqlalchemy import select

from engine import CHINA_TZ, DeployRejected, Engine
from engine.db.models import ProcessVersion
from tests.conftest import FIXTURES, build_engine, make_workflows_dir
from tests.engine.test_interventions import START

MINI = FIXTURES / "mini"
BAD = FIXTURES / "bad"
_case_numbers = count(1)


def start_data() -> dict[str, str]:
    return {
        "case_no": f"M-{next(_case_numbers) % 1000:03d}",
        "subject_name": "冯乙",
        "subject_unit": "SJJ",
        "handling_office": "JC1",
        "subject_user": "fengyi",
    }


def copy_of_mini(tmp_path: Path, relative: str = "upload/mini") -> Path:
    folder = tmp_path / relative
    shutil.copytree(MINI, folder, copy_function=shutil.copyfile)
    return folder


def edit(folder: Path, filename: str, old: str, new: str) -> str:
    """Replace `old` (which must occur) by `new` in one file of the folder; returns the new text."""
    path = folder / filename
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture changed: {old!r} not in {filename}"
    text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return text


def line_of(text: str, fragment: str, start: int = 0) -> int:
    return text[: text.index(fragment, start)].count("\n") + 1


def stored_versions(engine: Engine) -> list[tuple[str, int, str]]:
    with engine.ctx.db.reading() as session:
        rows = session.execute(
            select(ProcessVersion.process_id, ProcessVersion.version, ProcessVersion.sha256)
        )
        return sorted(tuple(r) for r in rows)  # type: ignore[misc]


def assert_refused(engine: Engine, folder: Path, *fragments: str) -> str:
    """Deploy must raise DeployRejected naming every fragment and store nothing; returns the message."""
    before = stored_versions(engine)
    with pytest.raises(DeployRejected) as refused:
        engine.deploy(folder)
    message = str(refused.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} missing from: {message}"
    assert stored_versions(engine) == before
    return message


def assert_version_1_still_starts(engine: Engine, actor) -> None:  # type: ignore[no-untyped-def]
    starter = actor("zhaoliu")
    instance_id = engine.start(starter, "mini", start_data())
    assert engine.instance(starter, instance_id).version == 1
    assert [t.title for t in engine.inbox(actor("qianqi"))] == ["送达函询"]


# --- hostile or broken XML (the corpus in tests/fixtures/bad/) --------------------------------------


@pytest.mark.parametrize(
    ("corpus_file", "line"),
    [
        ("syntax_error.bpmn", 5),
        ("internal_entity.bpmn", 2),
        ("xxe_file.bpmn", 2),
        ("xxe_parameter.bpmn", 2),
        ("xxe_external_dtd.bpmn", 2),
        ("billion_laughs.bpmn", 2),
        ("xxe.dmn", 2),
    ],
)
def test_hostile_or_broken_xml_is_refused_naming_file_and_line(
    mini_engine: Engine, tmp_path: Path, corpus_file: str, line: int
) -> None:
    folder = copy_of_mini(tmp_path)
    shutil.copy(BAD / corpus_file, folder / corpus_file)
    assert_refused(mini_engine, folder, f"文件 {corpus_file}", f"第 {line} 行")


@pytest.mark.parametrize("corpus_file", ["xxe_file.bpmn", "xxe_parameter.bpmn", "xxe.dmn"])
def test_external_entity_never_leaks_the_file_it_names(
    mini_engine: Engine, tmp_path: Path, corpus_file: str, actor
) -> None:
    folder = copy_of_mini(tmp_path)
    shutil.copy(BAD / corpus_file, folder / corpus_file)
    message = assert_refused(mini_engine, folder, corpus_file)
    assert_version_1_still_starts(mini_engine, actor)
    secret_lines = [ln for ln in Path("/etc/passwd").read_text().splitlines() if len(ln) > 8]
    assert secret_lines, "the test needs a readable /etc/passwd"
    assert not any(ln in message for ln in secret_lines)
    assert "root:" not in message


def test_doctype_after_a_long_comment_is_still_refused(mini_engine: Engine, tmp_path: Path) -> None:
    folder = copy_of_mini(tmp_path)
    header = '<?xml version="1.0" encoding="UTF-8"?>\n'
    padding = "<!-- " + "填充" * 3000 + " -->\n"
    edit(
        folder,
        "process.bpmn",
        header,
        header + padding + '<!DOCTYPE bpmn:definitions SYSTEM "file:///etc/passwd">\n',
    )
    assert_refused(mini_engine, folder, "文件 process.bpmn", "第 3 行", "DOCTYPE")


def test_xml_syntax_error_names_file_and_line(mini_engine: Engine, tmp_path: Path) -> None:
    folder = copy_of_mini(tmp_path)
    text = edit(folder, "decision.dmn", '<rule id="r2">', '<rule id="r2"><oops>')
    where_noticed = line_of(text, "</rule>", text.index("<oops>"))  # libxml2 reports the mismatched end tag
    assert_refused(mini_engine, folder, "文件 decision.dmn", f"第 {where_noticed} 行", "oops")


def test_file_larger_than_the_limit_is_refused_before_parsing(mini_engine: Engine, tmp_path: Path) -> None:
    folder = copy_of_mini(tmp_path)
    edit(
        folder,
        "process.bpmn",
        "</bpmn:definitions>",
        "<!-- " + "x" * (10 * 1024 * 1024) + " -->\n</bpmn:definitions>",
    )
    assert_refused(mini_engine, folder, "文件 process.bpmn", "过大")


def test_too_many_elements_are_refused(mini_engine: Engine, tmp_path: Path) -> None:
    folder = copy_of_mini(tmp_path)
    many = "<bpmn:documentation>x</bpmn:documentation>" * 50_001
    edit(
        folder,
        "process.bpmn",
        '<bpmn:process id="mini" name="小流程" isExecutable="true">',
        f'<bpmn:process id="mini" name="小流程" isExecutable="true">{many}',
    )
    assert_refused(mini_engine, folder, "文件 process.bpmn", "元素过多")


def test_non_utf8_file_is_refused_with_a_message(mini_engine: Engine, tmp_path: Path) -> None:
    folder = copy_of_mini(tmp_path)
    path = folder / "process.bpmn"
    text = path.read_text(encoding="utf-8").replace('encoding="UTF-8"', 'encoding="GBK"', 1)
    path.write_bytes(text.encode("gbk"))
    assert_refused(mini_engine, folder, "文件 process.bpmn", "UTF-8")


# --- BPMN structure (parser with XSD validation) -----------------------------------------------------


def test_sequence_flow_to_a_missing_target_is_refused(mini_engine: Engine, tmp_path: Path) -> None:
    folder = copy_of_mini(tmp_path)
    edit(
        folder, "process.bpmn", 'sourceRef="serve" targetRef="calc"', 'sourceRef="serve" targetRef="nowhere"'
    )
    assert_refused(mini_engine, folder, "文件 process.bpmn", "nowhere")


def test_duplicate_id_is_refused_naming_the_line(mini_engine: Engine, actor, tmp_path: Path) -> None:
    folder = copy_of_mini(tmp_path)
    text = edit(folder, "process.bpmn", '<bpmn:endEvent id="end_late"', '<bpmn:endEvent id="end_ok"')
    line = line_of(text, 'id="end_ok"', text.index('id="end_ok"') + 1)  # the second one is the duplicate
    assert_refused(mini_engine, folder, "文件 process.bpmn", f"第 {line} 行", "end_ok")
    assert_version_1_still_starts(mini_engine, actor)


def test_unknown_element_is_refused_by_the_xsd(mini_engine: Engine, tmp_path: Path) -> None:
    folder = copy_of_mini(tmp_path)
    text = edit(
        folder,
        "process.bpmn",
        "<bpmn:incoming>f_le</bpmn:incoming>",
        "<bpmn:incoming>f_le</bpmn:incoming><bpmn:frobnicate />",
    )
    assert_refused(
        mini_engine, folder, "文件 process.bpmn", f"第 {line_of(text, 'frobnicate')} 行", "frobnicate"
    )


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


def test_one_bad_folder_refuses_the_whole_workflows_deploy(
    mini_engine: Engine, tmp_path: Path, actor
) -> None:
    good = copy_of_mini(tmp_path, "all/a_changed")  # alone, it would become version 2
    edit(good, "process.bpmn", 'name="送达函询"', 'name="送达回执登记"')
    bad = copy_of_mini(tmp_path, "all/z_bad")
    edit(bad, "process.bpmn", "late_at = end_of(reply_due)", "import os")
    assert_refused(mini_engine, tmp_path / "all", "import")
    assert_version_1_still_starts(mini_engine, actor)


# --- versions -----------------------------------------------------------------------------------------


def test_redeploying_the_same_content_keeps_the_version(mini_engine: Engine, tmp_path: Path) -> None:
    before = stored_versions(mini_engine)
    results = mini_engine.deploy(copy_of_mini(tmp_path))
    assert [(r.process_id, r.version, r.created) for r in results] == [("mini", 1, False)]
    assert stored_versions(mini_engine) == before


def test_changed_file_makes_version_2_and_running_instances_stay_on_version_1(
    mini_engine: Engine, actor, tmp_path: Path
) -> None:
    starter, officer, subject = actor("zhaoliu"), actor("qianqi"), actor("fengyi")
    old_id = mini_engine.start(starter, "mini", start_data())
    old_tasks = mini_engine.instance(starter, old_id).ready_tasks

    folder = copy_of_mini(tmp_path)
    edit(folder, "process.bpmn", 'name="送达函询"', 'name="送达回执登记"')
    edit(folder, "process.bpmn", "add_working_days(served_at, reply_days)", "add_working_days(served_at, 5)")
    results = mini_engine.deploy(folder)
    assert [(r.version, r.created) for r in results] == [(2, True)]
    assert [v[1] for v in stored_versions(mini_engine)] == [1, 2]

    assert mini_engine.instance(starter, old_id).ready_tasks == old_tasks
    new_id = mini_engine.start(starter, "mini", start_data())
    assert mini_engine.instance(starter, old_id).version == 1
    assert mini_engine.instance(starter, new_id).version == 2
    titles = {t.instance_id: t.title for t in mini_engine.inbox(officer)}
    assert titles == {old_id: "送达函询", new_id: "送达回执登记"}

    for task in mini_engine.inbox(officer):
        mini_engine.complete(officer, task.id, {"served_at": "2025-09-01"})
    due = {t.instance_id: t.due_date for t in mini_engine.inbox(subject)}
    calendar = mini_engine.calendar
    assert due == {
        old_id: calendar.add_working_days(date(2025, 9, 1), 15).due,  # v1: reply_days from process.toml
        new_id: calendar.add_working_days(date(2025, 9, 1), 5).due,  # v2: the changed script
    }


def test_a_changed_setting_reaches_new_instances_without_a_code_change(
    mini_engine: Engine, actor, tmp_path: Path
) -> None:
    starter, officer, subject = actor("zhaoliu"), actor("qianqi"), actor("fengyi")
    old_id = mini_engine.start(starter, "mini", start_data())
    folder = copy_of_mini(tmp_path)
    edit(folder, "process.toml", "reply_days = 15", "reply_days = 10")
    assert [(r.version, r.created) for r in mini_engine.deploy(folder)] == [(2, True)]
    new_id = mini_engine.start(starter, "mini", start_data())
    for task in mini_engine.inbox(officer):
        mini_engine.complete(officer, task.id, {"served_at": "2025-09-01"})
    due = {t.instance_id: t.due_date for t in mini_engine.inbox(subject)}
    calendar = mini_engine.calendar
    assert due == {
        old_id: calendar.add_working_days(date(2025, 9, 1), 15).due,
        new_id: calendar.add_working_days(date(2025, 9, 1), 10).due,
    }


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


def test_step_days_give_a_step_its_deadline_in_working_days_from_its_opening(tmp_path: Path) -> None:
    folder = copy_of_mini(tmp_path, "src/mini")
    edit(folder, "process.toml", 'serve = "测试流程，不设期限"\n', "")
    edit(folder, "process.toml", "[settings]", "[step_days]\nserve = 3\n\n[settings]")
    engine = build_engine(tmp_path, make_workflows_dir(tmp_path, folder))
    try:
        engine.clock.set(datetime(2025, 9, 30, 9, 0, tzinfo=CHINA_TZ))  # type: ignore[attr-defined]
        case = engine.start(engine.actor_by_name("zhaoliu"), "mini", START)  # type: ignore[arg-type]
        (serve,) = [t for t in engine.inbox(engine.actor_by_name("qianqi")) if t.instance_id == case]  # type: ignore[arg-type]
        assert serve.due_date == date(2025, 10, 11)  # 10-09, 10-10 and the Saturday worked after 国庆
    finally:
        engine.close()


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
