"""The same step on raw SpiffWorkflow, in memory: deserialize JSON → complete → engine steps → serialize."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

from bench.cases import Case
from engine import CHINA_TZ, FrozenClock
from engine.scripting import HELPERS, ScriptContext, script_context
from engine.workdays import WorkCalendar


def raw_complete_samples(workflows: Path, case: Case, rounds: int) -> list[float]:
    import tomllib

    settings = tomllib.loads((case.folder / "process.toml").read_text("utf-8")).get("settings", {})
    parser = SpiffBpmnParser()
    parser.add_bpmn_files([str(p) for p in case.folder.glob("*.bpmn")])
    parser.add_dmn_files([str(p) for p in case.folder.glob("*.dmn")])
    engine = PythonScriptEngine(environment=TaskDataEnvironment(dict(HELPERS)))
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
    ctx = ScriptContext(FrozenClock(datetime(2025, 9, 1, 9, tzinfo=CHINA_TZ)), WorkCalendar.default())
    with script_context(ctx):
        wf = BpmnWorkflow(
            parser.get_spec(case.process_id),
            parser.get_subprocess_specs(case.process_id),
            script_engine=engine,
        )
        wf.task_tree.data.update({**settings, **case.start_data(0), "started_by": case.starter})
        wf.do_engine_steps()
        for bpmn_id, _user, data in case.before:
            _complete(wf, bpmn_id, data)
        state = serializer.serialize_json(wf)
        samples = []
        for _ in range(rounds):
            t0 = time.perf_counter()
            wf = serializer.deserialize_json(state)
            wf.script_engine = engine
            _complete(wf, case.task, case.data)
            serializer.serialize_json(wf)
            samples.append(time.perf_counter() - t0)
    return samples


def _complete(wf: BpmnWorkflow, bpmn_id: str, data: dict) -> None:
    task = next(t for t in wf.get_tasks(state=TaskState.READY, manual=True) if t.task_spec.bpmn_id == bpmn_id)
    task.set_data(**data)
    task.run()
    wf.do_engine_steps()
