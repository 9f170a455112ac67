"""A problem found in a draft, pinned to its file and element where the message names them, so the
editor can mark the element on the diagram and the list can say where to look."""

from __future__ import annotations

import re
from dataclasses import dataclass

_ELEMENT = re.compile(r"元素 ([A-Za-z_][\w.\-]*)")
_FILE = re.compile(r"(?:文件|表单) ((?:forms/)?[\w.\-]+\.(?:bpmn|dmn|json|toml))")


@dataclass(frozen=True)
class Problem:
    message: str
    file: str | None = None
    element: str | None = None


def locate(messages: list[str], sources: dict[str, str]) -> list[Problem]:
    """Each message with the element and file it names; an element's file is the diagram defining it."""
    problems = []
    for message in messages:
        element = _ELEMENT.search(message)
        named = _FILE.search(message)
        bpmn_id = element.group(1) if element else None
        file = named.group(1) if named else _defining_file(bpmn_id, sources) if bpmn_id else None
        problems.append(Problem(message, file, bpmn_id))
    return problems


def _defining_file(bpmn_id: str, sources: dict[str, str]) -> str | None:
    marker = f'id="{bpmn_id}"'
    return next((n for n, text in sources.items() if n.endswith((".bpmn", ".dmn")) and marker in text), None)
