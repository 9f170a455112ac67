"""Modelling rules the parser does not check (ARCHITECTURE.md `lint`, SPIFFWORKFLOW.md §1.3)."""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterable
from typing import Any

from jinja2 import TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from . import labels, spiff
from .roles import RoleBook
from .scripting import HELPERS

# Timer expressions are Python: an ISO duration or date must be a quoted string. `PT1S` is a name
# error at run time, and `2025-10-10` silently evaluates to the number 2005.
_UNQUOTED_TIMER_LITERAL = re.compile(r"^(R?\d*/?P(T?\d|\d)|\d{4}-\d{2}-\d{2})")
_INSTRUCTIONS = SandboxedEnvironment()
# How SpiffWorkflow's DMN engine spots `?` (the input value) outside quotes in a rule's input entry.
_DMN_INPUT_MARK = re.compile(r"(\?)(?=(?:[^\'\"]|[\'\"][^\'\"]*[\'\"])*$)")


def lint_process(
    parsed: spiff.ParsedProcess, sources: dict[str, str], dmn_trees: dict[str, Any], roles: RoleBook
) -> list[str]:
    """Every problem found, each naming its file or element; empty when the process may be deployed."""
    problems: list[str] = []
    try:
        terms: dict[str, Any] | None = labels.glossary(sources)
    except json.JSONDecodeError:
        terms = None  # a form that is not JSON is reported on its own; ui:shows is checked once it is
    for fact in parsed.facts:
        problems += _lint_task(fact, sources, roles, terms)
    for process_id, flows in parsed.flows.items():
        cycle = _find_cycle(flows)
        if cycle:
            problems.append(
                f"流程 {process_id}: 顺序流构成回路 {' → '.join(cycle)}；请改用标准循环、多实例或调用活动"
                "（gateway back-edges stall SpiffWorkflow after ~250 iterations)"
            )
    for filename, tree in dmn_trees.items():
        problems += _lint_dmn(filename, tree)
    return problems


def _lint_task(
    fact: spiff.TaskSpecFacts, sources: dict[str, str], roles: RoleBook, terms: dict[str, Any] | None
) -> list[str]:
    where = f"流程 {fact.process_id} 元素 {fact.bpmn_id}（{fact.name}）"
    problems = []
    for source in fact.scripts:
        problems += _compile(where, "脚本", source, spiff.check_script)
    for source in fact.conditions:
        problems += _compile(where, "条件", source, spiff.check_expression)
    if fact.timer is not None:
        if _UNQUOTED_TIMER_LITERAL.match(fact.timer.strip()):
            problems.append(
                f'{where}: 定时器表达式 {fact.timer} 需加引号，如 "{fact.timer}"（timer literals are Python)'
            )
        else:
            problems += _compile(where, "定时器", fact.timer, spiff.check_expression)
    if fact.kind == "SubWorkflowTask" and fact.lane:  # SpiffWorkflow hands its lane to every inner task
        problems.append(f"{where}: 嵌入式子流程不能放在泳道 {fact.lane!r} 中（内部任务都会归入该泳道）")
    problems += _lint_instructions(where, fact.instructions)
    if fact.manual and fact.kind == "UserTask":
        if fact.lane not in roles.lanes:
            problems.append(f"{where}: 泳道 {fact.lane!r} 不是 roles.toml 中的角色泳道")
        problems += _lint_form(where, fact.properties.get("formJsonSchemaFilename"), sources)
        problems += _lint_shows(where, fact.properties.get("formUiSchemaFilename"), sources, terms)
    return problems


def _lint_shows(
    where: str, filename: str | None, sources: dict[str, str], terms: dict[str, Any]
) -> list[str]:
    """`ui:shows` (the material a step acts on) names fields some form or `[labels]` titles."""
    try:
        ui = json.loads(sources.get(f"forms/{filename}", "{}")) if filename else {}
    except json.JSONDecodeError:
        return []  # reported with the other files that are not JSON
    shows = ui.get("ui:shows", []) if isinstance(ui, dict) else []
    return [
        f"{where}: forms/{filename} 的 ui:shows 列出的 {name} 不是表单字段，也不在 process.toml [labels] 中"
        for name in shows
        if name not in terms
    ]


_TAG = re.compile(r"<[A-Za-z/!?][^>]*>?")
_DOUBLED = re.compile(r"([。，、；：！？])\1|[。，；][。，；]")


def _lint_instructions(where: str, text: str) -> list[str]:
    """Instructions read as a person writes (issue 10 #8): a Jinja template that compiles, with no
    doubled punctuation ("。。", "，。") in its own text (a value that ends with its own 。 is folded
    when the page renders: web/form_render.py) and no HTML of its own (officers' pages show it as written)."""
    if not text:
        return []
    try:
        _INSTRUCTIONS.parse(text)
    except TemplateSyntaxError as exc:
        return [f"{where}: 办理说明的模板有误（第{exc.lineno}行）：{exc.message}"]
    parts = re.split(r"{[{%#].*?[%}#]}", text)  # the designer's own words, without the template's
    doubled = next(filter(None, (_DOUBLED.search(part) for part in parts)), None)
    problems = [f"{where}: 办理说明有重复的标点“{doubled.group(0)}”"] if doubled else []
    tag = next(filter(None, (_TAG.search(part) for part in parts)), None)
    if tag:  # shown on officers' pages as written: no links, forms or refreshes of a designer's making
        problems.append(f"{where}: 办理说明不能含 HTML 标记“{tag.group(0)}”，请只写文字")
    return problems


def _compile(where: str, what: str, source: str, check: Any) -> list[str]:
    try:
        check(source)
    except (SyntaxError, PermissionError) as exc:
        return [f"{where}: {what}无法编译：{exc}"]
    return []


def _lint_form(where: str, filename: str | None, sources: dict[str, str]) -> list[str]:
    if not filename:
        return [f"{where}: 用户任务缺少表单（formJsonSchemaFilename）"]
    text = sources.get(f"forms/{filename}")
    if text is None:
        return [f"{where}: 表单文件 forms/{filename} 不存在"]
    return lint_form_schema(f"forms/{filename}", text)


def lint_form_schema(name: str, text: str) -> list[str]:
    """A form must be valid JSON Schema with flat, named, typename-free properties."""
    try:
        schema = json.loads(text)
        Draft202012Validator.check_schema(schema)
    except json.JSONDecodeError as exc:
        return [f"表单 {name}: 不是有效的 JSON Schema：{exc}"]
    except SchemaError as exc:
        return [f"表单 {name}: 不是有效的 JSON Schema：{exc.json_path}: {exc.message}"]
    props = schema.get("properties", {})
    problems = []
    if schema.get("type") != "object":
        problems.append(f"表单 {name}: 顶层类型必须为 object")
    if "typename" in props:
        problems.append(f"表单 {name}: 字段名 typename 会损坏流程数据（SPIFFWORKFLOW.md §8）")
    clash = sorted(set(props) & set(HELPERS))
    if clash:
        problems.append(f"表单 {name}: 字段名 {clash} 与脚本辅助函数同名，脚本将无法运行，请改名")
    problems += [f"表单 {name}: 字段 {k} 缺少中文标题 title" for k, v in props.items() if not v.get("title")]
    problems += [
        f'表单 {name}: 字段 {k} 的 x-case 应为 {{"process": "流程标识"}}（可加 "concluded": true）'
        for k, v in props.items()
        if "x-case" in v
        and not (isinstance(v["x-case"], dict) and isinstance(v["x-case"].get("process"), str))
    ]
    for rule in schema.get("x-rules", []):
        if not isinstance(rule, dict) or not rule.get("assert") or not rule.get("message"):
            problems.append(f"表单 {name}: x-rules 的每一项需要 assert 与 message")
            continue
        if rule.get("field", "_") not in {*props, "_"}:
            problems.append(f"表单 {name}: x-rules 指向不存在的字段 {rule.get('field')}")
        problems += _compile(f"表单 {name}", "规则", str(rule["assert"]), spiff.check_expression)
    return problems


def _is_case_rule(rule: Any) -> bool:
    return isinstance(rule, dict) and isinstance(rule.get("process"), str)


def _find_cycle(flows: dict[str, list[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in flows.get(node, []):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for start in flows:
        if start not in state:
            found = visit(start)
            if found:
                return found
    return None


def _lint_dmn(filename: str, tree: Any) -> list[str]:
    """Every cell compiles under RestrictedPython (as SpiffWorkflow runs it); the last rule catches all."""
    problems = []
    for table in tree.getroot().iter("{*}decisionTable"):
        inputs = [i.findtext("{*}inputExpression/{*}text") or "" for i in table.findall("{*}input")]
        where = f"决策表 {filename} 元素 {table.get('id')}"
        for number, expression in enumerate(inputs):
            bad = _compile(where, "输入表达式", expression, spiff.check_expression)
            problems += bad
            inputs[number] = "None" if bad else expression  # reported once, not again in every rule
        rules = table.findall("{*}rule")
        for rule in rules:
            problems += _lint_rule(f"决策表 {filename} 规则 {rule.get('id')}", rule, inputs)
        if not rules or not _is_catch_all(rules[-1].findall("{*}inputEntry/{*}text")):
            last = f" {rules[-1].get('id')} " if rules else ""
            problems.append(f"{where}: 最后一条规则{last}必须是兜底规则（所有输入为 -）")
    return problems


def _lint_rule(where: str, rule: Any, inputs: list[str]) -> list[str]:
    problems = []
    for index, entry in enumerate(rule.findall("{*}inputEntry")):
        text = entry.findtext("{*}text")
        if text and text != "-":
            test = _dmn_input_test(inputs[index] if index < len(inputs) else "", text)
            problems += _compile(
                f"{where} 单元格 {entry.get('id')}", "输入条件", test, spiff.check_expression
            )
    for entry in rule.findall("{*}outputEntry"):
        text = entry.findtext("{*}text")
        if text:
            problems += _compile(f"{where} 单元格 {entry.get('id')}", "输出", text, spiff.check_expression)
    return problems


def _dmn_input_test(input_expression: str, text: str) -> str:
    """The expression SpiffWorkflow's DMNEngine.evaluate builds from an input entry."""
    test = _DMN_INPUT_MARK.sub("dmninputexpr", text)
    if "dmninputexpr" in test:
        return test
    try:
        ast.parse(test)
    except SyntaxError:
        return input_expression + test
    return f"({input_expression}) == ({test})"


def _is_catch_all(entries: Iterable[Any]) -> bool:
    return all((e.text or "").strip() in ("", "-") for e in entries)
