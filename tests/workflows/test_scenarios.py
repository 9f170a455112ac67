"""Runs every scenario file next to each diagram (workflows/*/scenarios/*.json) through the real engine.

A scenario says who does what with which data and when, and what must hold afterwards: the READY
tasks, the instance data, the notifications sent, the final status, the instances its messages
started and the documents issued. See workflows/README.md. The moves themselves are engine.storyline's
Walk, which also plays the demo storyline.
"""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from typing import Any

import docx
import pytest
from sqlalchemy import func, select

from engine import Conflict, InvalidSubmission, NotFound, NotPermitted, spiff
from engine.db.models import Document, Notification, ProcessInstance
from engine.storyline import Walk, load_scenario, process_id_of
from tests.conftest import FIXTURES, WORKFLOWS, build_engine, make_workflows_dir

SCENARIOS = sorted([*WORKFLOWS.glob("*/scenarios/*.json"), *FIXTURES.glob("*/scenarios/*.json")])
ERRORS = {400: InvalidSubmission, 403: NotPermitted, 404: NotFound, 409: Conflict}


class Checks:
    """What a scenario can check about the instance a walk is looking at."""

    def __init__(self, walk: Walk):
        self.walk = walk
        self.engine = walk.engine
        self.last_notice: dict[int, int] = {}

    def data(self) -> dict[str, Any]:
        with self.engine.ctx.db.reading() as session:
            inst = session.get(ProcessInstance, self.walk.instance_id)
            assert inst is not None
            version = self.engine.ctx.specs.get(session, inst.version_id)
            wf = spiff.load(version.specs, inst.state_json, inst.serializer_version)
            return spiff.current_data(wf)

    def status(self) -> str:
        with self.engine.ctx.db.reading() as session:
            inst = session.get(ProcessInstance, self.walk.instance_id)
            assert inst is not None
            return inst.status

    def notified_lanes(self) -> set[str]:
        instance_id = self.walk.instance_id
        with self.engine.ctx.db.reading() as session:
            query = select(Notification).where(
                Notification.instance_id == instance_id,
                Notification.id > self.last_notice.get(instance_id, 0),
                Notification.kind == "notice",  # the process's own notify() calls
            )
            rows = list(session.scalars(query))
        if rows:
            self.last_notice[instance_id] = max(r.id for r in rows)
        return {r.lane for r in rows}

    def instance_counts(self) -> dict[str, int]:
        with self.engine.ctx.db.reading() as session:
            query = select(ProcessInstance.process_id, func.count()).group_by(ProcessInstance.process_id)
            return {process_id: count for process_id, count in session.execute(query)}

    def document_text(self, kind: str) -> str:
        """The DOCX text of the instance's latest document of `kind` (paragraphs, then table cells)."""
        with self.engine.ctx.db.reading() as session:
            query = select(Document.docx_sha256).where(
                Document.instance_id == self.walk.instance_id, Document.kind == kind
            )
            sha = session.scalars(query.order_by(Document.id.desc())).first()
        assert sha is not None, f"no document {kind}"
        document = docx.Document(io.BytesIO((self.engine.settings.files_dir / sha[:2] / sha).read_bytes()))
        cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
        return "\n".join([p.text for p in document.paragraphs] + cells)

    def document_kinds(self) -> list[str]:
        with self.engine.ctx.db.reading() as session:
            query = select(Document.kind).where(Document.instance_id == self.walk.instance_id)
            return list(session.scalars(query.order_by(Document.id)))


def _refused(walk: Walk, step: dict[str, Any], where: str) -> None:
    actor, data = walk.actor(step["as"]), walk.resolve(step.get("data", {}))
    with pytest.raises(ERRORS[step["error"]]) as caught:
        if "start" in step:
            walk.engine.start(actor, step["start"], data)
        else:
            walk.engine.complete(actor, walk.task(step["complete"]).id, data)
    if "errors" in step:
        assert set(step["errors"]) <= set(caught.value.errors), f"{where}: {caught.value.errors}"


def _expect(checks: Checks, expected: dict[str, Any], where: str) -> None:
    if "ready" in expected:
        assert sorted(t.bpmn_id for t in checks.walk.ready()) == sorted(expected["ready"]), where
    if "data" in expected:
        data = checks.data()
        for key, value in expected["data"].items():
            assert data.get(key) == value, f"{where}: data[{key!r}] = {data.get(key)!r}, expected {value!r}"
    if "notified" in expected:
        lanes = checks.notified_lanes()
        wanted = set(expected["notified"])
        assert wanted <= lanes if wanted else not lanes, f"{where}: notified {sorted(lanes)}"
    if "status" in expected:
        assert checks.status() == expected["status"], where
    if "instances" in expected:
        counts = checks.instance_counts()
        for process_id, count in expected["instances"].items():
            assert counts.get(process_id, 0) == count, f"{where}: instances {counts}"
    if "documents" in expected:
        assert checks.document_kinds() == expected["documents"], (
            f"{where}: documents {checks.document_kinds()}"
        )
    _expect_wording(checks, expected, where)


def _expect_wording(checks: Checks, expected: dict[str, Any], where: str) -> None:
    """What the latest document of a kind says, and must not say."""
    for kind, sentences in expected.get("says", {}).items():
        text = checks.document_text(kind)
        for sentence in sentences:
            assert sentence in text, f"{where}: {kind} does not say {sentence!r}:\n{text}"
    for kind, sentences in expected.get("never_says", {}).items():
        text = checks.document_text(kind)
        for sentence in sentences:
            assert sentence not in text, f"{where}: {kind} says {sentence!r}"


@pytest.mark.parametrize("database", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_scenario(path: Path, database: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """Every scenario on SQLite and on PostgreSQL, so no SQLite-only SQL creeps into the engine."""
    scenario = load_scenario(path, process_id_of(path.parent.parent))
    url = request.getfixturevalue("fresh_postgres") if database == "postgresql" else ""
    linked = [path.parent.parent.parent / name for name in scenario.get("with", [])]  # sibling folders
    workflows = make_workflows_dir(tmp_path, path.parent.parent, *linked)
    at = datetime.fromisoformat(scenario["start"]["at"])
    engine = build_engine(tmp_path, workflows, database_url=url, at=at, seed=False)
    try:
        walk = Walk(engine)
        walk.start(scenario["start"])
        checks = Checks(walk)
        for number, step in enumerate(scenario.get("steps", []), 1):
            where = f"{path.name} step {number}"
            walk.act(step)
            if "error" in step:
                _refused(walk, step, where)
            if "expect" in step:
                _expect(checks, step["expect"], where)
        walk.focus(scenario.get("end", {}).get("in"))
        _expect(checks, scenario.get("end", {}), f"{path.name} end")
        assert engine.verify_audit() is None
    finally:
        engine.close()
