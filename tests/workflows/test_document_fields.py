"""Every field a form collects reaches the document it is for (issue 10 #9).

A step that issues a document — a user task whose postScript calls `issue_document`, or one whose next
element is a script task that does — passes each field its form collects to that document, unless the
field says `"x-on-document": false` (a meeting's minutes beside a decision, a date recorded for the
file). Attachments and ticked confirmations are not text of the document. The other half, that each
field a kind is given is printed, is tests/engine/test_documents.py's
test_every_kind_of_documents_toml_renders_all_its_fields.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from engine.documents.catalog import catalog
from tests.conftest import WORKFLOWS

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN, "spiffworkflow": SPIFF}
KINDS = catalog(WORKFLOWS / "documents")


@dataclass(frozen=True)
class IssuingStep:
    diagram: Path
    task_id: str
    form: dict[str, Any]
    script: str

    def __str__(self) -> str:
        return f"{self.diagram.parent.name}/{self.task_id}"


def _calls(script: str) -> list[ast.Call]:
    return [
        node
        for node in ast.walk(ast.parse(script) if script.strip() else ast.Module([], []))
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "issue_document"
    ]


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _reaching(script: str) -> set[str]:
    """The names whose values reach an issue_document call, directly or through assignments, or
    that choose which document is issued (the condition of an `if` around the call)."""
    tree = ast.parse(script)
    reached = set().union(*(_names(call) for call in _calls(script)))
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and _calls(ast.unparse(ast.Module([*node.body, *node.orelse], []))):
            reached |= _names(node.test)
    assigns = [n for n in ast.walk(tree) if isinstance(n, ast.Assign)]
    grew = True
    while grew:
        grew = False
        for node in assigns:
            if any(_names(target) & reached for target in node.targets) and not _names(node.value) <= reached:
                reached |= _names(node.value)
                grew = True
    return reached


def _form(diagram: Path, task: Any) -> dict[str, Any] | None:
    prop = task.find(".//spiffworkflow:property[@name='formJsonSchemaFilename']", NS)
    if prop is None:
        return None
    return json.loads((diagram.parent / "forms" / prop.get("value")).read_text(encoding="utf-8"))


def issuing_steps() -> list[IssuingStep]:
    steps = []
    for diagram in sorted(WORKFLOWS.glob("*/*.bpmn")):
        tree = etree.parse(str(diagram))
        by_id = {e.get("id"): e for e in tree.iter() if e.get("id")}
        for task in tree.iter(f"{{{BPMN}}}userTask"):
            form = _form(diagram, task)
            if form is None:
                continue
            scripts = [
                s.text or "" for s in task.findall("bpmn:extensionElements/spiffworkflow:postScript", NS)
            ]
            for flow in tree.iter(f"{{{BPMN}}}sequenceFlow"):
                following = by_id[flow.get("targetRef")]
                if flow.get("sourceRef") == task.get("id") and following.tag == f"{{{BPMN}}}scriptTask":
                    scripts.append(following.findtext("bpmn:script", "", NS))
            for script in scripts:
                if "issue_document" in script:
                    steps.append(IssuingStep(diagram, task.get("id"), form, script))
    return steps


STEPS = issuing_steps()


def _printed(spec: dict[str, Any]) -> bool:
    items = spec.get("items") if isinstance(spec.get("items"), dict) else {}
    attachment = "attachment" in (spec.get("format"), items.get("format"))
    confirmation = spec.get("type") == "boolean" and "const" in spec
    return not attachment and not confirmation and spec.get("x-on-document", True)


def test_the_steps_that_issue_documents_are_found() -> None:
    found = {str(step) for step in STEPS}
    assert {"clue_disposal/A5b_issue", "rectification/C1_issue", "clue_disposal/A9_hearing"} <= found


@pytest.mark.parametrize("step", STEPS, ids=str)
def test_each_field_of_the_form_reaches_its_document(step: IssuingStep) -> None:
    reaching = _reaching(step.script)
    lost = [
        f"{name}（{spec.get('title', name)}）"
        for name, spec in step.form["properties"].items()
        if _printed(spec) and name not in reaching
    ]
    assert not lost, f"{step}: typed on the form, missing from the document: {lost}"


@pytest.mark.parametrize("step", STEPS, ids=str)
def test_each_value_passed_is_a_field_of_the_kind(step: IssuingStep) -> None:
    """issue_document drops keys its kind does not list: a value passed under a wrong key never prints."""
    for call in _calls(step.script):
        kind, fields = call.args
        choices = kind.value.values if isinstance(kind, ast.Subscript) else [kind]  # type: ignore[attr-defined]
        kinds = [c.value for c in choices if isinstance(c, ast.Constant)]
        if not isinstance(fields, ast.Dict):
            continue  # built up earlier in the script
        keys = {k.value for k in fields.keys if isinstance(k, ast.Constant)}
        for name in kinds:
            unknown = keys - set(KINDS[name].fields)
            assert not unknown, f"{step}: {name} does not print {sorted(unknown)}"
