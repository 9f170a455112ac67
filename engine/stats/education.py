"""警示教育 statistics (issue 12 item 7): the sessions held in the period by form, and per unit how many
people came — the units a session was for that sent nobody to any session listed first."""

from __future__ import annotations

from ..db.oversight import CaseFact
from .common import Cell, Facts, Statistic, StatTable


def _sessions(facts: Facts) -> StatTable:
    counted = facts.by_code("edu_session")
    rows = tuple((Cell(code), Cell(n, facts.link("edu_session", code=code))) for code, n in counted)
    return StatTable("edu_sessions", "警示教育活动（按形式）", ("形式", "场次"), rows, "bar")


def _units(facts: Facts) -> StatTable:
    counted: dict[str, list[int]] = {}
    query = facts.select("edu_attendance", CaseFact.unit_id, CaseFact.num)
    for unit, attendees in facts.session.execute(query):
        row = counted.setdefault(unit or "", [0, 0])
        row[0] += 1
        row[1] += int(attendees or 0)
    ordered = sorted(counted.items(), key=lambda kv: (kv[1][1] > 0, -kv[1][1], kv[0]))
    rows = tuple(
        (
            Cell(facts.unit_name(unit)),
            Cell(sessions, facts.link("edu_attendance", unit=unit)),
            Cell(people),
            Cell("是" if people == 0 else "否"),
        )
        for unit, (sessions, people) in ordered
    )
    return StatTable(
        "edu_units",
        "各单位参加警示教育情况",
        ("单位", "应参加场次", "参加人次", "未参加"),
        rows,
        "bar",
        (2,),
        note="列出本期警示教育活动面向的单位；一个人也未参加的单位排在最前。",
    )


def education_statistics(facts: Facts) -> Statistic:
    return Statistic("warning_education", "警示教育", (_sessions(facts), _units(facts)))
