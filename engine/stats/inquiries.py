"""函询 statistics (DOMAIN.md §5, D4): replies pending and overdue now, replies of the period and their
average time in working days, and persons inquired twice or more within twelve months."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func

from ..db.oversight import CaseFact
from .common import Cell, Facts, Statistic, StatTable

REPEAT_WINDOW = timedelta(days=365)
REPEAT_AT_LEAST = 2


def _summary(facts: Facts) -> StatTable:
    n_pending, n_overdue = facts.open_and_overdue("inquiry")
    answered = facts.select("inquiry", func.count(CaseFact.id), func.avg(CaseFact.num), dated=False).where(
        CaseFact.done_at >= facts.f.date_from, CaseFact.done_at <= facts.f.date_to
    )
    n_answered, average = facts.session.execute(answered).one()
    n_late = facts.session.scalar(
        facts.select("inquiry", func.count(CaseFact.id), dated=False).where(
            CaseFact.done_at >= facts.f.date_from,
            CaseFact.done_at <= facts.f.date_to,
            CaseFact.done_at > CaseFact.due,
        )
    )
    rows = (
        (
            Cell("待答复（当前）"),
            Cell(n_pending, facts.link("inquiry", dated=False, state="open", status="running")),
        ),
        (
            Cell("已逾期未答复（当前）"),
            Cell(n_overdue, facts.link("inquiry", dated=False, state="overdue", status="running")),
        ),
        (Cell("本期收到答复"), Cell(n_answered or 0, facts.link("inquiry", by="done"))),
        (Cell("其中逾期答复"), Cell(n_late or 0, facts.link("inquiry", by="done", state="late"))),
        (Cell("平均答复用时（工作日）"), Cell(round(average, 1) if average is not None else "—")),
    )
    return StatTable(
        "inquiry_summary",
        "函询答复情况",
        ("项目", "数值"),
        rows,
        "kpi",
        note="待答复、已逾期为当前数；收到答复、平均用时按本期收到答复的日期统计（自送达次日起算工作日）。",
    )


def _repeated(facts: Facts) -> StatTable:
    """Persons with at least two 函询 in the twelve months up to the end of the period."""
    since = facts.f.date_to - REPEAT_WINDOW
    query = (
        facts.select("inquiry", CaseFact.person, func.count(CaseFact.id), dated=False)
        .where(CaseFact.at > since, CaseFact.at <= facts.f.date_to, CaseFact.person != "")
        .group_by(CaseFact.person)
        .having(func.count(CaseFact.id) >= REPEAT_AT_LEAST)
        .order_by(func.count(CaseFact.id).desc(), CaseFact.person)
    )
    window = {"from": (since + timedelta(days=1)).isoformat(), "to": facts.f.date_to.isoformat()}
    rows = tuple(
        (Cell(person), Cell(int(n), {**facts.link("inquiry", person=person), **window}))
        for person, n in facts.session.execute(query)
    )
    return StatTable(
        "repeated_inquiries",
        "12个月内被函询2次以上的人员",
        ("被函询人", "函询次数"),
        rows,
        "bar",
        note=f"统计 {window['from']} 至 {window['to']} 送达的函询。",
    )


def inquiry_statistics(facts: Facts) -> Statistic:
    return Statistic("inquiries", "谈话函询", (_summary(facts), _repeated(facts)))
