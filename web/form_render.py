"""JSON Schema forms as HTML fields, and HTML form posts back into typed data for the engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import TemplateError
from jinja2.sandbox import SandboxedEnvironment
from werkzeug.datastructures import FileStorage, ImmutableMultiDict

from engine import Actor, InvalidSubmission

from .context import engine_of

TZ = ZoneInfo("Asia/Shanghai")
_INSTRUCTIONS = SandboxedEnvironment(autoescape=True)


def render_instructions(template: str, data: dict[str, Any]) -> str:
    """A task's instructions (Jinja over task data, sandboxed and escaped); the raw text if it fails."""
    if not template:
        return ""
    try:
        return _INSTRUCTIONS.from_string(template).render(**data)
    except TemplateError:
        return template


@dataclass
class Field:
    name: str
    label: str
    kind: str  # text textarea select radio checkboxes bool date datetime number file files
    required: bool
    help: str = ""
    options: list[tuple[str, str]] = field(default_factory=list)
    value: Any = None
    error: str = ""
    attrs: dict[str, Any] = field(default_factory=dict)


def _options(spec: dict[str, Any]) -> list[tuple[str, str]]:
    if "oneOf" in spec:
        return [(str(o["const"]), str(o.get("title", o["const"]))) for o in spec["oneOf"] if "const" in o]
    if "enum" in spec:
        return [(str(v), str(v)) for v in spec["enum"]]
    return []


def _kind(spec: dict[str, Any], ui: dict[str, Any]) -> str:
    widget = ui.get("ui:widget")
    kind = spec.get("type")
    if kind == "array":
        items = spec.get("items", {})
        return "files" if items.get("format") == "attachment" else "checkboxes"
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


def fields_of(
    schema: dict[str, Any], ui: dict[str, Any], values: dict[str, Any], errors: dict[str, str]
) -> list[Field]:
    """The form's fields in display order, with current values and error messages."""
    props: dict[str, dict[str, Any]] = schema.get("properties", {})
    order = [n for n in ui.get("ui:order", []) if n in props] + [
        n for n in props if n not in ui.get("ui:order", [])
    ]
    required = set(schema.get("required", []))
    out = []
    for name in order:
        spec, hints = props[name], ui.get(name, {})
        kind = _kind(spec, hints)
        options = _options(spec.get("items", {}) if kind == "checkboxes" else spec)
        attrs = {k: spec[k] for k in ("maxLength", "minimum", "maximum", "pattern") if k in spec}
        out.append(
            Field(
                name=name,
                label=str(spec.get("title", name)),
                kind=kind,
                required=name in required,
                help=str(hints.get("ui:help") or spec.get("description", "")),
                options=options,
                value=values.get(name, spec.get("default")),
                error=errors.get(name, ""),
                attrs=attrs,
            )
        )
    return out


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
    if kind == "checkboxes":
        chosen = form.getlist(name)
        return chosen or None
    raw = form.get(name, "").strip()
    if raw == "":
        return None
    if kind == "bool":
        return {"true": True, "false": False}.get(raw, raw)
    if kind == "number":
        try:
            return int(raw) if spec.get("type") == "integer" else float(raw)
        except ValueError:
            return raw
    if kind == "datetime":
        try:
            return datetime.fromisoformat(raw).replace(tzinfo=TZ).isoformat()
        except ValueError:
            return raw
    return raw
