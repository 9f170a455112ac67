"""上级交办件 (D9, 检举控告工作规则 §21): those being handled now and those past their three months while
still open — the 纪委书记 must approve an extension, beyond six months the upper commission — and those
concluded in the period, late ones counted. Watched while they run, not only when they are reported."""

from __future__ import annotations

from sqlalchemy import func

from ..db.oversight import CaseFact
from .common import Cell, Facts, StatTable

KIND = "assigned"


def assigned_table(facts: Facts) -> StatTable:
    n_running, n_overdue = facts.open_and_overdue(KIND)
    concluded = facts.select(KIND, func.count(CaseFact.id), dated=False).where(
        CaseFact.done_at >= facts.f.date_from, CaseFact.done_at <= facts.f.date_to
    )
    n_concluded = facts.session.scalar(concluded) or 0
    n_late = facts.session.scalar(concluded.where(CaseFact.done_at > CaseFact.due)) or 0
    rows = (
        (
            Cell("办理中（当前）"),
            Cell(n_running, facts.link(KIND, dated=False, state="open", status="running")),
        ),
        (
            Cell("已超过三个月仍未办结（当前）"),
            Cell(n_overdue, facts.link(KIND, dated=False, state="overdue", status="running")),
        ),
        (Cell("本期办结"), Cell(n_concluded, facts.link(KIND, by="done"))),
        (Cell("其中超过三个月办结"), Cell(n_late, facts.link(KIND, by="done", state="late"))),
    )
    return StatTable(
        "assigned_summary",
        "上级交办件办理时限",
        ("项目", "数量"),
        rows,
        "kpi",
        note="上级交办件应于收到之日起三个月内办结；确需延长的经纪委书记批准可延长三个月，再延长须报上级纪委监委批准。",
    )
