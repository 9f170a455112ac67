"""No raw internals reach a page (issue 10 #8): every field of every form of workflows/, given a value,
is shown by the display layer (engine/labels.py, used by the case page, the history and the review
material) under its title and in words — 是/否 for a tick, the choice's title for a code, a person's name
for a login, 已附文件 for a file, a table with titled columns — never a key, a code, True/False or a
Python structure."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from engine.labels import glossary, shown, words
from tests.conftest import WORKFLOWS

FORMS = sorted(WORKFLOWS.glob("*/forms/*.schema.json"))
RAW = re.compile(r"True|False|None|[{}\[\]']|[A-Z]{2,}|_")
NAMES = {"qianqi": "钱七"}


def sample(spec: dict[str, Any]) -> Any:
    """A value a person could have submitted for the field; free text in Chinese."""
    if "const" in spec:
        return spec["const"]
    if spec.get("oneOf"):
        return spec["oneOf"][0]["const"]
    if spec.get("enum"):
        return spec["enum"][0]
    kind = spec.get("type")
    if kind == "boolean":
        return True
    if kind in ("integer", "number"):
        return 3
    if kind == "array":
        items = spec.get("items", {})
        if items.get("type") == "object":
            return [{k: sample(c) for k, c in items.get("properties", {}).items()}]
        return [sample(items)]
    return {
        "date": "2026-03-05",
        "username": "qianqi",
        "attachment": "0f3a9c41e2b7d8aa0f3a9c41e2b7d8aa0f3a9c41e2b7d8aa0f3a9c41e2b7d8aa",
    }.get(spec.get("format", ""), "情况属实")


def _sources(form: Path) -> dict[str, str]:
    folder = form.parent.parent
    found = {
        f"forms/{p.name}": p.read_text(encoding="utf-8") for p in (folder / "forms").glob("*.schema.json")
    }
    found["process.toml"] = (folder / "process.toml").read_text(encoding="utf-8")
    return found


@pytest.mark.parametrize("form", FORMS, ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_every_field_of_the_form_reads_in_words(form: Path) -> None:
    schema = json.loads(form.read_text(encoding="utf-8"))
    terms = glossary(_sources(form))
    data = {key: sample(spec) for key, spec in schema.get("properties", {}).items()}
    for item in shown(terms, data, lambda login: NAMES.get(login, "")):
        assert not RAW.search(item.label), (form.name, item.label)
        cells = [item.text] if item.table is None else [*item.table.columns, *sum(item.table.rows, ())]
        for text in cells:
            assert not RAW.search(text), (form.name, item.label, text)
    shown_labels = {item.label for item in shown(terms, data, lambda login: NAMES.get(login, ""))}
    for key in schema.get("properties", {}):
        assert terms[key].get("title") in shown_labels, (form.name, key)


def test_the_words_of_each_kind_of_value() -> None:
    """What the form test above relies on, one kind at a time."""
    names = NAMES.get
    assert words({"type": "boolean"}, False, names) == "否"  # type: ignore[arg-type]
    assert words({"oneOf": [{"const": "THHX", "title": "谈话函询"}]}, "THHX", names) == "谈话函询"  # type: ignore[arg-type]
    assert words({"format": "username"}, "qianqi", names) == "钱七"  # type: ignore[arg-type]
    assert words({"format": "attachment"}, "0f3a9c", names) == "已附文件"  # type: ignore[arg-type]
    assert words({"items": {"format": "username"}}, ["qianqi", "qianqi"], names) == "钱七、钱七"  # type: ignore[arg-type]
