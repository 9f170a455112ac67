"""涉案款物 statistics (issue 12 item 6): the items registered in the period by kind, how many are still in
custody (and the money among them) and how many were returned, transferred or handed to the treasury."""

from __future__ import annotations

from ..db.oversight import CaseFact
from .common import Cell, Facts, Statistic, StatTable


def custody_statistics(facts: Facts) -> Statistic:
    items = list(facts.session.scalars(facts.select("custody", CaseFact).order_by(CaseFact.key)))
    kinds = ("涉案款", "涉案物品", "涉案资料")
    rows = tuple(
        (
            Cell(kind),
            Cell(sum(1 for i in items if i.code == kind), facts.link("custody", code=kind)),
            Cell(
                sum(1 for i in items if i.code == kind and not i.done_at),
                facts.link("custody", code=kind, state="open"),
            ),
            Cell(
                sum(1 for i in items if i.code == kind and i.done_at),
                facts.link("custody", code=kind, state="done"),
            ),
        )
        for kind in kinds
    )
    held_money = sum(i.num or 0 for i in items if i.code == "涉案款" and not i.done_at)
    table = StatTable(
        "custody_items",
        "涉案款物",
        ("类别", "登记", "在保管", "已处置"),
        rows,
        "bar",
        (1, 2, 3),
        note=f"在保管的涉案款合计 {held_money:,.2f} 元；款物在保管中的线索和案件不能结案归档。",
    )
    return Statistic("custody", "涉案款物管理", (table,))
