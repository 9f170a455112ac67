"""Armed timers and waiting data of a workflow, for supervisors' interventions: extend a deadline (move
the timers of one task), suspend and resume a case (move every timer), correct the data of a case an
incident stopped. Nothing here runs the workflow; the caller saves it through the mutation path."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

_PENDING = TaskState.READY | TaskState.WAITING | TaskState.STARTED


@dataclass(frozen=True)
class Timer:
    """An armed timer: its task, its BPMN id and name, when it falls due, the user task it is a
    boundary event of (None: an intermediate timer)."""

    guid: str
    bpmn_id: str
    name: str
    due: datetime
    attached_to: str | None


def _due_of(value: Any) -> datetime | None:
    if isinstance(value, dict):  # a cycle: its next occurrence
        value = value.get("next")
    if not value:
        return None
    return TimerEventDefinition.get_datetime(str(value)).astimezone(UTC)


def timers(wf: BpmnWorkflow) -> list[Timer]:
    """Every armed timer of the workflow (its subprocesses included), earliest first."""
    out = []
    for task in wf.get_tasks(state=TaskState.WAITING):
        definition = getattr(task.task_spec, "event_definition", None)
        if not isinstance(definition, TimerEventDefinition):
            continue
        due = _due_of(task.internal_data.get("event_value"))
        if due is None:
            continue
        siblings = task.parent.children if task.parent is not None else []
        attached = next((str(t.id) for t in siblings if t is not task and not _is_boundary(t)), None)
        spec = task.task_spec
        out.append(Timer(str(task.id), spec.bpmn_id, spec.bpmn_name or spec.bpmn_id, due, attached))
    return sorted(out, key=lambda t: t.due)


def _is_boundary(task: Any) -> bool:
    return type(task.task_spec).__name__.endswith("BoundaryEvent")


def _ancestors(wf: BpmnWorkflow, guid: str) -> set[str]:
    """The task and every activity it runs inside (sub-processes and call activities included)."""
    found: set[str] = set()
    task = wf.get_task_from_id(UUID(guid))
    while task is not None:
        found.add(str(task.id))
        if task.parent is not None:
            task = task.parent
            continue
        outer = getattr(task.workflow, "parent_task_id", None)
        task = wf.get_task_from_id(outer) if outer else None
    return found


def timers_of(wf: BpmnWorkflow, guid: str) -> list[Timer]:
    """The timers watching a user task: boundary events on it or on an activity it runs inside
    (the D4 ladder sits on the sub-process around the reply)."""
    around = _ancestors(wf, guid)
    return [t for t in timers(wf) if t.attached_to in around]


def move_timer(wf: BpmnWorkflow, guid: str, due: datetime) -> None:
    """Make an armed timer fall due at `due` (a cycle: its next occurrence)."""
    task = wf.get_task_from_id(UUID(guid))
    value = task.internal_data.get("event_value")
    moment = due.astimezone(UTC).isoformat()
    if isinstance(value, dict):
        task.internal_data["event_value"] = {**value, "next": moment}
    else:
        task.internal_data["event_value"] = moment


def _with_sources(tasks: list[Any]) -> list[Any]:
    """The tasks and the completed tasks they inherit from: a waiting timer takes its parent's data
    again when it fires, so a change made to the timer alone would be undone."""
    out = {t.id: t for t in tasks}
    for task in tasks:
        if task.parent is not None and task.parent.state == TaskState.COMPLETED:
            out.setdefault(task.parent.id, task.parent)
    return list(out.values())


def set_data(wf: BpmnWorkflow, guid: str, values: dict[str, Any]) -> None:
    """Change data of one open user task and of the timers watching it (a reassigned task's person, an
    extended task's due date: the reminders those timers send read it)."""
    watching = [wf.get_task_from_id(UUID(t.guid)) for t in timers_of(wf, guid)]
    for task in _with_sources([wf.get_task_from_id(UUID(guid)), *watching]):
        task.set_data(**values)


def correct_data(wf: BpmnWorkflow, changes: dict[str, Any]) -> int:
    """Set `changes` in the data of every task still to run (and what those inherit from again);
    returns how many tasks took them."""
    pending = _with_sources(list(wf.get_tasks(state=_PENDING)))
    for task in pending:
        task.set_data(**changes)
    return len(pending)
