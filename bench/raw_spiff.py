"""The same step on raw SpiffWorkflow, in memory: deserialize JSON → complete → engine steps → serialize."""

from __future__ import annotations

import json
import time
from datetime import datetime
from pathlib import Path

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState

from bench.cases import Case
from engine import CHINA_TZ, FrozenClock
from engine.scripting import HELPERS, ScriptContext, script_context
from engine.spiff import engine_clock
from engine.workdays import WorkCalendar


def raw_complete_samples(workflows: Path, case: Case, rounds: int) -> list[float]:
    import tomllib

    settings = tomllib.loads((case.folder / "process.toml").read_text("utf-8")).get("settings", {})
    parser = SpiffBpmnParser()
    parser.add_bpmn_files([str(p) for p in case.folder.glob("*.bpmn")])
    parser.add_dmn_files([str(p) for p in case.folder.glob("*.dmn")])
    engine = PythonScriptEngine(environment=TaskDataEnvironment(dict(HELPERS)))
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
    clock = FrozenClock(datetime(2025, 9, 1, 9, tzinfo=CHINA_TZ))
    # Raw SpiffWorkflow has no document store: a statutory document just gets a number here.
    ctx = ScriptContext(clock, WorkCalendar.default(), documents=lambda kind, _fields: f"{kind}〔2025〕1号")
    with script_context(ctx), engine_clock(clock):  # the deadlines of 2025 must not all be past
        wf = BpmnWorkflow(
            parser.get_spec(case.process_id),
            parser.get_subprocess_specs(case.process_id),
            script_engine=engine,
        )
        start_data = case.start_data(0)
        units = tomllib.loads((workflows / "county.toml").read_text("utf-8"))["units"]
        start_data["subject_unit_name"] = units[start_data["subject_unit"]]  # the engine adds it at start
        wf.task_tree.data.update({**settings, **start_data, "started_by": case.starter})
        wf.do_engine_steps()
        for message in {e.name for e in wf.waiting_events() if e.event_type == "MessageEventDefinition"}:
            wf.send_event(BpmnEvent(MessageEventDefinition(message), payload=start_data))  # a message start
        wf.do_engine_steps()
        first = serializer.serialize_json(wf)
        samples = []
        for _ in range(rounds):
            state = first
            for bpmn_id, _user, data in case.walk:
                t0 = time.perf_counter()
                wf = serializer.deserialize_json(state)
                wf.script_engine = engine
                _complete(wf, bpmn_id, data, case.folder / "forms")
                state = serializer.serialize_json(wf)
                samples.append(time.perf_counter() - t0)
    return samples


def _complete(wf: BpmnWorkflow, bpmn_id: str, data: dict, forms: Path) -> None:
    ready = wf.get_tasks(state=TaskState.READY, manual=True)
    task = next((t for t in ready if t.task_spec.bpmn_id == bpmn_id), None)
    if task is None:
        raise LookupError(f"{bpmn_id} not ready: {[t.task_spec.bpmn_id for t in ready]}")
    form = task.task_spec.extensions.get("properties", {}).get("formJsonSchemaFilename")
    task.set_data(**data, **(_person_names(forms / form, data) if form else {}))
    task.run()
    wf.do_engine_steps()


def _person_names(schema_file: Path, data: dict) -> dict:
    """What the engine's form validation adds beside person fields (`<field>_name`, `<field>_names`,
    `<field>_<column>_names`; engine/forms.py): here the login stands for the name (no directory)."""
    names: dict = {}
    for name, spec in json.loads(schema_file.read_text("utf-8")).get("properties", {}).items():
        value, items = data.get(name), spec.get("items", {})
        if spec.get("format") == "username" and isinstance(value, str):
            names[f"{name}_name"] = value
        elif items.get("format") == "username" and isinstance(value, list):
            names[f"{name}_names"] = [str(v) for v in value]
        elif items.get("type") == "object" and isinstance(value, list):
            for column, c in items.get("properties", {}).items():
                if c.get("format") == "username":
                    names[f"{name}_{column}_names"] = [
                        r.get(column, "") if isinstance(r, dict) else "" for r in value
                    ]
    return names
