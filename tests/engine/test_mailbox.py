"""Messages for running instances: a 一案双查 waits for its case's 处分 (case_sanctioned) before the 问责
decision; the message reaches only the inquiry of the same case and unit, and waits in the mailbox when it
comes before the inquiry is ready for it. A process that waits for a message must say by which keys."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from engine import CHINA_TZ, DeployRejected, Engine
from engine.advance import _post
from engine.db.models import AuditEvent, HumanTask, ProcessInstance
from engine.db.oversight import MessagePost
from tests.conftest import WORKFLOWS, build_engine, make_workflows_dir

SANCTION = {
    "sanction_detail": "党纪警告处分",
    "sanction_decision_no": "示纪处〔2026〕1号",
    "sanctioned_on": "2026-03-02",
}


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    workflows = make_workflows_dir(tmp_path, WORKFLOWS / "dual_inquiry", WORKFLOWS / "rectification")
    built = build_engine(tmp_path, workflows, at=datetime(2026, 3, 2, 9, 0, tzinfo=CHINA_TZ))
    yield built
    built.close()


def _do(engine: Engine, who: str, instance_id: int, step: str, data: dict[str, Any]) -> None:
    actor = engine.actor_by_name(who)
    assert actor is not None
    task = next(t for t in engine.next_tasks(actor, instance_id) if t.bpmn_id == step)
    engine.complete(actor, task.id, data)


def _inquiry(engine: Engine, case_no: str, unit: str = "SJJ", waiting: bool = True) -> int:
    """A 一案双查 started by hand, walked (if `waiting`) to the point where it waits for the 处分."""
    zhoujiu = engine.actor_by_name("zhoujiu")
    assert zhoujiu is not None
    start = {"case_no": case_no, "subject_name": "某某", "subject_post": "科长", "subject_unit": unit}
    instance = engine.start(zhoujiu, "dual_inquiry", {**start, "filed_at": "2026-02-27"})
    if not waiting:
        return instance
    persons = [
        {"name": "郑甲", "post": "党组书记、局长", "responsibility_type": "主体责任"},
        {"name": "吴十", "post": "派驻第一纪检监察组组长", "responsibility_type": "监督责任"},
    ]
    review = {"persons_reviewed": persons, "review_summary": "落实不力。", "propose_inquiry": True}
    _do(
        engine,
        "zhoujiu",
        instance,
        "DI_review",
        {**review, "proposal_reason": "发生立案。", "county_led": False},
    )
    _do(engine, "zhangsan", instance, "DI_sj_approve", {"di_sj_decision": "同意", "di_sj_opinion": "同意。"})
    team = {
        "inquiry_team": ["qianqi", "zhoujiu"],
        "inquiry_plan": "个别谈话。",
        "inquiry_started_at": "2026-03-02",
    }
    _do(engine, "zhoujiu", instance, "DI_team", team)
    defence = {"facts_shown_at": "2026-03-02", "facts_summary": "落实不力。", "defence_text": "无异议。"}
    _do(
        engine,
        "zhoujiu",
        instance,
        "DI_defence",
        {**defence, "defence_adopted": False, "inquiry_report": "建议通报。"},
    )
    return instance


def _ready(engine: Engine, instance_id: int) -> list[str]:
    with engine.ctx.db.reading() as session:
        query = select(HumanTask.bpmn_id).where(
            HumanTask.instance_id == instance_id, HumanTask.status == "ready"
        )
        return sorted(session.scalars(query))


def _throw(engine: Engine, source_id: int, case_no: str, unit: str = "SJJ") -> list[int]:
    with engine.ctx.db.transaction() as session:
        source = session.get(ProcessInstance, source_id)
        assert source is not None
        return _post(
            engine.ctx,
            session,
            source,
            "case_sanctioned",
            {"case_no": case_no, "subject_unit": unit, **SANCTION},
        )


def test_a_sanction_reaches_only_the_inquiry_of_its_case_and_unit(engine: Engine) -> None:
    ours, other_case, other_unit = (
        _inquiry(engine, "XS-1"),
        _inquiry(engine, "XS-2"),
        _inquiry(engine, "XS-1", "CZJ"),
    )
    source = _inquiry(engine, "XS-9", waiting=False)
    assert _ready(engine, ours) == []  # waiting: no 问责 decision before the case's 处分
    assert _throw(engine, source, "XS-1") == [ours]
    assert _ready(engine, ours) == ["DI_decision"]
    assert _ready(engine, other_case) == [] and _ready(engine, other_unit) == []
    zhangsan = engine.actor_by_name("zhangsan")
    assert zhangsan is not None
    data = engine.instance(zhangsan, ours).data
    assert (data["sanctioned_on"], data["case_sanction_no"]) == ("2026-03-02", "示纪处〔2026〕1号")
    assert data["decision_due"] == "2026-03-30"  # 20 working days from the 处分, not from 立案
    with engine.ctx.db.reading() as session:
        (post,) = session.scalars(select(MessagePost)).all()
        assert (post.source_id, post.delivered_to) == (source, ours)
        kinds = session.scalars(select(AuditEvent.kind).where(AuditEvent.instance_id == ours)).all()
        assert "message_received" in kinds
    assert engine.verify_audit() is None


def test_a_sanction_that_comes_first_waits_until_the_inquiry_is_ready(engine: Engine) -> None:
    source = _inquiry(engine, "XS-9", waiting=False)
    assert _throw(engine, source, "XS-3") == []
    with engine.ctx.db.reading() as session:
        assert session.scalars(select(MessagePost.delivered_to)).all() == [None]  # kept, not lost
    late = _inquiry(engine, "XS-3")
    assert _ready(engine, late) == ["DI_decision"]
    with engine.ctx.db.reading() as session:
        assert session.scalars(select(MessagePost.delivered_to)).all() == [late]


def test_an_inquiry_started_after_the_sanction_by_hand_does_not_wait(engine: Engine) -> None:
    zhoujiu = engine.actor_by_name("zhoujiu")
    assert zhoujiu is not None
    start = {"case_no": "XS-4", "subject_name": "某某", "subject_post": "科长", "subject_unit": "SJJ"}
    instance = engine.start(
        zhoujiu, "dual_inquiry", {**start, "filed_at": "2026-01-05", "sanctioned_on": "2026-02-02"}
    )
    assert _ready(engine, instance) == ["DI_review"]


def test_a_process_waiting_for_a_message_must_say_how_it_is_matched(engine: Engine, tmp_path: Path) -> None:
    folder = tmp_path / "changed" / "dual_inquiry"
    shutil.copytree(WORKFLOWS / "dual_inquiry", folder)
    toml = folder / "process.toml"
    toml.write_text(
        "\n".join(line for line in toml.read_text("utf-8").splitlines() if not line.startswith("catches"))
    )
    with pytest.raises(
        DeployRejected, match=r"流程等待消息 case_sanctioned，但 process.toml 的 catches 未写明"
    ):
        engine.deploy(folder.parent)
