"""Periodic steps that never stack up (issue 9 #14): a step a cycle timer opens again every period (a
monthly progress report) stays one open step per scope. When the next period opens another while the last
is still open, the new one is withdrawn and counted on the open one as a missed period."""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

MISSED = "missed_periods"  # the open step's count of the periods it stands for beyond its own


def collapse_repeats(wf: BpmnWorkflow, bpmn_ids: frozenset[str]) -> dict[str, int]:
    """Withdraw every later READY copy of a listed step in the same (sub)process; returns the guid of
    each step that took missed periods, with its count."""
    if not bpmn_ids:
        return {}
    groups: dict[tuple[int, str], list[Any]] = {}
    for task in wf.get_tasks(state=TaskState.READY, manual=True):
        if task.task_spec.bpmn_id in bpmn_ids:
            groups.setdefault((id(task.workflow), task.task_spec.bpmn_id), []).append(task)
    counted: dict[str, int] = {}
    for tasks in groups.values():
        kept, *later = sorted(tasks, key=lambda t: (t.last_state_change, str(t.id)))
        if not later:
            continue
        for task in later:
            task.cancel()
        kept.data[MISSED] = int(kept.data.get(MISSED, 0)) + len(later)
        counted[str(kept.id)] = kept.data[MISSED]
    return counted
