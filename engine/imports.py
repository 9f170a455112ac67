"""Cases imported from a table (issue 12 D1): every row of a CSV/XLSX file becomes one case of a process
whose process.toml says `importable = true`, its columns named by the start form's field titles (or
field names).

A row is started exactly as by hand (the same form checks, the same duplicate and correlation refusals)
or reported with its line and the reason per field; the good rows are kept. Everything happens in one
transaction, each row in a savepoint of its own: a refused row leaves no trace, and an import cut short
leaves nothing half-imported. The file's name, hash and counts are one event of the audit trail."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from . import audit, starting
from .advance import advance
from .context import EngineContext
from .errors import InvalidSubmission, NotFound, NotPermitted, ProcessFailed
from .forms import Form
from .records import Actor
from .starting import latest_version
from .tabular import TableError, read_table

_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_YES, _NO = {"是", "true", "1", "y", "yes", "√"}, {"否", "false", "0", "n", "no", "×"}


@dataclass
class ImportReport:
    """What an import did: the cases it started and the rows it refused, each with its line."""

    filename: str
    imported: list[tuple[int, int, str]] = field(default_factory=list)  # (line, instance id, title)
    refused: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # (line, {field: message})


def import_cases(
    ctx: EngineContext, session: Session, actor: Actor, process_id: str, filename: str, content: bytes
) -> ImportReport:
    """Start one case of `process_id` per row of the file, in the caller's transaction."""
    form = importable_form(ctx, session, actor, process_id)
    rows = read_table(filename, content)
    columns = _columns(form, list(rows[0][1]) if rows else [])
    report = ImportReport(filename)
    for line, cells in rows:
        data, errors = _values(form, columns, cells)
        if errors:
            report.refused.append((line, errors))
            continue
        try:
            with session.begin_nested():  # a refused row is rolled back to here, the others kept
                instance, wf, clean = starting.by_hand(ctx, session, actor, process_id, data)
                payload = {"data": clean, "imported": {"file": filename, "line": line}}
                advance(ctx, session, instance, wf, actor, "instance_started", payload)
        except InvalidSubmission as exc:
            report.refused.append((line, {_title(form, k): v for k, v in exc.errors.items()}))
        except ProcessFailed as exc:
            report.refused.append((line, {"_": str(exc)}))  # the detail is for supervisors' incidents
        else:
            report.imported.append((line, instance.id, instance.title))
    audit.append(
        session,
        ctx.audit_key,
        at=ctx.clock.now(),
        actor=actor.username,
        kind="cases_imported",
        payload={
            "process": process_id,
            "file": filename,
            "sha256": hashlib.sha256(content).hexdigest(),
            "rows": len(rows),
            "imported": [instance_id for _line, instance_id, _title in report.imported],
            "refused": [line for line, _errors in report.refused],
        },
    )
    return report


def importable_form(ctx: EngineContext, session: Session, actor: Actor, process_id: str) -> Form:
    """The start form whose fields an import file's columns name; refused for a process that cannot be
    imported or by someone who may not start it."""
    row = latest_version(session, process_id)
    if row is None:
        raise NotFound(f"没有已部署的流程 {process_id}")
    meta = ctx.specs.get(session, row.id).meta["process"]
    if not meta.get("importable") or not meta.get("start_form"):
        raise NotFound("此流程不支持批量导入")
    if not actor.roles & set(meta.get("start_roles", [])):
        raise NotPermitted("您的角色不能发起此流程")
    return ctx.specs.get(session, row.id).form(meta["start_form"])


def columns_of(form: Form) -> list[tuple[str, str, bool]]:
    """(column title, field name, required) of every field an import file may have, in form order."""
    required = set(form.schema.get("required", []))
    return [
        (spec.get("title", name), name, name in required)
        for name, spec in form.fields.items()
        if spec.get("type") in ("string", "integer", "number", "boolean")
    ]


def _columns(form: Form, headers: list[str]) -> dict[str, str]:
    """{header: field} for the file's header row; an unknown or missing column refuses the whole file."""
    known = {key: name for title, name, _req in columns_of(form) for key in (title, name)}
    unknown = [h for h in headers if h not in known]
    if unknown:
        titles = "、".join(title for title, _name, _req in columns_of(form))
        raise TableError(f"未知的列：{'、'.join(unknown)}（可用的列：{titles}）")
    named = {known[h] for h in headers}
    missing = [title for title, name, req in columns_of(form) if req and name not in named]
    if missing:
        raise TableError(f"缺少必填的列：{'、'.join(missing)}")
    return {h: known[h] for h in headers}


def _values(form: Form, columns: dict[str, str], cells: dict[str, str]) -> tuple[dict[str, Any], dict]:
    """The row's cells as the form's values (an empty cell is no value), and the cells that are not."""
    data: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for header, text in cells.items():
        name = columns[header]
        if not text:
            continue
        try:
            data[name] = _value(form.fields[name], text)
        except ValueError as exc:
            errors[header] = str(exc)
    return data, errors


def _value(spec: dict[str, Any], text: str) -> Any:
    kind = spec.get("type")
    if kind in ("integer", "number", "boolean"):
        return _scalar(kind, text)
    for option in spec.get("oneOf", []):
        if text in (option.get("const"), option.get("title")):
            return option["const"]
    if spec.get("format") == "date" and (match := _DATE.match(text)):
        year, month, day = (int(part) for part in match.groups())
        return f"{year:04d}-{month:02d}-{day:02d}"
    return text


def _scalar(kind: str, text: str) -> int | float | bool:
    if kind == "integer":
        if not re.fullmatch(r"-?\d+", text):
            raise ValueError(f"应为整数：{text}")
        return int(text)
    if kind == "number":
        try:
            return float(text)
        except ValueError:
            raise ValueError(f"应为数字：{text}") from None
    if text.lower() in _YES:
        return True
    if text.lower() in _NO:
        return False
    raise ValueError(f"应填“是”或“否”：{text}")


def _title(form: Form, name: str) -> str:
    return str(form.fields.get(name, {}).get("title", name)) if name != "_" else "_"


class CaseImports:
    """Built by the Engine (`engine.imports`)."""

    def __init__(self, ctx: EngineContext):
        self.ctx = ctx

    def columns(self, actor: Actor, process_id: str) -> list[tuple[str, str, bool]]:
        """(title, field, required) of the columns an import file of the process may have."""
        with self.ctx.db.reading() as session:
            return columns_of(importable_form(self.ctx, session, actor, process_id))

    def run(self, actor: Actor, process_id: str, filename: str, content: bytes) -> ImportReport:
        """Import the file: TableError (nothing imported) when it cannot be read as the process's table."""
        with self.ctx.db.transaction() as session:
            return import_cases(self.ctx, session, actor, process_id, filename, content)
