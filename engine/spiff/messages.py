"""BPMN messages between instances: which message starts a process, delivering it, the messages a
waiting instance's catch events expect, and collecting the messages a run threw that no task of the
same instance caught (SPIFFWORKFLOW.md §7)."""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState


def start_message(spec: Any) -> str | None:
    """The message name of the process's message start event, if it starts that way."""
    for ts in spec.task_specs.values():
        definition = getattr(ts, "event_definition", None)
        if type(ts).__name__ == "StartEvent" and isinstance(definition, MessageEventDefinition):
            return str(definition.name)
    return None


def caught_messages(spec: Any) -> list[str]:
    """The message names the spec's intermediate catch events (and boundary events) wait for."""
    return [
        str(ts.event_definition.name)
        for ts in spec.task_specs.values()
        if isinstance(getattr(ts, "event_definition", None), MessageEventDefinition)
        and type(ts).__name__ in ("IntermediateCatchEvent", "BoundaryEvent", "ReceiveTask")
    ]


def deliver_start(wf: BpmnWorkflow, name: str, payload: dict[str, Any]) -> None:
    """Arm the new workflow's message start event and hand it the message."""
    wf.do_engine_steps()
    wf.send_event(BpmnEvent(MessageEventDefinition(name), payload=payload))


def waiting_messages(wf: BpmnWorkflow) -> list[str]:
    """The names of the messages the instance's armed catch events (not its start event) wait for."""
    names = []
    for task in wf.get_tasks(state=TaskState.WAITING):
        definition = getattr(task.task_spec, "event_definition", None)
        if isinstance(definition, MessageEventDefinition) and type(task.task_spec).__name__ != "StartEvent":
            names.append(str(definition.name))
    return sorted(set(names))


def deliver_caught(wf: BpmnWorkflow, name: str, payload: dict[str, Any]) -> None:
    """Hand a waiting catch event its message (the caller then runs the engine)."""
    wf.send_event(BpmnEvent(MessageEventDefinition(name), payload=payload))


def thrown_messages(wf: BpmnWorkflow) -> list[tuple[str, dict[str, Any]]]:
    """(name, payload) of every message thrown since the last call and not caught inside `wf`."""
    return [
        (str(ev.event_definition.name), dict(ev.payload or {}))
        for ev in wf.get_events()
        if isinstance(ev.event_definition, MessageEventDefinition)
    ]
