"""JSON Schema forms as HTML fields, and HTML form posts back into typed data for the engine."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache, lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from flask import has_request_context
from flask_babel import get_locale
from jinja2 import Template, TemplateError
from markupsafe import Markup
from werkzeug.datastructures import FileStorage, ImmutableMultiDict

from engine import Actor, Engine, InvalidSubmission
from engine.data_templates import DataSandbox

from .context import engine_of

TZ = ZoneInfo("Asia/Shanghai")
_INSTRUCTIONS = DataSandbox(autoescape=True)
_DOUBLED = re.compile(r"([。，；！？])[。，；]")  # 意见：同意。。 → 意见：同意。


@lru_cache(maxsize=512)
def _compiled(template: str) -> Template:
    """A step's instructions compiled once per process, not on every page view (≈ 1 ms each)."""
    return _INSTRUCTIONS.from_string(template)


def render_instructions(template: str, data: dict[str, Any]) -> str | Markup:
    """A task's instructions (Jinja over task data, sandboxed and escaped); the raw text if it fails."""
    if not template:
        return ""
    try:  # rendered with escaping: already safe HTML, not to be escaped again by the page
        text = _compiled(template).render(**data)
        return Markup(_DOUBLED.sub(r"\1", text))  # noqa: S704 — autoescaped above; 。。 (a value's own 。) folded
    except TemplateError:
        return template


@dataclass
class Field:
    name: str
    label: str
    kind: str  # text textarea select radio checkboxes list bool date datetime number file files table
    required: bool
    help: str = ""
    options: list[tuple[str, str]] = field(default_factory=list)
    value: Any = None
    error: str = ""
    attrs: dict[str, Any] = field(default_factory=dict)
    columns: list[Field] = field(default_factory=list)  # table: one cell per sub-field, row index ROW
    rows: list[list[Field]] = field(default_factory=list)  # table: the cells of each row shown


ROW = "__i__"  # the row index placeholder of a table's template row (replaced by web/static/js/table.js)
PRESENT = "__present"  # `<name>__present`: a checkbox group was on the page (nothing ticked posts `[]`)
# A list field (array of plain strings, e.g. usernames) is one text input; these separate its items.
LIST_JOIN = "、"
_LIST_SPLIT = re.compile(r"[、,，;；\s]+")
_TABLE_CELL = re.compile(r"-(?:[0-9]+|__i__)-")


def _options(spec: dict[str, Any]) -> list[tuple[str, str]]:
    if "oneOf" in spec:
        english = _english()
        return [
            (str(o["const"]), str((english and o.get("title_en")) or o.get("title", o["const"])))
            for o in spec["oneOf"]
            if "const" in o
        ]
    if "enum" in spec:
        return [(str(v), str(v)) for v in spec["enum"]]
    return []


def _kind(spec: dict[str, Any], ui: dict[str, Any]) -> str:
    widget = ui.get("ui:widget")
    kind = spec.get("type")
    if kind == "array":
        return _array_kind(spec.get("items", {}))
    if kind == "boolean":
        return "bool"
    if kind in ("integer", "number"):
        return "number"
    fmt = spec.get("format")
    if fmt == "attachment":
        return "file"
    if fmt == "date":
        return "date"
    if fmt == "date-time":
        return "datetime"
    if _options(spec):
        return "radio" if widget == "radio" or len(_options(spec)) <= 3 else "select"
    if widget == "textarea" or spec.get("maxLength", 0) > 200:
        return "textarea"
    return "text"


def _array_kind(items: dict[str, Any]) -> str:
    if items.get("type") == "object":
        return "table"
    if items.get("format") == "attachment":
        return "files"
    return "checkboxes" if _options(items) else "list"


def fields_of(
    schema: dict[str, Any],
    ui: dict[str, Any],
    values: dict[str, Any],
    errors: dict[str, str],
    data: Mapping[str, Any] | None = None,
    people: Callable[[str], str] | None = None,
) -> list[Field]:
    """The form's fields in display order, with current values and error messages; `data` (the task's
    data) prefills a table from the variable its UI schema names in `ui:rows`; `people` is what a person
    field shows for a login it holds (the name, 钱七 for qianqi: `person_texts`)."""
    props: dict[str, dict[str, Any]] = schema.get("properties", {})
    order = [n for n in ui.get("ui:order", []) if n in props] + [
        n for n in props if n not in ui.get("ui:order", [])
    ]
    required = set(schema.get("required", []))
    out = []
    for name in order:
        spec, hints = props[name], ui.get(name, {})
        f = _field(name, spec, hints, name in required, values.get(name, spec.get("default")), people)
        f.error = _in_english(schema, errors.get(name, "")) if _english() else errors.get(name, "")
        if f.kind == "table":
            _fill_table(f, spec, hints, _table_rows(name, values, hints, data or {}), people)
        out.append(f)
    return out


def _english() -> bool:
    """The page is in English (forms may carry `title_en` / `description_en`, shown when present)."""
    return has_request_context() and str(get_locale()) == "en"


def _in_english(schema: dict[str, Any], message: str) -> str:
    """A form rule's message in English when the rule gives one (`message_en`); else as it is (the page
    then looks it up among the translated generic messages)."""
    for rule in schema.get("x-rules", []):
        if rule.get("message") == message and rule.get("message_en"):
            return str(rule["message_en"])
    return message


def _field(
    name: str,
    spec: dict[str, Any],
    hints: dict[str, Any],
    required: bool,
    value: Any,
    people: Callable[[str], str] | None = None,
) -> Field:
    kind = _kind(spec, hints)
    options = _options(spec.get("items", {}) if kind == "checkboxes" else spec)
    attrs = {k: spec[k] for k in ("maxLength", "minimum", "maximum", "pattern", "minItems") if k in spec}
    if kind == "checkboxes" and not spec.get("minItems"):
        required = False  # ticking nothing is an answer too (e.g. 一票否决事项: none), so no asterisk
    if kind == "checkboxes" and isinstance(value, str):
        value = [value]  # one ticked box of a post kept as typed
    if spec.get("format") == "username" or (
        kind == "list" and spec.get("items", {}).get("format") == "username"
    ):
        attrs["people"] = _TABLE_CELL.sub(
            ".", name
        )  # the field the picker asks for: tasks-0-lead → tasks.lead
        attrs["many"] = kind == "list"
        value = _by_name(value, people) if people else value
    if kind == "list" and isinstance(value, list):
        value = LIST_JOIN.join(str(v) for v in value)  # shown as typed: lisi、wangwu
    if spec.get("type") == "number":
        attrs["step"] = "any"
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # shown as typed: 12, not 12.0
    english = _english()
    return Field(
        name=name,
        label=str((english and spec.get("title_en")) or spec.get("title", name)),
        kind=kind,
        required=required,
        help=str(
            hints.get("ui:help") or (english and spec.get("description_en")) or spec.get("description", "")
        ),
        options=options,
        value=value,
        attrs=attrs,
    )


def _by_name(value: Any, people: Callable[[str], str]) -> Any:
    """A person field's logins as the field shows them (what was typed, e.g. a name, stays as it is)."""
    if isinstance(value, str) and value:
        return people(value)
    if isinstance(value, list):
        return [people(v) if isinstance(v, str) and v else v for v in value]
    return value


def person_texts(engine: Engine) -> Callable[[str], str]:
    """What a person field shows for a login (its person's name unless another bears it), the directory
    read once and only when a person field holds a value."""
    texts = cache(engine.person_field_texts)
    return lambda login: texts().get(login, login)


def _table_rows(
    name: str, values: Mapping[str, Any], hints: dict[str, Any], data: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """The rows to show: the field's value, else rows typed into a refused post, else `ui:rows`."""
    value = values.get(name)
    if not isinstance(value, list):
        value = _rows_from_flat(name, values) or None
    if value is None and isinstance(data.get(str(hints.get("ui:rows", ""))), list):
        value = data[str(hints["ui:rows"])]
    return [row for row in value or [] if isinstance(row, dict)]


def _rows_from_flat(name: str, values: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Rows from raw posted names (`tasks-0-measure`), as kept when a post could not be parsed."""
    pattern = re.compile(rf"^{re.escape(name)}-([0-9]{{1,4}})-(\w+?)(__kept)?$")
    rows: dict[int, dict[str, Any]] = {}
    for key, raw in values.items():
        found = pattern.match(key)
        if found:
            kept = found.group(3)
            rows.setdefault(int(found.group(1)), {})[found.group(2)] = [raw] if kept else raw
    return [rows[i] for i in sorted(rows)]


def _fill_table(
    f: Field,
    spec: dict[str, Any],
    hints: dict[str, Any],
    rows: list[dict[str, Any]],
    people: Callable[[str], str] | None = None,
) -> None:
    """One cell per sub-field for each row (at least max(minItems, 1) rows), and the template row."""
    items = spec.get("items", {})
    subs: dict[str, dict[str, Any]] = items.get("properties", {})
    sub_hints: dict[str, Any] = hints.get("items", {})
    order = [n for n in sub_hints.get("ui:order", []) if n in subs]
    order += [n for n in subs if n not in order]
    required = set(items.get("required", []))
    defaults = {n: subs[n].get("default") for n in order}
    blank = [dict(defaults) for _ in range(max(int(spec.get("minItems", 1)), 1) - len(rows))]

    def cell(index: str, n: str, row: dict[str, Any]) -> Field:
        hints = sub_hints.get(n, {})
        c = _field(f"{f.name}-{index}-{n}", subs[n], hints, n in required, row.get(n), people)
        if c.kind == "radio" and hints.get("ui:widget") != "radio":
            c.kind = "select"  # a row stays one line high unless the UI schema asks for radios
        return c

    def cells(index: str, row: dict[str, Any]) -> list[Field]:
        return [cell(index, n, row) for n in order]

    f.rows = [cells(str(i), row) for i, row in enumerate(rows + blank)]
    f.columns = cells(ROW, defaults)


def parse_post(
    schema: dict[str, Any],
    form: ImmutableMultiDict[str, str],
    files: ImmutableMultiDict[str, FileStorage],
    actor: Actor,
    instance_id: int | None,
) -> dict[str, Any]:
    """Typed data from an HTML post; uploads are stored first and replaced by their SHA-256."""
    data: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, spec in schema.get("properties", {}).items():
        kind = _kind(spec, {})
        try:
            if kind == "table":
                value: Any = _table_value(name, spec, form, files, actor, instance_id)
            else:
                value = _value(name, spec, kind, form, files, actor, instance_id)
        except InvalidSubmission as exc:
            errors[name] = next(iter(exc.errors.values()))
            continue
        if value is not None:
            data[name] = value
    if errors:
        raise InvalidSubmission(errors)
    return data


def _value(
    name: str,
    spec: dict[str, Any],
    kind: str,
    form: ImmutableMultiDict[str, str],
    files: ImmutableMultiDict[str, FileStorage],
    actor: Actor,
    instance_id: int | None,
) -> Any:
    if kind in ("file", "files"):
        uploads = [f for f in files.getlist(name) if f and f.filename]
        kept = [v for v in form.getlist(f"{name}__kept") if v]
        shas = kept + [
            engine_of().upload(actor, f.filename or "附件", f.read(), instance_id).sha256 for f in uploads
        ]
        if kind == "file":
            return shas[-1] if shas else None
        return shas or None
    if kind in ("checkboxes", "list"):
        return _list_value(name, spec, kind, form)
    raw = form.get(name, "").strip()
    if raw == "":
        return None
    if kind == "bool":
        return {"true": True, "false": False}.get(raw, raw)
    if kind == "number":
        return _number(raw, spec)
    if kind == "datetime":
        try:
            return datetime.fromisoformat(raw).replace(tzinfo=TZ).isoformat()
        except ValueError:
            return raw
    return raw


def _list_value(name: str, spec: dict[str, Any], kind: str, form: ImmutableMultiDict[str, str]) -> Any:
    """A checkbox group's ticked values (`[]` if none was ticked but the group was on the page), or
    a list field's items as typed in its one text input."""
    if kind == "checkboxes":
        chosen = form.getlist(name)
        return chosen if chosen or f"{name}{PRESENT}" in form else None
    items = [v for v in _LIST_SPLIT.split(form.get(name, "")) if v]
    if spec.get("items", {}).get("type") in ("integer", "number"):
        return [_number(v, spec["items"]) for v in items] or None
    return items or None


def _number(raw: str, spec: dict[str, Any]) -> Any:
    """A typed number (a whole number typed as one stays an int: a total of 15 and 62 reads 77, not 77.0),
    or the text as typed (the engine's schema check names the field)."""
    try:
        return int(raw) if spec.get("type") == "integer" or re.fullmatch(r"[+-]?[0-9]+", raw) else float(raw)
    except ValueError:
        return raw


def _table_value(
    name: str,
    spec: dict[str, Any],
    form: ImmutableMultiDict[str, str],
    files: ImmutableMultiDict[str, FileStorage],
    actor: Actor,
    instance_id: int | None,
) -> list[dict[str, Any]] | None:
    """The rows posted as `name-<row>-<sub-field>`, in row order; rows left empty are dropped."""
    pattern = re.compile(rf"^{re.escape(name)}-([0-9]{{1,4}})-")
    posted = [pattern.match(key) for key in [*form.keys(), *files.keys()]]
    indexes = sorted({int(m.group(1)) for m in posted if m})
    if not indexes:
        return None  # the table was not on the page
    subs: dict[str, dict[str, Any]] = spec.get("items", {}).get("properties", {})
    rows = []
    for i in indexes:
        row = {}
        for sub, sub_spec in subs.items():
            cell = f"{name}-{i}-{sub}"
            value = _value(cell, sub_spec, _kind(sub_spec, {}), form, files, actor, instance_id)
            if value is not None:
                row[sub] = value
        if any(value not in (subs[sub].get("default"), []) for sub, value in row.items()):
            rows.append(row)
    return rows
