"""What changed between two versions of a process: elements added, removed and changed (name, lane,
form, script, condition, timer, instructions, decision, called process), and the other files changed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..xmlsafe import parse_xml
from .foreign import BPMN, SPIFF

_SKIPPED = {"definitions", "process", "collaboration", "laneSet", "extensionElements", "incoming", "outgoing"}
FIELDS = {
    "kind": "类型",
    "name": "名称",
    "lane": "泳道",
    "form": "表单",
    "instructions": "办理说明",
    "script": "脚本",
    "condition": "条件",
    "timer": "定时器",
    "decision": "决策表",
    "called": "被调用流程",
    "flow": "连线",
}


@dataclass(frozen=True)
class Change:
    field: str  # one of FIELDS
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class ElementDiff:
    element: str
    name: str
    kind: str
    changes: tuple[Change, ...] = ()


@dataclass(frozen=True)
class VersionDiff:
    added: tuple[ElementDiff, ...]
    removed: tuple[ElementDiff, ...]
    changed: tuple[ElementDiff, ...]
    files_changed: tuple[str, ...]  # forms, decisions, process.toml whose text differs

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.files_changed)


def diff_sources(before: dict[str, str], after: dict[str, str]) -> VersionDiff:
    old, new = elements(before), elements(after)
    changed = []
    for element in sorted(old.keys() & new.keys()):
        changes = tuple(
            Change(f, FIELDS[f], old[element].get(f, ""), new[element].get(f, ""))
            for f in FIELDS
            if old[element].get(f, "") != new[element].get(f, "")
        )
        if changes:
            changed.append(_element(element, new[element], changes))
    files = sorted(
        n
        for n in before.keys() | after.keys()
        if not n.endswith(".bpmn") and not n.startswith("scenarios/") and before.get(n) != after.get(n)
    )
    return VersionDiff(
        tuple(_element(e, new[e]) for e in sorted(new.keys() - old.keys())),
        tuple(_element(e, old[e]) for e in sorted(old.keys() - new.keys())),
        tuple(changed),
        tuple(files),
    )


def _element(element: str, facts: dict[str, str], changes: tuple[Change, ...] = ()) -> ElementDiff:
    return ElementDiff(element, facts.get("name", ""), facts.get("kind", ""), changes)


def elements(sources: dict[str, str]) -> dict[str, dict[str, str]]:
    """Every identified element of the BPMN files with what a designer changes on it."""
    found: dict[str, dict[str, str]] = {}
    for name, text in sorted(sources.items()):
        if name.endswith(".bpmn"):
            found.update(_facts_of(parse_xml(text.encode("utf-8"), name).getroot()))
    return found


def _facts_of(root: Any) -> dict[str, dict[str, str]]:
    lanes = {ref.text: lane.get("name", "") for lane in root.iter(f"{BPMN}lane") for ref in lane}
    facts = {}
    for element in root.iter():
        if not isinstance(element.tag, str) or not element.tag.startswith(BPMN) or not element.get("id"):
            continue
        kind = element.tag.removeprefix(BPMN)
        if kind in _SKIPPED or kind.endswith("EventDefinition"):
            continue
        facts[element.get("id")] = _described(element, kind, lanes.get(element.get("id"), ""))
    return facts


def _text(element: Any, path: str) -> str:
    found = element.find(path)
    return (found.text or "").strip() if found is not None else ""


def _described(element: Any, kind: str, lane: str) -> dict[str, str]:
    form = next((p.get("value", "") for p in element.iter(f"{SPIFF}property") if p.get("name") == _FORM), "")
    scripts = [_text(element, f"{BPMN}script"), _text(element, f".//{SPIFF}preScript")]
    scripts.append(_text(element, f".//{SPIFF}postScript"))
    timer = next((t.text or "" for t in element.iter() if str(t.tag).endswith(_TIMER_TAGS)), "")
    flow = f"{element.get('sourceRef')} → {element.get('targetRef')}" if kind == "sequenceFlow" else ""
    return {
        "kind": kind,
        "name": element.get("name", ""),
        "lane": lane,
        "form": form,
        "instructions": _text(element, f".//{SPIFF}instructionsForEndUser"),
        "script": "\n".join(s for s in scripts if s),
        "condition": _text(element, f"{BPMN}conditionExpression"),
        "timer": timer.strip(),
        "decision": _text(element, f".//{SPIFF}calledDecisionId"),
        "called": element.get("calledElement", ""),
        "flow": flow,
    }


_FORM = "formJsonSchemaFilename"
_TIMER_TAGS = ("}timeDate", "}timeDuration", "}timeCycle")
