"""Moving a running instance onto another version's specs (SPIFFWORKFLOW.md §8): SpiffWorkflow's diff
aligns the task specs; READY and WAITING branches are reset onto the new specs, and the waiting timers
keep the due moments they had (their `event_value`), so no deadline moves."""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.util.diff import diff_workflow, migrate_workflow
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState

from ..errors import ProcessFailed
from .serializer import SERIALIZER as _SERIALIZER

_PASSED = TaskState.COMPLETED | TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR


def blockers(wf: BpmnWorkflow, spec: Any, subprocess_specs: dict[str, Any]) -> list[str]:
    """Why the instance cannot move onto these specs: a step it has passed or stands on is gone, or a
    sub-process it runs no longer exists. Empty: it can move."""
    top, subs = diff_workflow(_SERIALIZER.registry, wf, spec, subprocess_specs)
    reasons = [_gone(t) for t in top.removed if t.state & _PASSED]
    for sp_id, sub in subs.items():
        if sub is None:
            reasons.append(f"子流程 {wf.subprocesses[sp_id].spec.name} 在新版本中已不存在")
        else:
            reasons += [_gone(t) for t in sub.removed if t.state & _PASSED]
    return list(dict.fromkeys(reasons))


def _gone(task: Any) -> str:
    name = getattr(task.task_spec, "bpmn_name", None) or task.task_spec.name
    current = task.state & (TaskState.READY | TaskState.WAITING | TaskState.STARTED)
    where = "当前步骤" if current else "已办步骤"
    return f"{where}「{name}」在新版本中已删除"


def migrate(wf: BpmnWorkflow, spec: Any, subprocess_specs: dict[str, Any]) -> None:
    """Move `wf` onto the specs in place (call `blockers` first). Timers keep their due moments.
    ProcessFailed when the new specs cannot run on the case's data (then discard `wf`)."""
    try:
        _migrate(wf, spec, subprocess_specs)
    except SpiffWorkflowException as exc:
        raise ProcessFailed(f"新版本在本案上无法运行：{exc}") from exc


def _migrate(wf: BpmnWorkflow, spec: Any, subprocess_specs: dict[str, Any]) -> None:
    waiting = {t.id: dict(t.internal_data) for t in wf.get_tasks(state=TaskState.WAITING)}
    top, subs = diff_workflow(_SERIALIZER.registry, wf, spec, subprocess_specs)
    migrate_workflow(top, wf, spec)
    for sp_id, sub in subs.items():
        subprocess = wf.subprocesses[sp_id]
        if sub is not None:
            migrate_workflow(sub, subprocess, subprocess_specs[subprocess.spec.name])
    wf.subprocess_specs = subprocess_specs
    for task_id, internal in waiting.items():
        task = _task(wf, task_id)
        if task is not None and internal:
            task.internal_data.update({k: v for k, v in internal.items() if k.startswith("event_")})


def _task(wf: BpmnWorkflow, task_id: Any) -> Any:
    if task_id in wf.tasks:
        return wf.tasks[task_id]
    return next((sp.tasks[task_id] for sp in wf.subprocesses.values() if task_id in sp.tasks), None)
