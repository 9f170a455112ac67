"""Form schemas of a process version, and server-side validation of what officers submit."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from .errors import InvalidSubmission
from .records import Actor

_FORMATS = FormatChecker()


@_FORMATS.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    return not isinstance(value, str) or bool(date.fromisoformat(value))


@_FORMATS.checks("date-time", raises=ValueError)
def _is_datetime(value: object) -> bool:
    return not isinstance(value, str) or bool(datetime.fromisoformat(value))


@dataclass(frozen=True)
class Form:
    name: str
    schema: dict[str, Any]
    ui: dict[str, Any]

    @property
    def fields(self) -> dict[str, dict[str, Any]]:
        return self.schema.get("properties", {})

    @cached_property
    def validator(self) -> Draft202012Validator:
        return Draft202012Validator(self.schema, format_checker=_FORMATS)


def load_form(sources: dict[str, str], name: str) -> Form:
    """The form `name` (its schema file name, with or without `.schema.json`) of a version's sources."""
    base = name.removesuffix(".json").removesuffix(".schema")
    schema = json.loads(sources[f"forms/{base}.schema.json"])
    ui_text = sources.get(f"forms/{base}.uischema.json")
    return Form(base, schema, json.loads(ui_text) if ui_text else {})


@dataclass(frozen=True)
class FormContext:
    """What field checks beyond JSON Schema need to know."""

    find_user: Callable[[str], Actor | None]
    is_recused: Callable[[str, str], bool]
    attachment_known: Callable[[str], bool]
    data: dict[str, Any]
    check_rule: Callable[[str, dict[str, Any]], bool] | None = None  # x-rules, evaluated in the sandbox
    withdrew: Callable[[str], bool] = lambda _username: False  # decided 回避 from this case
    today: date | None = None  # for `x-past` dates (China's calendar day)
    login_of: Callable[[str], str | None] = lambda _text: None  # a person's login from his name
    case_status: Callable[[str, str], str | None] = lambda _process, _key: None  # `x-case` fields


_MESSAGES: dict[str, Callable[[ValidationError], str]] = {
    "required": lambda e: "此项为必填项",
    "type": lambda e: "填写的格式不正确",
    "enum": lambda e: "请从给定选项中选择",
    "const": lambda e: "请从给定选项中选择",
    "oneOf": lambda e: "请从给定选项中选择",
    "pattern": lambda e: "格式不符合要求",
    "maxLength": lambda e: f"不能超过 {e.validator_value} 个字",
    "minLength": lambda e: "此项为必填项" if e.validator_value == 1 else f"至少 {e.validator_value} 个字",
    "minimum": lambda e: f"不能小于 {e.validator_value}",
    "maximum": lambda e: f"不能大于 {e.validator_value}",
    "minItems": lambda e: f"至少需要 {e.validator_value} 项",
    "maxItems": lambda e: f"最多 {e.validator_value} 项",
    "uniqueItems": lambda e: "不能重复",
    "format": lambda e: {"date": "请填写有效日期（YYYY-MM-DD）", "date-time": "请填写有效的日期时间"}.get(
        e.validator_value, "格式不正确"
    ),
}


TEXT_LIMIT = 20_000  # characters of a text whose field sets no maxLength (a 公文 runs to a few thousand)


def validate(form: Form, data: dict[str, Any], ctx: FormContext) -> dict[str, Any]:
    """The submission, checked against the form; InvalidSubmission maps each bad field to a message."""
    if not isinstance(data, dict):
        raise InvalidSubmission({"_": "提交的数据必须是对象"})
    errors = {k: "不允许的字段（unknown field）" for k in data if k == "typename" or k not in form.fields}
    if errors:
        raise InvalidSubmission(errors)
    data = _logins(form, data, ctx)
    for err in form.validator.iter_errors(data):
        field = _field_of(err)
        errors.setdefault(field, _MESSAGES.get(err.validator, lambda e: "填写有误")(err))
    for name, spec in form.fields.items():
        if name in data and name not in errors:
            message = _overlong(spec, data[name]) or _custom_check(
                spec, data[name], {**ctx.data, **data}, ctx
            )
            if message:
                errors[name] = message
    if not errors:
        errors = _broken_rules(form, {**dict.fromkeys(form.fields), **ctx.data, **data}, ctx)
    if errors:
        raise InvalidSubmission(errors)
    return {**data, **_display_names(form, data, ctx)}


def _overlong(spec: dict[str, Any], value: Any) -> str | None:
    """A text longer than its field allows: its `maxLength`, else TEXT_LIMIT (in a table, per cell)."""
    if isinstance(value, str):
        limit = int(spec.get("maxLength", TEXT_LIMIT))
        return f"不能超过 {limit} 个字" if len(value) > limit else None
    items = spec.get("items") if isinstance(spec.get("items"), dict) else {}
    for item in value if isinstance(value, list) else ():
        cells = item.items() if isinstance(item, dict) else [("", item)]
        for key, cell in cells:
            message = _overlong(items.get("properties", {}).get(key, {}) if key else items, cell)
            if message:
                return message
    return None


def _logins(form: Form, data: dict[str, Any], ctx: FormContext) -> dict[str, Any]:
    """Person fields typed by name (钱七) hold the person's login (qianqi) when the name is unique."""
    out = dict(data)
    for name, spec in form.fields.items():
        value = out.get(name)
        items = spec.get("items", {}) if isinstance(spec.get("items"), dict) else {}
        if spec.get("format") == "username" and isinstance(value, str):
            out[name] = ctx.login_of(value) or value
        elif items.get("format") == "username" and isinstance(value, list):
            out[name] = [ctx.login_of(v) or v if isinstance(v, str) else v for v in value]
        elif items.get("type") == "object" and isinstance(value, list):
            columns = {k for k, c in items.get("properties", {}).items() if c.get("format") == "username"}
            out[name] = [
                {
                    k: (ctx.login_of(v) or v) if k in columns and isinstance(v, str) else v
                    for k, v in row.items()
                }
                if isinstance(row, dict)
                else row
                for row in value
            ]
    return out


def _display_names(form: Form, data: dict[str, Any], ctx: FormContext) -> dict[str, Any]:
    """`<field>_name` (or `_names`) beside every person field, `<field>_<column>_names` beside a table's
    person column (one name per row): documents and pages show names, not logins."""
    names: dict[str, Any] = {}
    for name, spec in form.fields.items():
        value = data.get(name)
        if spec.get("format") == "username" and isinstance(value, str):
            names[f"{name}_name"] = _display_name(value, ctx)
        elif spec.get("items", {}).get("format") == "username" and isinstance(value, list):
            names[f"{name}_names"] = [_display_name(str(v), ctx) for v in value]
        elif spec.get("items", {}).get("type") == "object" and isinstance(value, list):
            columns = spec["items"].get("properties", {})
            for column in (k for k, c in columns.items() if c.get("format") == "username"):
                rows = [row.get(column) if isinstance(row, dict) else None for row in value]
                names[f"{name}_{column}_names"] = [_display_name(str(v), ctx) if v else "" for v in rows]
    return names


def _display_name(username: str, ctx: FormContext) -> str:
    person = ctx.find_user(username)
    return person.display_name if person else username


def _broken_rules(form: Form, merged: dict[str, Any], ctx: FormContext) -> dict[str, str]:
    """The form's `x-rules` whose assertion is false, as field → message (the first per field); a
    field left empty is None to them."""
    errors: dict[str, str] = {}
    if ctx.check_rule is None:
        return errors
    for rule in form.schema.get("x-rules", []):
        field = str(rule.get("field", "_"))
        if field not in errors and not ctx.check_rule(str(rule["assert"]), merged):
            errors[field] = str(rule.get("message", "填写内容不符合规则"))
    return errors


def _field_of(err: ValidationError) -> str:
    if err.validator == "required":
        return str(err.message.split("'")[1])
    return str(err.absolute_path[0]) if err.absolute_path else "_"


def _custom_check(spec: dict[str, Any], value: Any, merged: dict[str, Any], ctx: FormContext) -> str | None:
    item_spec = spec.get("items", {}) if spec.get("type") == "array" else spec
    values = value if isinstance(value, list) else [value]
    for v in values:
        if item_spec.get("type") == "object" and isinstance(v, dict):  # a row of a table field
            for name, sub in item_spec.get("properties", {}).items():
                message = _custom_check(sub, v[name], merged, ctx) if name in v else None
                if message:
                    return f"{sub.get('title', name)}：{message}"
            continue
        message = _check_scalar(item_spec, v, merged, ctx)
        if message:
            named = isinstance(value, list) and item_spec.get("format") == "username"
            return f"{_display_name(str(v), ctx)}：{message}" if named else message  # 郑甲, not zhengjia
    return None


def _check_scalar(spec: dict[str, Any], value: Any, merged: dict[str, Any], ctx: FormContext) -> str | None:
    fmt = spec.get("format")
    if fmt == "date" and isinstance(value, str):
        return _check_date(spec, value, merged, ctx)
    if spec.get("x-case") and isinstance(value, str) and value.strip():
        return _check_case(spec["x-case"], value, ctx)
    if fmt == "attachment" and not ctx.attachment_known(value):
        return "附件不存在或未上传到本案"
    if fmt == "username":
        return check_person(spec, value, merged, ctx)
    return None


_CASE_STATES = {"missing": "没有编号为 {v} 的线索或案件", "cancelled": "{v} 已作废"}


def _check_case(rule: dict[str, Any], value: str, ctx: FormContext) -> str | None:
    """`x-case`: the number names a case of `process` (a 涉案款物's case), and with `concluded` one that
    has been concluded (a 典型案件 is published only once its case is decided and closed)."""
    status = ctx.case_status(str(rule.get("process", "")), value)
    if status is None:  # the process is not run here: nothing to check against
        return None
    if status in _CASE_STATES:
        return _CASE_STATES[status].format(v=value)
    if rule.get("concluded") and status != "completed":
        return f"{value} 尚未办结，办结后才能选用"
    return None


EARLIEST, LATEST = date(1949, 10, 1), date(2100, 12, 31)


def _check_date(spec: dict[str, Any], value: str, merged: dict[str, Any], ctx: FormContext) -> str | None:
    """Issue 10 #3: a date people could have written — within 1949–2100, not in the future when the
    field is `x-past` (something that happened), and not before the dates `x-not-before` names
    ({"served_at": "送达日期"}: a reply cannot come before the letter was served)."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None  # the format check has said so
    if not EARLIEST <= day <= LATEST:
        return "日期不合理：应在1949年10月1日至2100年12月31日之间"
    if spec.get("x-past") and ctx.today is not None and day > ctx.today:
        return "不能晚于今天"
    for name, title in (spec.get("x-not-before") or {}).items():
        earlier = merged.get(name)
        if isinstance(earlier, str) and earlier[:10] > value:
            return f"不能早于{title}（{earlier[:10]}）"
    return None


def check_person(spec: dict[str, Any], username: str, merged: dict[str, Any], ctx: FormContext) -> str | None:
    person = ctx.find_user(username)
    if person is None:
        return "查无此人"
    role = spec.get("x-role")
    if role and role not in person.roles:
        return "该人员不具备承担此项工作的角色"
    office = merged.get("handling_office")
    if role == "JC" and office and person.unit_id != office:
        return "该人员不属于所选承办室"
    own_unit = merged.get(spec.get("x-in-unit", ""))
    if own_unit and person.unit_id != own_unit:
        return "该人员不属于本单位"
    units = merged.get(spec.get("x-not-in-units", ""), [])
    if person.unit_id and person.unit_id in (units if isinstance(units, list) else [units]):
        return "该人员属于被检查单位，应当回避"
    if ctx.withdrew(username):
        return "该人员已决定回避本案件，不得选派"
    subject = merged.get("subject_name")
    if spec.get("x-recusal") and subject and ctx.is_recused(username, subject):
        return "该人员与被反映人存在回避情形，不得承办"
    return None
