"""F2 for linked processes: two officers (or two messages) start the same correlated case at once —
one instance, and the other gets a clear refusal; on PostgreSQL the second writer waits on the unique
key of instance_link until the first commits."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

import engine.messaging
from engine import InvalidSubmission
from engine.db.models import InstanceLink, ProcessInstance
from tests.conftest import FIXTURES
from tests.reliability.support import Contender, Rig, pause_after

CASE = {"case_no": "T-1", "subject_unit": "SJJ", "note": "巡察移交"}


def test_the_same_correlated_case_started_twice_at_once(rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    office_a, office_b = rig.engines[0], rig.engine()
    office_a.deploy(FIXTURES / "relay_target")
    officer = rig.actor("zhoujiu")
    gate = pause_after(monkeypatch, engine.messaging, "claim", "A")  # A holds its claim, uncommitted
    a = Contender("A", lambda: office_a.start(officer, "relay_target", CASE))
    b = Contender("B", lambda: office_b.start(officer, "relay_target", CASE))
    a.start()
    gate.wait_reached()
    b.start()
    rig.wait_blocked("B")
    gate.open()
    assert isinstance(a.outcome(), int), a.outcome()
    assert isinstance(b.outcome(), InvalidSubmission), b.outcome()
    with office_a.ctx.db.reading() as session:
        started = select(func.count()).where(ProcessInstance.process_id == "relay_target")
        assert session.scalar(started.select_from(ProcessInstance)) == 1
        assert session.scalar(select(func.count()).select_from(InstanceLink)) == 1
    rig.verify_audit()
