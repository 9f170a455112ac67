"""一案双查 and 问责 (DOMAIN.md §6 B-7): inquiries started by a 立案 and their decisions, persons held
accountable by measure, party organisations by measure."""

from __future__ import annotations

from sqlalchemy import func

from ..db.oversight import CaseFact
from .common import Cell, Facts, Statistic, StatTable


def _dual(facts: Facts) -> StatTable:
    decisions = facts.by_code("dual_inquiry")
    total = sum(n for _c, n in decisions)
    done = facts.session.scalar(
        facts.select("dual_inquiry", func.count(CaseFact.id)).where(CaseFact.done_at.is_not(None))
    )
    rows = [
        (Cell("启动一案双查"), Cell(total, facts.link("dual_inquiry"))),
        (Cell("已办结"), Cell(done or 0, facts.link("dual_inquiry", state="done"))),
    ]
    rows += [
        (
            Cell(f"其中：{code}" if code else "其中：尚未决定"),
            Cell(n, facts.link("dual_inquiry", code=code or "-")),
        )
        for code, n in decisions
    ]
    return StatTable("dual_inquiries", "一案双查", ("项目", "件数"), tuple(rows), "kpi")


def _measures(facts: Facts, kind: str, name: str, title: str, heading: str, unit: str) -> StatTable:
    rows = tuple((Cell(code), Cell(n, facts.link(kind, code=code))) for code, n in facts.by_code(kind))
    return StatTable(name, title, (heading, unit), rows, "bar")


def accountability_statistics(facts: Facts) -> Statistic:
    return Statistic(
        "accountability",
        "一案双查与问责",
        (
            _dual(facts),
            _measures(
                facts, "accountability", "accountability_persons", "问责人员（按方式）", "问责方式", "人数"
            ),
            _measures(
                facts, "accountability_org", "accountability_orgs", "问责党组织（按方式）", "问责方式", "个数"
            ),
        ),
    )
