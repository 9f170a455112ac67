"""延期申请 (issue 9 #19, D4): the person answering a 函询 asks for more time from his own step; the
分管副书记 grants it (the deadline and its timers move, the history keeps the old date and who approved)
or refuses it with a reason; either way the person is told."""

from __future__ import annotations

from datetime import date

import pytest

from engine import Conflict, NotFound, Refused
from tests.engine.test_calendar_overrides import _reply, letter  # noqa: F401 — the served 函询


def test_the_person_asks_and_the_deputy_secretary_grants_a_later_reply_date(letter) -> None:  # noqa: F811
    engine, case = letter
    subject, deputy = engine.actor_by_name("fengyi"), engine.actor_by_name("lisi")
    asked = engine.extension_requests.request(
        subject, _reply(engine, case).id, "出差在外，需调取材料", "2025-10-31"
    )
    assert (asked.status, asked.due, asked.wanted) == ("pending", date(2025, 10, 23), date(2025, 10, 31))
    (waiting,) = engine.extension_requests.pending(deputy)
    assert (waiting.requested_by, waiting.reason, waiting.step) == (
        "冯乙",
        "出差在外，需调取材料",
        "A-5b 函询：答复",
    )
    assert any("【延期申请】" in n.text for n in engine.notices.of(deputy))
    done = engine.extension_requests.decide(deputy, waiting.id, True, "理由正当，同意延期")
    assert (done.status, done.granted) == ("approved", date(2025, 10, 31))
    assert _reply(engine, case).due_date == date(2025, 10, 31)
    view = engine.instance(deputy, case)
    entry = next(h for h in view.history if h.details.get("intervention") == "extend")
    assert (entry.details["old_due"], entry.details["new_due"], entry.details["approved_by"]) == (
        "2025-10-23",
        "2025-10-31",
        "李四",
    )
    assert entry.details["reason"] == "理由正当，同意延期（依申请）"
    assert view.data["reply_due"] == "2025-10-31"
    assert any("您的延期申请同意，期限延至2025-10-31" in n.text for n in engine.notices.of(subject))
    assert engine.extension_requests.pending(deputy) == []


def test_a_refusal_keeps_the_date_and_says_why(letter) -> None:  # noqa: F811
    engine, case = letter
    subject, deputy = engine.actor_by_name("fengyi"), engine.actor_by_name("lisi")
    asked = engine.extension_requests.request(subject, _reply(engine, case).id, "工作忙", "2025-11-10")
    engine.extension_requests.decide(deputy, asked.id, False, "理由不充分，请按期答复")
    assert _reply(engine, case).due_date == date(2025, 10, 23)
    assert any("您的延期申请不同意：理由不充分，请按期答复" in n.text for n in engine.notices.of(subject))
    with pytest.raises(Conflict, match="已处理"):
        engine.extension_requests.decide(deputy, asked.id, True, "改为同意")


def test_requests_are_checked(letter) -> None:  # noqa: F811
    engine, case = letter
    subject = engine.actor_by_name("fengyi")
    task = _reply(engine, case).id
    with pytest.raises(Refused, match="须晚于现在的期限 2025-10-23"):
        engine.extension_requests.request(subject, task, "x", "2025-10-20")
    with pytest.raises(Refused, match="请填写理由"):
        engine.extension_requests.request(subject, task, "", "2025-10-30")
    with pytest.raises(NotFound):
        engine.extension_requests.request(engine.actor_by_name("zhengjia"), task, "代为申请", "2025-10-30")
    asked = engine.extension_requests.request(subject, task, "出差", "2025-10-30")
    with pytest.raises(Conflict, match="已有待审批的延期申请"):
        engine.extension_requests.request(subject, task, "再申请", "2025-11-05")
    with pytest.raises(NotFound):  # 党风政风监督室 does not see clues
        engine.extension_requests.decide(engine.actor_by_name("zhoujiu"), asked.id, True, "同意")
    assert engine.extension_requests.pending(engine.actor_by_name("zhoujiu")) == []
