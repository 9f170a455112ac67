"""Parsing BPMN/DMN into specs, and the facts about each task spec that lint checks."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from ..errors import DeployRejected
from .messages import caught_messages, start_message
from .serializer import SERIALIZER as _SERIALIZER


@dataclass(frozen=True)
class TaskSpecFacts:
    """What lint needs to know of one task spec."""

    process_id: str
    bpmn_id: str
    name: str
    kind: str
    lane: str | None
    manual: bool
    properties: dict[str, str]
    scripts: tuple[str, ...]
    conditions: tuple[str, ...]
    timer: str | None
    instructions: str = ""  # a user task's instructionsForEndUser (Jinja)


@dataclass(frozen=True)
class ParsedProcess:
    spec_json: str
    facts: tuple[TaskSpecFacts, ...]
    flows: dict[str, dict[str, list[str]]]  # process id -> task spec name -> output names
    start_message: str | None = None  # the message its message start event waits for
    caught_messages: tuple[str, ...] = ()  # the messages its intermediate catch events wait for


def parse_process(bpmn: dict[str, Any], dmn: dict[str, Any], process_id: str) -> ParsedProcess:
    """Parse hardened XML trees with XSD validation; DeployRejected names file, line and element."""
    parser = SpiffBpmnParser(validator=VALIDATOR)
    try:
        for filename, tree in bpmn.items():
            parser.add_bpmn_xml(tree, filename=filename)
        for filename, root in dmn.items():
            parser.add_dmn_xml(root, filename=filename)
        if process_id not in parser.get_process_ids():
            found = sorted(parser.get_process_ids())
            raise DeployRejected(
                [f"元素 {process_id}: 未找到可执行流程 {process_id}（可执行的流程：{found or '无'}）"]
            )
        spec = parser.get_spec(process_id)
        subprocess_specs = parser.get_subprocess_specs(process_id)
    except ValidationException as exc:
        raise DeployRejected([_validation_message(exc)]) from exc
    spec_dict = {
        "spec": _SERIALIZER.registry.convert(spec),
        "subprocess_specs": {name: _SERIALIZER.registry.convert(s) for name, s in subprocess_specs.items()},
    }
    all_specs = {process_id: spec, **subprocess_specs}
    facts = tuple(f for pid, s in all_specs.items() for f in _facts(pid, s))
    flows = {
        pid: {name: [o.name for o in ts.outputs] for name, ts in s.task_specs.items()}
        for pid, s in all_specs.items()
    }
    caught = tuple(sorted({m for s in all_specs.values() for m in caught_messages(s)}))
    return ParsedProcess(json.dumps(spec_dict, ensure_ascii=False), facts, flows, start_message(spec), caught)


def _validation_message(exc: ValidationException) -> str:
    where = ", ".join(
        part
        for part in (
            f"文件 {exc.file_name}" if getattr(exc, "file_name", "") else "",
            f"第 {exc.line_number} 行" if getattr(exc, "line_number", "") else "",
            f"元素 {exc.id}" if getattr(exc, "id", "") else "",
        )
        if part
    )
    return f"{where}: {exc}" if where else str(exc)


def _facts(process_id: str, spec: Any) -> Iterator[TaskSpecFacts]:
    for ts in spec.task_specs.values():
        bpmn_id = getattr(ts, "bpmn_id", None)
        if not bpmn_id:
            continue
        scripts = tuple(
            s
            for s in (
                getattr(ts, "script", None),
                getattr(ts, "prescript", None),
                getattr(ts, "postscript", None),
            )
            if s
        )
        conditions = tuple(c.args[0] for c, _ in getattr(ts, "cond_task_specs", []) if c is not None)
        definition = getattr(ts, "event_definition", None)
        timer = definition.expression if isinstance(definition, TimerEventDefinition) else None
        extensions = getattr(ts, "extensions", {}) or {}
        yield TaskSpecFacts(
            process_id=process_id,
            bpmn_id=bpmn_id,
            name=getattr(ts, "bpmn_name", None) or bpmn_id,
            kind=type(ts).__name__,
            lane=getattr(ts, "lane", None),
            manual=bool(getattr(ts, "manual", False)),
            properties=dict(extensions.get("properties", {}) or {}),
            scripts=scripts,
            conditions=conditions,
            timer=timer,
            instructions=str(extensions.get("instructionsForEndUser", "") or ""),
        )
