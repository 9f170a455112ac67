"""Everyone's notification centre (issue 8): a new step, a deadline three working days ahead, a deadline
passed — each told once to whoever holds the step, never to someone recused; read and unread; and the
same notices by e-mail through a real SMTP server when one is configured."""

from __future__ import annotations

import dataclasses
import socket
from collections.abc import Iterator
from datetime import datetime
from email import message_from_bytes
from email.header import decode_header, make_header
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from engine import CHINA_TZ, Engine
from engine.db.models import Notification, User
from engine.mailer import send_pending
from tests.engine.clues import actor

START = {
    "case_no": "M-100",
    "subject_name": "冯乙",
    "subject_unit": "SJJ",
    "subject_user": "fengyi",
    "handling_office": "JC1",
}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CHINA_TZ)


def texts(engine: Engine, username: str, kind: str | None = None) -> list[str]:
    return [n.text for n in reversed(engine.notices.of(actor(engine, username))) if kind in (None, n.kind)]


def served_case(engine: Engine) -> int:
    engine.clock.set(at("2025-09-26T10:00"))  # type: ignore[attr-defined]
    case = engine.start(actor(engine, "zhaoliu"), "mini", START)
    officer = actor(engine, "qianqi")
    task = next(t for t in engine.inbox(officer) if t.instance_id == case)
    engine.complete(officer, task.id, {"served_at": "2025-09-26"})  # the reply is due 2025-10-23
    return case


def test_a_new_step_is_announced_to_whoever_may_do_it_and_no_one_recused(mini_engine: Engine) -> None:
    served_case(mini_engine)
    assert texts(mini_engine, "qianqi", "new_task") == ["【新待办】M-100 冯乙：“送达函询”"]
    assert texts(mini_engine, "sunba") == []  # same office, recused from cases about 冯乙
    assert texts(mini_engine, "fengyi", "new_task") == ["【新待办】M-100 冯乙：“答复函询”，期限 2025-10-23"]


def test_deadlines_ahead_and_passed_are_told_once_each(mini_engine: Engine) -> None:
    served_case(mini_engine)
    mini_engine.clock.set(at("2025-10-17T09:00"))  # type: ignore[attr-defined]  # 4 working days before
    assert mini_engine.notices.sweep_deadlines() == 0
    mini_engine.clock.set(at("2025-10-20T09:00"))  # type: ignore[attr-defined]  # 3 working days before
    assert mini_engine.notices.sweep_deadlines() == 1
    assert mini_engine.notices.sweep_deadlines() == 0  # the next sweep tells nobody again
    assert texts(mini_engine, "fengyi", "due_soon") == [
        "【即将到期】M-100 冯乙：“答复函询”应于2025-10-23前办理"
    ]
    mini_engine.clock.set(at("2025-10-23T23:00"))  # type: ignore[attr-defined]
    assert mini_engine.notices.sweep_deadlines() == 0  # due today: not yet overdue
    mini_engine.clock.set(at("2025-10-24T08:00"))  # type: ignore[attr-defined]
    assert mini_engine.notices.sweep_deadlines() == 1
    assert texts(mini_engine, "fengyi", "overdue") == [
        "【已逾期】M-100 冯乙：“答复函询”期限为2025-10-23，已逾期"
    ]


def test_notices_are_read_by_their_person_only(mini_engine: Engine) -> None:
    served_case(mini_engine)
    subject, officer = actor(mini_engine, "fengyi"), actor(mini_engine, "qianqi")
    assert mini_engine.notices.unread(subject) == 1
    theirs = mini_engine.notices.of(subject)[0].id
    assert mini_engine.notices.mark_read(officer, [theirs]) == 0  # not hers to mark
    assert mini_engine.notices.mark_read(subject, [theirs]) == 1
    assert mini_engine.notices.unread(subject) == 0 and mini_engine.notices.of(subject)[0].read
    assert mini_engine.notices.mark_read(officer) == 0  # hers was cleared when she did her step


def test_a_notice_opens_its_step_and_clears_once_the_step_is_done(mini_engine: Engine) -> None:
    """Issue 10 #6: a reminder links to its task (or the case), and goes when the task is done."""
    case = served_case(mini_engine)
    subject, officer = actor(mini_engine, "fengyi"), actor(mini_engine, "qianqi")
    (served,) = mini_engine.notices.of(officer)
    assert served.read and served.opens == "case"  # 送达 done: cleared, and it opens the case for her
    (reply,) = mini_engine.notices.of(subject)
    assert not reply.read and reply.opens == "task"
    task = next(t for t in mini_engine.inbox(subject) if t.instance_id == case)
    mini_engine.complete(subject, task.id, {"admits": False, "reply_text": "已如实说明。"})
    (reply,) = mini_engine.notices.of(subject)
    assert reply.read and reply.opens == ""  # done; and the case file was never his to open


class Inbox:
    """An SMTP server on a free loopback port that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:  # noqa: N802
        if "@" not in address or not address.endswith(".cn"):
            return "550 no such mailbox"  # what a real server answers for an address it does not know
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 — aiosmtpd's hook
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def test_notices_go_out_by_email_when_smtp_is_configured(
    mini_engine: Engine, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    with mini_engine.ctx.db.transaction() as session:
        session.execute(update(User).where(User.username == "fengyi").values(email="fengyi@example.gov.cn"))
    served_case(mini_engine)
    assert send_pending(mini_engine.ctx) == 0  # no SMTP server configured: nothing is sent
    mini_engine.ctx.settings = dataclasses.replace(
        mini_engine.ctx.settings, smtp_host="127.0.0.1", smtp_port=port
    )
    assert send_pending(mini_engine.ctx) == 1  # 钱七 has no address; 冯乙's new step goes out
    [(to, message)] = inbox.messages
    assert to == ["fengyi@example.gov.cn"]
    assert (
        str(make_header(decode_header(message["Subject"])))
        == "清廉：【新待办】M-100 冯乙：“答复函询”，期限 2025-10-23"
    )
    assert "冯乙：" in message.get_payload(decode=True).decode("utf-8")
    assert send_pending(mini_engine.ctx) == 0  # mailed once
    with mini_engine.ctx.db.reading() as session:
        assert session.scalars(
            select(Notification.emailed_at).where(Notification.emailed_at.is_not(None))
        ).one()


def test_a_mail_server_that_is_down_only_delays_the_mail(mini_engine: Engine) -> None:
    with mini_engine.ctx.db.transaction() as session:
        session.execute(update(User).where(User.username == "fengyi").values(email="fengyi@example.gov.cn"))
    served_case(mini_engine)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    mini_engine.ctx.settings = dataclasses.replace(
        mini_engine.ctx.settings, smtp_host="127.0.0.1", smtp_port=closed
    )
    assert send_pending(mini_engine.ctx) == 0
    with mini_engine.ctx.db.reading() as session:
        assert (
            session.scalars(select(Notification.id).where(Notification.emailed_at.is_not(None))).all() == []
        )


def test_a_deadline_moved_by_an_extension_is_told_of_again(mini_engine: Engine) -> None:
    case = served_case(mini_engine)
    mini_engine.clock.set(at("2025-10-20T09:00"))  # type: ignore[attr-defined]
    assert mini_engine.notices.sweep_deadlines() == 1  # 2025-10-23 is three working days ahead
    reply = next(t for t in mini_engine.inbox(actor(mini_engine, "fengyi")) if t.instance_id == case)
    mini_engine.interventions.extend(actor(mini_engine, "lisi"), reply.id, "住院", working_days=5)  # to 10-30
    assert mini_engine.notices.sweep_deadlines() == 0
    mini_engine.clock.set(at("2025-10-27T09:00"))  # type: ignore[attr-defined]
    assert mini_engine.notices.sweep_deadlines() == 1
    assert (
        texts(mini_engine, "fengyi", "due_soon")[-1]
        == "【即将到期】M-100 冯乙：“答复函询”应于2025-10-30前办理"
    )


def test_an_address_the_server_refuses_does_not_hold_up_the_others(
    mini_engine: Engine, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    with mini_engine.ctx.db.transaction() as session:
        session.execute(update(User).where(User.username == "qianqi").values(email="qianqi@nowhere.example"))
        session.execute(update(User).where(User.username == "fengyi").values(email="fengyi@example.gov.cn"))
    served_case(mini_engine)  # 钱七's new step first, then 冯乙's
    mini_engine.ctx.settings = dataclasses.replace(
        mini_engine.ctx.settings, smtp_host="127.0.0.1", smtp_port=port
    )
    assert send_pending(mini_engine.ctx) == 2  # the refused one is set aside, the next goes out
    assert [to for to, _m in inbox.messages] == [["fengyi@example.gov.cn"]]
    assert send_pending(mini_engine.ctx) == 0
