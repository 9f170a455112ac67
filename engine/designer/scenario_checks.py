"""One scenario file walked and checked on an engine: who does what with which data and when, and what
must hold afterwards (READY steps, case data, notices, status, cases its messages started, documents and
their wording). The tests, `qinglian test` and the designer's 运行场景 all use this one checker."""

from __future__ import annotations

import io
from typing import Any

import docx
from sqlalchemy import func, select

from .. import spiff
from ..api import Engine
from ..db.models import Document, Notification, ProcessInstance
from ..errors import Conflict, EngineError, InvalidSubmission, NotFound, NotPermitted
from ..storyline import Walk

ERRORS: dict[int, type[EngineError]] = {
    400: InvalidSubmission,
    403: NotPermitted,
    404: NotFound,
    409: Conflict,
}


class ScenarioFailed(AssertionError):
    """A scenario's expectation did not hold; the message says which step and what was found."""


def check_scenario(engine: Engine, scenario: dict[str, Any], name: str) -> None:
    """Walk the scenario on `engine` (a FrozenClock engine with its process deployed); ScenarioFailed
    names the first expectation that did not hold, and the audit chain must verify afterwards."""
    walk = Walk(engine)
    walk.start(scenario["start"])
    checks = _Checks(walk)
    for number, step in enumerate(scenario.get("steps", []), 1):
        where = f"{name} 第 {number} 步"
        try:
            walk.act(step)
        except (LookupError, EngineError) as exc:
            raise ScenarioFailed(f"{where}: {exc}") from exc
        if "error" in step:
            _refused(walk, step, where)
        if "expect" in step:
            _expect(checks, step["expect"], where)
    walk.focus(scenario.get("end", {}).get("in"))
    _expect(checks, scenario.get("end", {}), f"{name} 结束时")
    broken = engine.verify_audit()
    if broken is not None:
        raise ScenarioFailed(f"{name}: 审计链不完整：{broken}")


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ScenarioFailed(message)


def _refused(walk: Walk, step: dict[str, Any], where: str) -> None:
    actor, data = walk.actor(step["as"]), walk.resolve(step.get("data", {}))
    wanted = ERRORS[step["error"]]
    try:
        if "start" in step:
            walk.engine.start(actor, step["start"], data)
        else:
            walk.engine.complete(actor, walk.task(step["complete"]).id, data)
    except wanted as exc:
        errors = getattr(exc, "errors", {})
        _require(set(step.get("errors", [])) <= set(errors), f"{where}: 字段错误为 {errors}")
        return
    raise ScenarioFailed(f"{where}: 应被拒绝（{step['error']}），却办理成功")


class _Checks:
    """What a scenario can check about the case a walk is looking at."""

    def __init__(self, walk: Walk):
        self.walk = walk
        self.engine = walk.engine
        self.last_notice: dict[int, int] = {}

    def data(self) -> dict[str, Any]:
        with self.engine.ctx.db.reading() as session:
            inst = session.get(ProcessInstance, self.walk.instance_id)
            if inst is None:
                raise ScenarioFailed(f"没有案件 {self.walk.instance_id}")
            version = self.engine.ctx.specs.get(session, inst.version_id)
            wf = spiff.load(version.specs, inst.state_json, inst.serializer_version)
            return spiff.current_data(wf)

    def status(self) -> str:
        with self.engine.ctx.db.reading() as session:
            inst = session.get(ProcessInstance, self.walk.instance_id)
            return inst.status if inst is not None else ""

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

    def document_text(self, kind: str, where: str) -> str:
        """The DOCX text of the case's latest document of `kind` (paragraphs, then table cells)."""
        with self.engine.ctx.db.reading() as session:
            query = select(Document.docx_sha256).where(
                Document.instance_id == self.walk.instance_id, Document.kind == kind
            )
            sha = session.scalars(query.order_by(Document.id.desc())).first()
        _require(sha is not None, f"{where}: 没有文书 {kind}")
        path = self.engine.settings.files_dir / str(sha)[:2] / str(sha)
        document = docx.Document(io.BytesIO(path.read_bytes()))
        cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
        return "\n".join([p.text for p in document.paragraphs] + cells)

    def document_kinds(self) -> list[str]:
        with self.engine.ctx.db.reading() as session:
            query = select(Document.kind).where(Document.instance_id == self.walk.instance_id)
            return list(session.scalars(query.order_by(Document.id)))


def _expect(checks: _Checks, expected: dict[str, Any], where: str) -> None:
    if "ready" in expected:
        ready = sorted(t.bpmn_id for t in checks.walk.ready())
        _require(ready == sorted(expected["ready"]), f"{where}: 待办步骤为 {ready}，应为 {expected['ready']}")
    if "data" in expected:
        data = checks.data()
        for key, value in expected["data"].items():
            _require(data.get(key) == value, f"{where}: 数据 {key} 为 {data.get(key)!r}，应为 {value!r}")
    if "notified" in expected:
        lanes, wanted = checks.notified_lanes(), set(expected["notified"])
        _require(wanted <= lanes if wanted else not lanes, f"{where}: 通知了 {sorted(lanes)}")
    if "status" in expected:
        status = checks.status()
        _require(status == expected["status"], f"{where}: 状态为 {status}，应为 {expected['status']}")
    if "instances" in expected:
        counts = checks.instance_counts()
        for process_id, count in expected["instances"].items():
            _require(counts.get(process_id, 0) == count, f"{where}: 案件数 {counts}")
    if "documents" in expected:
        kinds = checks.document_kinds()
        _require(kinds == expected["documents"], f"{where}: 文书为 {kinds}，应为 {expected['documents']}")
    _expect_wording(checks, expected, where)


def _expect_wording(checks: _Checks, expected: dict[str, Any], where: str) -> None:
    """What the latest document of a kind says, and must not say."""
    for kind, sentences in expected.get("says", {}).items():
        text = checks.document_text(kind, where)
        for sentence in sentences:
            _require(sentence in text, f"{where}: 文书 {kind} 没有写“{sentence}”")
    for kind, sentences in expected.get("never_says", {}).items():
        text = checks.document_text(kind, where)
        for sentence in sentences:
            _require(sentence not in text, f"{where}: 文书 {kind} 不应写“{sentence}”")
