"""网络舆情 statistics (issue 12 item 8): incidents in the period by how they were assessed, and how many
were assessed after the hours the setting allows."""

from __future__ import annotations

from ..db.oversight import CaseFact
from .common import Cell, Facts, Statistic, StatTable


def online_opinion_statistics(facts: Facts) -> Statistic:
    counted = facts.by_code("opinion")
    by_result = tuple((Cell(facts.label(c)), Cell(n, facts.link("opinion", code=c))) for c, n in counted)
    late = list(facts.session.scalars(facts.select("opinion", CaseFact.id).where(CaseFact.num > 0)))
    overview = (
        (Cell("登记舆情"), Cell(sum(n for _c, n in counted), facts.link("opinion"))),
        (Cell("超过时限研判"), Cell(len(late))),
    )
    return Statistic(
        "online_opinion",
        "网络舆情",
        (
            StatTable("opinion_overview", "网络舆情研判", ("项目", "数值"), overview, "kpi"),
            StatTable("opinion_results", "研判结论", ("结论", "数量"), by_result, "pie"),
        ),
    )
