"""Case data as people read it (issue 9 #11): every field under the title its form gives it, every value
in words — a code as its Chinese term, a unit by its name, a login by the person's name, true/false as
是/否, a table with its column titles (a form's table field, or a `[labels]` entry with columns). A name
no form and no `[labels]` of process.toml names is internal (a timer's moment, a setting) and is not
shown at all."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Names = Callable[[str], str]  # username -> display name ("" when unknown)


@dataclass(frozen=True)
class Table:
    """A table field's rows: column titles and each row's cells in words."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Shown:
    label: str
    text: str = ""
    table: Table | None = None


def noun(process: Mapping[str, Any], data: Mapping[str, Any]) -> str:
    """What the case is called (process.toml `noun`, default 事项): a clue is a 线索 until `becomes`
    names a set variable (`becomes = { filed_at = "案件" }`: filed, it is a 案件)."""
    for name, called in process.get("becomes", {}).items():
        if data.get(name) not in (None, "", False):
            return str(called)
    return str(process.get("noun", "事项"))


def glossary(sources: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """Field name -> its schema with a title, from every form of a version, then process.toml `[labels]`
    (computed names such as deadlines: `d1_due = "处置期限"`)."""
    found: dict[str, dict[str, Any]] = {}
    for name in sorted(sources):
        if name.startswith("forms/") and name.endswith(".schema.json"):
            for key, spec in json.loads(sources[name]).get("properties", {}).items():
                if isinstance(spec, dict) and spec.get("title") and key not in found:
                    found[key] = spec
    labels = tomllib.loads(sources.get("process.toml", "")).get("labels", {})
    for key, title in labels.items():
        found.setdefault(key, _label(key, title))
    return found


def _label(key: str, title: Any) -> dict[str, Any]:
    """A `[labels]` entry: a title, or a list of rows `{ title = "…", columns = { field = "列名", … } }`
    shown as a table (the 通报's figures per department, a custody item's moves)."""
    if not isinstance(title, dict):
        return {"title": str(title)}
    columns = {k: {"title": str(v)} for k, v in title.get("columns", {}).items()}
    return {
        "title": str(title.get("title", key)),
        "type": "array",
        "items": {"type": "object", "properties": columns},
    }


def shown(terms: Mapping[str, dict[str, Any]], data: Mapping[str, Any], names: Names) -> list[Shown]:
    """The named fields of `data` in words, in the order given; empty values are left out."""
    out = []
    for key, value in data.items():
        spec = terms.get(key)
        if spec is None or value in (None, "", [], {}):
            continue
        if _is_table(spec, value):
            out.append(Shown(spec["title"], table=_table(spec["items"], value, names)))
        else:
            out.append(Shown(spec["title"], words(spec, value, names)))
    return out


def words(spec: Mapping[str, Any], value: Any, names: Names) -> str:
    """One value as a person reads it."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        item = spec.get("items", {}) if isinstance(spec.get("items"), dict) else {}
        return "、".join(words(item, v, names) for v in value if v not in (None, ""))
    if isinstance(value, dict):
        return "；".join(f"{k}：{words({}, v, names)}" for k, v in value.items())
    if spec.get("format") == "username" and isinstance(value, str):
        return names(value) or value
    if spec.get("format") == "attachment":
        return "已附文件"
    for choice in spec.get("oneOf", ()):
        if isinstance(choice, dict) and choice.get("const") == value and choice.get("title"):
            return str(choice["title"])
    return str(value)


def _is_table(spec: Mapping[str, Any], value: Any) -> bool:
    items = spec.get("items")
    return isinstance(value, list) and isinstance(items, dict) and items.get("type") == "object"


def _table(items: Mapping[str, Any], rows: list[Any], names: Names) -> Table:
    columns = {k: c for k, c in items.get("properties", {}).items() if isinstance(c, dict) and c.get("title")}
    used = [k for k in columns if any(isinstance(r, dict) and r.get(k) not in (None, "") for r in rows)]
    return Table(
        tuple(str(columns[k]["title"]) for k in used),
        tuple(
            tuple(words(columns[k], r.get(k), names) if r.get(k) is not None else "" for k in used)
            for r in rows
            if isinstance(r, dict)
        ),
    )
