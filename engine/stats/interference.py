"""插手干预重大事项记录 statistics (issue 12 item 5): the entries of the register in the period by domain and
by unit, and what 党风政风监督室 decided about them."""

from __future__ import annotations

from .common import Facts, Statistic, by_code_table


def interference_statistics(facts: Facts) -> Statistic:
    return Statistic(
        "interference",
        "插手干预重大事项记录",
        (
            by_code_table(facts, "interference", "interference_by_domain", "登记（按领域）", "领域", "bar"),
            by_code_table(facts, "interference_result", "interference_results", "审核结果", "结果", "pie"),
        ),
    )
