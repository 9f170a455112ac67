"""Clue statistics (DOMAIN.md §5 "Supervisors monitor (A)"): clues by source, the four ways of
disposal with their shares, and how far the clues of a period went (函询 → 初核 → 立案)."""

from __future__ import annotations

from sqlalchemy import and_, distinct, func
from sqlalchemy.orm import aliased

from ..db.oversight import CaseFact
from .assigned import assigned_table
from .common import Cell, Facts, Statistic, StatTable, share

STAGES = (("inquiry", "其中：经函询"), ("verification", "其中：经初步核实"), ("filing", "其中：立案"))


def _by_code(facts: Facts, kind: str, name: str, title: str, chart: str) -> StatTable:
    listed = facts.by_code(kind)
    total = sum(n for _c, n in listed)
    rows = [
        (Cell(facts.label(code)), Cell(n, facts.link(kind, code=code)), Cell(share(n, total)))
        for code, n in listed
    ]
    rows.append((Cell("合计"), Cell(total, facts.link(kind)), Cell(share(total, total))))
    return StatTable(name, title, ("类别", "件数", "占比"), tuple(rows), chart)


def conversion(facts: Facts) -> StatTable:
    """Of the clues received in the period: how many went to 函询, to 初核, to 立案 (at any time)."""
    total = facts.session.scalar(facts.select("clue", func.count(CaseFact.id))) or 0
    stage = aliased(CaseFact)  # from each clue of the period to the later facts of its own case
    later = dict(
        facts.session.execute(
            facts.select("clue", stage.kind, func.count(distinct(stage.instance_id)))
            .join(
                stage,
                and_(stage.instance_id == CaseFact.instance_id, stage.kind.in_([k for k, _t in STAGES])),
            )
            .group_by(stage.kind)
        ).all()
    )
    rows = [(Cell("受理线索"), Cell(total, facts.link("clue")), Cell("100.0%" if total else "—"))]
    previous = total
    for kind, title in STAGES:
        n = int(later.get(kind, 0))
        rows.append((Cell(title), Cell(n, facts.link("clue", **{"with": kind})), Cell(share(n, previous))))
        previous = n
    return StatTable(
        "conversion",
        "线索转化（函询 → 初核 → 立案）",
        ("阶段", "件数", "转化率"),
        tuple(rows),
        "funnel",
        note="本期受理的线索中，此后进入各阶段的件数；转化率相对上一阶段。",
    )


def clue_statistics(facts: Facts) -> Statistic:
    return Statistic(
        "clues",
        "问题线索",
        (
            _by_code(facts, "clue", "clues_by_source", "线索来源", "pie"),
            _by_code(facts, "disposal", "disposals", "处置方式（四种方式）", "pie"),
            conversion(facts),
            assigned_table(facts),
        ),
    )
