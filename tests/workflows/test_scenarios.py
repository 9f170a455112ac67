"""Runs every scenario file next to each diagram (workflows/*/scenarios/*.json) through the real engine.

A scenario says who does what with which data and when, and what must hold afterwards: the READY
tasks, the instance data, the notifications sent, the final status. See workflows/README.md.
"""

from __future__ import annotations

import json
import tomllib
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from engine import Conflict, Engine, InvalidSubmission, NotFound, NotPermitted, spiff
from engine.db.models import Document, HumanTask, Notification, ProcessInstance
from tests.conftest import FIXTURES, WORKFLOWS, build_engine, make_workflows_dir

SCENARIOS = sorted([*WORKFLOWS.glob("*/scenarios/*.json"), *FIXTURES.glob("*/scenarios/*.json")])
ERRORS = {400: InvalidSubmission, 403: NotPermitted, 404: NotFound, 409: Conflict}


# The smallest valid PDF: what a scenario uploads as evidence ("upload": "name.pdf").
_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


class Run:
    """One scenario being played against a fresh engine, looking at one instance (its own, or one that
    a message started: `"in": "rectification#2"`)."""

    def __init__(self, engine: Engine, instance_id: int):
        self.engine = engine
        self.instance_id = instance_id
        self.last_notice = 0
        self.files: dict[str, str] = {}  # uploaded file name -> sha256, for "@file:<name>" in data

    def upload(self, step: dict[str, Any]) -> None:
        name = step["upload"]
        content = _PDF + name.encode("utf-8")  # a distinct file per name
        view = self.engine.upload(_actor(self.engine, step["as"]), name, content, self.instance_id)
        self.files[name] = view.sha256

    def resolve(self, value: Any) -> Any:
        """Data with every "@file:<name>" replaced by the sha256 of that uploaded file."""
        if isinstance(value, str) and value.startswith("@file:"):
            return self.files[value.removeprefix("@file:")]
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        return value

    def focus(self, target: str | None, own_id: int) -> None:
        if target is None:
            self.instance_id = own_id
            return
        process_id, _, nth = target.partition("#")
        with self.engine.ctx.db.reading() as session:
            ids = list(
                session.scalars(
                    select(ProcessInstance.id)
                    .where(ProcessInstance.process_id == process_id)
                    .order_by(ProcessInstance.id)
                )
            )
        number = int(nth or 1)
        assert len(ids) >= number, f"no instance {target}: {process_id} has {len(ids)}"
        if self.instance_id != ids[number - 1]:
            self.instance_id, self.last_notice = ids[number - 1], 0

    def instance_counts(self) -> dict[str, int]:
        with self.engine.ctx.db.reading() as session:
            rows = session.execute(
                select(ProcessInstance.process_id, func.count()).group_by(ProcessInstance.process_id)
            )
            return {process_id: count for process_id, count in rows}

    def document_kinds(self) -> list[str]:
        with self.engine.ctx.db.reading() as session:
            query = select(Document.kind).where(Document.instance_id == self.instance_id)
            return list(session.scalars(query.order_by(Document.id)))

    def ready(self) -> list[HumanTask]:
        with self.engine.ctx.db.reading() as session:
            return list(
                session.scalars(
                    select(HumanTask).where(
                        HumanTask.instance_id == self.instance_id, HumanTask.status == "ready"
                    )
                )
            )

    def data(self) -> dict[str, Any]:
        with self.engine.ctx.db.reading() as session:
            inst = session.get(ProcessInstance, self.instance_id)
            assert inst is not None
            version = self.engine.ctx.specs.get(session, inst.version_id)
            wf = spiff.load(version.specs, inst.state_json, inst.serializer_version)
            return spiff.current_data(wf)

    def status(self) -> str:
        with self.engine.ctx.db.reading() as session:
            inst = session.get(ProcessInstance, self.instance_id)
            assert inst is not None
            return inst.status

    def notified_lanes(self) -> set[str]:
        with self.engine.ctx.db.reading() as session:
            rows = list(
                session.scalars(
                    select(Notification).where(
                        Notification.instance_id == self.instance_id, Notification.id > self.last_notice
                    )
                )
            )
        if rows:
            self.last_notice = max(r.id for r in rows)
        return {r.lane for r in rows}


def _actor(engine: Engine, username: str):  # type: ignore[no-untyped-def]
    found = engine.actor_by_name(username)
    assert found is not None, f"unknown user {username}"
    return found


def _move_clock(engine: Engine, at: str) -> None:
    engine.clock.set(datetime.fromisoformat(at))  # type: ignore[attr-defined]
    engine.fire_due_timers()


def _complete(run: Run, step: dict[str, Any], where: str) -> None:
    matches = [t for t in run.ready() if t.bpmn_id == step["complete"]]
    assert len(matches) == 1, (
        f"{where}: expected one READY {step['complete']}, found {[t.bpmn_id for t in run.ready()]}"
    )
    actor = _actor(run.engine, step["as"])
    data = run.resolve(step.get("data", {}))
    if "error" in step:
        with pytest.raises(ERRORS[step["error"]]) as caught:
            run.engine.complete(actor, matches[0].id, data)
        if "errors" in step:
            assert set(step["errors"]) <= set(caught.value.errors), f"{where}: {caught.value.errors}"
        return
    run.engine.complete(actor, matches[0].id, data)


def _expect(run: Run, expected: dict[str, Any], where: str) -> None:
    if "ready" in expected:
        assert sorted(t.bpmn_id for t in run.ready()) == sorted(expected["ready"]), where
    if "data" in expected:
        data = run.data()
        for key, value in expected["data"].items():
            assert data.get(key) == value, f"{where}: data[{key!r}] = {data.get(key)!r}, expected {value!r}"
    if "notified" in expected:
        lanes = run.notified_lanes()
        wanted = set(expected["notified"])
        assert wanted <= lanes if wanted else not lanes, f"{where}: notified {sorted(lanes)}"
    if "status" in expected:
        assert run.status() == expected["status"], where
    if "instances" in expected:
        counts = run.instance_counts()
        for process_id, count in expected["instances"].items():
            assert counts.get(process_id, 0) == count, f"{where}: instances {counts}"
    if "documents" in expected:
        assert run.document_kinds() == expected["documents"], f"{where}: documents {run.document_kinds()}"


def _own_process(folder: Path, deployed: set[str]) -> str:
    process_id = tomllib.loads((folder / "process.toml").read_text("utf-8"))["process"]["id"]
    assert process_id in deployed
    return str(process_id)


@pytest.mark.parametrize("database", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_scenario(path: Path, database: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """Every scenario on SQLite and on PostgreSQL, so no SQLite-only SQL creeps into the engine."""
    scenario = json.loads(path.read_text(encoding="utf-8"))
    start = scenario["start"]
    url = request.getfixturevalue("fresh_postgres") if database == "postgresql" else ""
    linked = [path.parent.parent.parent / name for name in scenario.get("with", [])]  # sibling folders
    workflows = make_workflows_dir(tmp_path, path.parent.parent, *linked)
    engine = build_engine(
        tmp_path, workflows, database_url=url, at=datetime.fromisoformat(start["at"]), seed=False
    )
    try:
        deployed = {r.process_id for r in engine.deploy()}
        process_id = _own_process(path.parent.parent, deployed)
        instance_id = engine.start(_actor(engine, start["as"]), process_id, start["data"])
        run = Run(engine, instance_id)
        for number, step in enumerate(scenario.get("steps", []), 1):
            where = f"{path.name} step {number}"
            if "at" in step:
                _move_clock(engine, step["at"])
            run.focus(step.get("in"), instance_id)
            if "upload" in step:
                run.upload(step)
            if "complete" in step:
                _complete(run, step, where)
            if "expect" in step:
                _expect(run, step["expect"], where)
        run.focus(scenario.get("end", {}).get("in"), instance_id)
        _expect(run, scenario.get("end", {}), f"{path.name} end")
        assert engine.verify_audit() is None
    finally:
        engine.close()
