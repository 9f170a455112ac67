"""插手干预重大事项记录 statistics (issue 12 item 5): the entries of the register in the period by domain and
by unit, and what 党风政风监督室 decided about them."""

from __future__ import annotations

from .common import Cell, Facts, Statistic, StatTable


def _grouped(facts: Facts, kind: str, name: str, title: str, heading: str, chart: str) -> StatTable:
    rows = tuple(
        (Cell(facts.label(code)), Cell(n, facts.link(kind, code=code))) for code, n in facts.by_code(kind)
    )
    return StatTable(name, title, (heading, "数量"), rows, chart)


def interference_statistics(facts: Facts) -> Statistic:
    return Statistic(
        "interference",
        "插手干预重大事项记录",
        (
            _grouped(facts, "interference", "interference_by_domain", "登记（按领域）", "领域", "bar"),
            _grouped(facts, "interference_result", "interference_results", "审核结果", "结果", "pie"),
        ),
    )
