"""The only package that touches SpiffWorkflow objects: parsing, serializing, stepping, reading tasks.

Everything it returns is plain data (dicts, strings, dataclasses) except the opaque workflow handle
that `runtime` passes back in within one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.bpmn.serializer.workflow import VERSION
from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState

from .. import scripting
from ..clock import Clock
from ..errors import Conflict, ProcessFailed
from .messages import deliver_caught, deliver_start, thrown_messages, waiting_messages
from .migration import blockers as migration_blockers
from .migration import migrate
from .parsing import ParsedProcess, TaskSpecFacts, parse_process
from .periodic import collapse_repeats
from .serializer import ENCODER_LOCK as _ENCODER_LOCK
from .serializer import SERIALIZER as _SERIALIZER

__all__ = [
    "ParsedProcess",
    "TaskSpecFacts",
    "collapse_repeats",
    "deliver_caught",
    "deliver_start",
    "migrate",
    "migration_blockers",
    "parse_process",
    "thrown_messages",
    "waiting_messages",
]

SERIALIZER_VERSION = VERSION
TIMER_EVENTS = ("DurationTimerEventDefinition", "TimeDateEventDefinition", "CycleTimerEventDefinition")

# --- the clock SpiffWorkflow's timers read -------------------------------------------------------
# Spiff's timer module asks `datetime.now(timezone.utc)` whether a timer is due. Injecting our clock
# there is what lets tests and `qinglian timers run --now` fire deadlines without sleeping.
_timer_clock: ContextVar[Clock | None] = ContextVar("qinglian_timer_clock", default=None)


_TICK = timedelta(microseconds=1)


class _ClockedDatetime(datetime):
    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
        clock = _timer_clock.get()
        moment = clock.now() if clock is not None else datetime.now(UTC)
        # Spiff fires a timer when `due < now`; one microsecond makes a timer due at T fire at T itself,
        # as `qinglian timers run --now T` and the worker's `next_timer_at <= now` promise.
        moment += _TICK
        return moment.astimezone(tz) if tz is not None else moment.astimezone().replace(tzinfo=None)


spiff_timer.datetime = _ClockedDatetime  # type: ignore[misc]


@contextmanager
def engine_clock(clock: Clock) -> Iterator[None]:
    """Run the block with `clock` as the time SpiffWorkflow's timers compare against."""
    token = _timer_clock.set(clock)
    try:
        yield
    finally:
        _timer_clock.reset(token)


# --- scripts ---------------------------------------------------------------------------------------
class _RestrictedEnvironment(TaskDataEnvironment):
    """Every script, condition, timer expression and DMN cell goes through RestrictedPython."""

    def evaluate(self, expression, context, external_context=None):  # type: ignore[no-untyped-def]
        return scripting.evaluate(expression, context, external_context)

    def execute(self, script, context, external_context=None):  # type: ignore[no-untyped-def]
        scripting.execute(script, context, external_context)
        return True


SCRIPT_ENGINE = PythonScriptEngine(environment=_RestrictedEnvironment())


@dataclass(frozen=True)
class Specs:
    """Restored specs of one deployed process version (opaque to callers; shareable between threads)."""

    spec: Any
    subprocess_specs: dict[str, Any]


def restore_specs(spec_json: str) -> Specs:
    """Rebuild spec objects from a version's stored JSON (done once per version and process)."""
    d = json.loads(spec_json)
    registry = _SERIALIZER.registry
    return Specs(
        registry.restore(d["spec"]), {k: registry.restore(v) for k, v in d["subprocess_specs"].items()}
    )


# --- workflows -------------------------------------------------------------------------------------
def new_workflow(specs: Specs, data: dict[str, Any]) -> BpmnWorkflow:
    """A fresh instance with `data` as its start data; not yet stepped."""
    wf = BpmnWorkflow(specs.spec, specs.subprocess_specs, script_engine=SCRIPT_ENGINE)
    wf.task_tree.data.update(data)
    return wf


def load(specs: Specs, state_json: str, serializer_version: str) -> BpmnWorkflow:
    """Restore an instance from its stored JSON, with our script engine attached."""
    dct = json.loads(state_json)
    if serializer_version != SERIALIZER_VERSION:
        dct[_SERIALIZER.VERSION_KEY] = serializer_version
        _SERIALIZER.migrate(dct)
    dct["spec"], dct["subprocess_specs"] = specs.spec, specs.subprocess_specs
    wf = _SERIALIZER.from_dict(dct)
    wf.script_engine = SCRIPT_ENGINE  # a custom engine is dropped on deserialize (SPIFFWORKFLOW.md §4)
    return wf


def dump(wf: BpmnWorkflow) -> str:
    """The instance's state as JSON, without its spec.

    The serializer keeps its encoding mode in one shared flag (SPIFFWORKFLOW.md §8): two threads saving
    different instances at once (PostgreSQL, several writers) must not flip it under each other.
    """
    registry = _SERIALIZER.registry
    with _ENCODER_LOCK:
        registry._encoder_mode = True
        try:
            return json.dumps(_SERIALIZER.to_dict(wf), cls=_SERIALIZER._encoder_cls, ensure_ascii=False)
        finally:
            registry._encoder_mode = False


def run(wf: BpmnWorkflow, budget: int, on_task: Callable[[str, str, str], None]) -> None:
    """Run engine steps and due timers until only user tasks and future events wait.

    `on_task(bpmn_id, name, kind)` is called for every engine task completed; more than `budget` of
    them raises ProcessFailed (a loop is suspected) — RELIABILITY F21.
    """
    count = 0

    def did_complete(task: Any) -> None:
        nonlocal count
        count += 1
        if count > budget:
            raise ProcessFailed(f"超过单次推进的步数上限 {budget}，疑似流程死循环（step budget exceeded）")
        spec = task.task_spec
        if getattr(spec, "bpmn_name", None) and not type(spec).__name__.endswith("Gateway"):
            on_task(spec.bpmn_id, spec.bpmn_name, type(spec).__name__)

    try:
        while True:
            wf.do_engine_steps(did_complete_task=did_complete)  # ends with refresh_timers()
            if not any(not t.task_spec.manual for t in wf.get_tasks(state=TaskState.READY)):
                break
    except ProcessFailed:
        raise
    except SpiffWorkflowException as exc:
        raise ProcessFailed(_task_error_message(exc)) from exc
    except Exception as exc:
        raise ProcessFailed(f"流程执行出错：{type(exc).__name__}: {exc}") from exc


def _task_error_message(exc: SpiffWorkflowException) -> str:
    task = getattr(exc, "task", None)
    name = getattr(getattr(task, "task_spec", None), "bpmn_name", None) or getattr(
        getattr(task, "task_spec", None), "bpmn_id", ""
    )
    line = getattr(exc, "line_number", None)
    parts = [f"步骤「{name}」执行出错" if name else "流程执行出错"]
    if line:
        parts.append(f"第 {line} 行")
    return "，".join(parts) + f"：{exc}"


@dataclass(frozen=True)
class ReadyTask:
    guid: str
    bpmn_id: str
    name: str
    lane: str | None
    properties: dict[str, str]
    instructions: str
    data: dict[str, Any]


def ready_user_tasks(wf: BpmnWorkflow) -> list[ReadyTask]:
    """READY manual tasks, in a stable order."""
    return [_ready(t) for t in wf.get_tasks(state=TaskState.READY, manual=True)]


def ready_user_task(wf: BpmnWorkflow, guid: str) -> ReadyTask | None:
    """The READY manual task of that id (looked up by id, not by walking every task), else None."""
    task = wf.get_task_from_id(UUID(guid))
    if task is None or task.state != TaskState.READY or not task.task_spec.manual:
        return None
    return _ready(task)


def _ready(t: Any) -> ReadyTask:
    ext = getattr(t.task_spec, "extensions", {}) or {}
    return ReadyTask(
        guid=str(t.id),
        bpmn_id=t.task_spec.bpmn_id,
        name=t.task_spec.bpmn_name or t.task_spec.bpmn_id,
        lane=t.task_spec.lane,
        properties=dict(ext.get("properties", {}) or {}),
        instructions=ext.get("instructionsForEndUser", "") or "",
        data=t.data,
    )


def complete(wf: BpmnWorkflow, guid: str, data: dict[str, Any]) -> None:
    """Merge validated form data into a READY user task and run it."""
    task = wf.get_task_from_id(UUID(guid))
    if task is None or task.state != TaskState.READY or not task.task_spec.manual:
        raise Conflict("该任务已被处理（task is no longer ready）")
    task.set_data(**data)
    task.run()


def task_data(wf: BpmnWorkflow, guid: str) -> dict[str, Any]:
    """The data of one task as it stands (a completed user task: its data with the submission)."""
    task = wf.get_task_from_id(UUID(guid))
    return dict(task.data) if task is not None else {}


def next_timer_at(wf: BpmnWorkflow) -> datetime | None:
    """The earliest due time of any armed timer, for the worker (SPIFFWORKFLOW.md §3.2)."""
    due = []
    for ev in wf.waiting_events():
        if ev.event_type in TIMER_EVENTS and ev.value:
            value = ev.value["next"] if isinstance(ev.value, dict) else ev.value
            due.append(TimerEventDefinition.get_datetime(value).astimezone(UTC))
    return min(due) if due else None


def is_completed(wf: BpmnWorkflow) -> bool:
    return bool(wf.is_completed())


def current_data(wf: BpmnWorkflow) -> dict[str, Any]:
    """The instance's data as of now: end data when finished, else the union of the waiting tasks' data."""
    if wf.is_completed():
        return dict(wf.data)
    merged: dict[str, Any] = {}
    pending = wf.get_tasks(state=TaskState.READY | TaskState.WAITING | TaskState.STARTED)
    for t in sorted(pending, key=lambda t: t.last_state_change):
        merged.update(t.data)
    return merged


def progress(wf: BpmnWorkflow) -> tuple[list[str], list[str]]:
    """(bpmn ids completed, bpmn ids current) for marking the diagram."""
    done: list[str] = []
    current: list[str] = []
    for t in wf.get_tasks():
        bpmn_id = getattr(t.task_spec, "bpmn_id", None)
        if not bpmn_id:
            continue
        if t.state == TaskState.COMPLETED:
            done.append(bpmn_id)
        elif t.state in (TaskState.READY, TaskState.WAITING, TaskState.STARTED):
            current.append(bpmn_id)
    return sorted(set(done)), sorted(set(current))


def check_script(source: str) -> None:
    """Raise SyntaxError/PermissionError when a script would be refused at run time."""
    scripting.compile_script(source)


def check_expression(source: str) -> None:
    """Raise SyntaxError/PermissionError when an expression would be refused at run time."""
    scripting.compile_expression(source)
