"""BPMN messages between processes: a thrown message starts the receiving process, linked to its
sender, at most once per correlation; a payload that does not fit is refused and nothing changes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine import CHINA_TZ, Engine, InvalidSubmission, ProcessFailed
from engine.db.models import AuditEvent, Document, HumanTask, Incident, InstanceLink, ProcessInstance
from engine.messaging import MAX_STARTS
from tests.conftest import FIXTURES, build_engine, make_workflows_dir


@pytest.fixture
def relay(tmp_path: Path) -> Iterator[Engine]:
    workflows = make_workflows_dir(tmp_path, FIXTURES / "relay_source", FIXTURES / "relay_target")
    engine = build_engine(tmp_path, workflows, at=datetime(2026, 3, 2, 9, 0, tzinfo=CHINA_TZ))
    yield engine
    engine.close()


def _actor(engine: Engine, name: str):  # type: ignore[no-untyped-def]
    found = engine.actor_by_name(name)
    assert found is not None
    return found


def _send(engine: Engine, case_no: str, cases: list[dict], **extra: object) -> int:
    zhaoliu = _actor(engine, "zhaoliu")
    source = engine.start(zhaoliu, "relay_source", {"case_no": case_no, "subject_unit": "SJJ"})
    task = next(t for t in engine.inbox(_actor(engine, "zhaoliu")) if t.instance_id == source)
    engine.complete(_actor(engine, "zhaoliu"), task.id, {"cases": cases, **extra})
    return source


def _targets(engine: Engine) -> list[ProcessInstance]:
    with engine.ctx.db.reading() as session:
        query = select(ProcessInstance).where(ProcessInstance.process_id == "relay_target")
        return list(session.scalars(query.order_by(ProcessInstance.id)))


def test_each_thrown_message_starts_a_linked_instance_with_the_payload(relay: Engine) -> None:
    source = _send(relay, "S-1", [{"case_no": "T-1", "note": "甲"}, {"case_no": "T-2", "note": "乙"}])
    targets = _targets(relay)
    assert [t.title for t in targets] == ["移送 T-1 县市场监督管理局", "移送 T-2 县市场监督管理局"]
    assert all(t.unit_id == "SJJ" for t in targets)
    zhoujiu = _actor(relay, "zhoujiu")
    assert sorted(t.instance_id for t in relay.inbox(zhoujiu)) == [t.id for t in targets]
    view = relay.instance(zhoujiu, targets[0].id)
    assert view.data["triggered_by"]["instance"] == source
    assert view.data["note"] == "甲"
    assert [(link.direction, link.instance_id) for link in view.links] == [("triggered_by", None)]
    ag_view = relay.instance(_actor(relay, "zhaoliu"), source)  # 案管室 monitors every case
    assert [(link.direction, link.instance_id) for link in ag_view.links] == [
        ("started", targets[0].id),
        ("started", targets[1].id),
    ]


def test_a_message_issues_its_numbered_document_without_reporter_data(relay: Engine) -> None:
    _send(relay, "S-1", [{"case_no": "T-1"}, {"case_no": "T-2"}])
    view = relay.instance(_actor(relay, "zhoujiu"), _targets(relay)[1].id)
    assert [d.number for d in view.documents] == ["示纪整改〔2026〕2号"]
    assert view.data["notice_no"] == "示纪整改〔2026〕2号"
    with relay.ctx.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Document)) == 2


def test_the_same_correlation_starts_nothing_twice(relay: Engine) -> None:
    _send(relay, "S-1", [{"case_no": "T-1"}, {"case_no": "T-1"}])
    _send(relay, "S-2", [{"case_no": "T-1"}])
    assert len(_targets(relay)) == 1
    with relay.ctx.db.reading() as session:
        sent = list(session.scalars(select(AuditEvent).where(AuditEvent.kind == "messages_sent")))
    assert [len(json.loads(e.payload)["duplicates"]) for e in sent] == [1, 1]
    assert relay.verify_audit() is None


def test_a_start_by_hand_counts_for_the_correlation_both_ways(relay: Engine) -> None:
    zhoujiu = _actor(relay, "zhoujiu")
    by_hand = relay.start(
        zhoujiu, "relay_target", {"case_no": "T-9", "subject_unit": "CZJ", "note": "巡察移交"}
    )
    source = _send(relay, "S-1", [{"case_no": "T-9"}])  # the message finds T-9 already started by hand
    assert len(_targets(relay)) == 1
    view = relay.instance(_actor(relay, "zhaoliu"), source)  # the sender is linked to the case that exists
    assert [(link.direction, link.instance_id) for link in view.links] == [("started", by_hand)]
    with pytest.raises(InvalidSubmission) as refused:
        relay.start(zhoujiu, "relay_target", {"case_no": "T-9", "subject_unit": "CZJ", "note": "再次"})
    assert "_" in refused.value.errors


def test_a_payload_that_does_not_fit_the_receiver_fails_the_sender_and_changes_nothing(relay: Engine) -> None:
    with pytest.raises(ProcessFailed) as failed:
        _send(relay, "S-1", [{"case_no": ""}])  # minLength 1 in the receiver's start form
    assert "relay_target" in str(failed.value) and "case_no" not in str(failed.value)  # no receiver details
    assert _targets(relay) == []
    with relay.ctx.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(InstanceLink)) == 0
        ready = session.scalars(select(HumanTask.bpmn_id).where(HumanTask.status == "ready"))
        assert list(ready) == ["send"]  # the sender still waits at its step
        assert "case_no" in session.scalar(select(Incident.error))  # supervisors see what did not fit


def test_a_form_rule_refuses_the_submission_with_its_message(relay: Engine) -> None:
    with pytest.raises(InvalidSubmission) as refused:
        _send(relay, "S-1", [{"case_no": "T-1"}], due="2026-03-01")
    assert refused.value.errors == {"due": "期限不能早于今天"}
    assert _targets(relay) == []
    _send(relay, "S-2", [{"case_no": "T-1"}], due="2026-03-03")
    assert len(_targets(relay)) == 1


def test_a_rule_that_fails_on_the_data_refuses_instead_of_crashing(relay: Engine) -> None:
    zhaoliu = _actor(relay, "zhaoliu")
    source = relay.start(zhaoliu, "relay_source", {"case_no": "S-1", "subject_unit": "SJJ"})
    task = next(t for t in relay.inbox(zhaoliu) if t.instance_id == source)
    with pytest.raises(InvalidSubmission) as refused:
        relay.complete(zhaoliu, task.id, {"cases": [{"note": "缺编号"}]})  # c['case_no'] raises KeyError
    assert refused.value.errors == {"cases": "每项移送须有编号"}


def test_the_same_file_uploaded_twice_to_a_case_is_one_attachment(relay: Engine) -> None:
    zhaoliu = _actor(relay, "zhaoliu")
    source = relay.start(zhaoliu, "relay_source", {"case_no": "S-1", "subject_unit": "SJJ"})
    pdf = b"%PDF-1.4\n%%EOF\n"
    first = relay.upload(zhaoliu, "清单.pdf", pdf, source)
    again = relay.upload(zhaoliu, "清单.pdf", pdf, source)
    assert again.id == first.id  # one link, pending until a submission names it
    assert relay.instance(zhaoliu, source).attachments == ()


def test_one_action_may_not_start_cases_without_limit(relay: Engine) -> None:
    with pytest.raises(ProcessFailed) as failed:
        _send(relay, "S-1", [{"case_no": f"T-{n}"} for n in range(MAX_STARTS + 1)])
    assert str(MAX_STARTS) in str(failed.value)
    assert _targets(relay) == []
