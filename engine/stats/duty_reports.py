"""述责述廉 statistics (issue 12 item 9): each unit's score and grade in the period; the grades counted."""

from __future__ import annotations

from ..db.oversight import CaseFact
from .common import Cell, Facts, Statistic, StatTable


def duty_report_statistics(facts: Facts) -> Statistic:
    query = facts.select("duty_report", CaseFact.unit_id, CaseFact.num, CaseFact.code).order_by(
        CaseFact.num.desc()
    )
    scores = tuple(
        (
            Cell(facts.unit_name(unit)),
            Cell(int(total or 0), facts.link("duty_report", unit=unit or "")),
            Cell(grade),
        )
        for unit, total, grade in facts.session.execute(query)
    )
    grades = tuple(
        (Cell(code), Cell(n, facts.link("duty_report", code=code)))
        for code, n in facts.by_code("duty_report")
    )
    return Statistic(
        "duty_reports",
        "述责述廉",
        (
            StatTable("duty_scores", "各单位述责述廉得分", ("单位", "得分", "等次"), scores, "bar"),
            StatTable("duty_grades", "等次分布", ("等次", "单位数"), grades, "pie"),
        ),
    )
