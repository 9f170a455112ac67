"""两个责任 inspection statistics (DOMAIN.md §6 "Monitor (B)"): coverage of the planned units, each
unit's score and grade, the grade distribution, findings by category and the 约谈 held."""

from __future__ import annotations

from sqlalchemy import distinct, func

from ..db.oversight import CaseFact
from .common import Cell, Facts, Statistic, StatTable, by_code_table, share


def _coverage(facts: Facts) -> StatTable:
    planned = facts.session.scalar(facts.select("planned_unit", func.count(distinct(CaseFact.unit_id)))) or 0
    inspected = facts.session.scalar(facts.select("inspection", func.count(distinct(CaseFact.unit_id)))) or 0
    rows = (
        (Cell("计划检查单位"), Cell(planned, facts.link("planned_unit"))),
        (Cell("已评分单位"), Cell(inspected, facts.link("inspection"))),
        (Cell("覆盖率"), Cell(share(inspected, planned))),
    )
    return StatTable("inspection_coverage", "检查覆盖", ("项目", "数值"), rows, "kpi")


def _scores(facts: Facts) -> StatTable:
    query = facts.select(
        "inspection", CaseFact.unit_id, CaseFact.num, CaseFact.code, CaseFact.label
    ).order_by(CaseFact.num.desc())
    rows = tuple(
        (
            Cell(facts.unit_name(unit)),
            Cell(score, facts.link("inspection", unit=unit or "")),
            Cell(grade),
            Cell(kind),
        )
        for unit, score, grade, kind in facts.session.execute(query)
    )
    return StatTable(
        "inspection_scores", "各单位得分及等次", ("单位", "得分", "等次", "检查类型"), rows, "bar"
    )


def _grades(facts: Facts) -> StatTable:
    counted = facts.by_code("inspection")
    total = sum(n for _g, n in counted)
    rows = tuple(
        (Cell(g), Cell(n, facts.link("inspection", code=g)), Cell(share(n, total))) for g, n in counted
    )
    return StatTable("inspection_grades", "等次分布", ("等次", "单位数", "占比"), rows, "pie")


def inspection_statistics(facts: Facts) -> Statistic:
    return Statistic(
        "inspections",
        "两个责任监督检查",
        (
            _coverage(facts),
            _scores(facts),
            _grades(facts),
            by_code_table(facts, "finding", "findings_by_category", "发现问题（按类别）", "问题类别"),
            by_code_table(facts, "interview", "interviews", "约谈", "约谈类型"),
        ),
    )
