"""营商环境 supervision statistics (issue 12): D1 审批时限监督 — the approval items supervised and how many
ran past their limit, per department, the problems found by kind and what the 营商办 did about them; D2
企业诉求 and 政策兑现 in time or late and the enterprises' satisfaction; D3 涉企执法 — the complaints by
kind and how they were handled, and the inspections filed in the 安静生产日 register by outcome."""

from __future__ import annotations

from ..db.oversight import CaseFact
from .common import Cell, Facts, Statistic, StatTable, by_code_table, share


def _items(facts: Facts) -> list[CaseFact]:
    return list(facts.session.scalars(facts.select("approval_item", CaseFact).order_by(CaseFact.due)))


def _overview(facts: Facts, items: list[CaseFact]) -> StatTable:
    late = [i for i in items if i.code == "late"]
    open_late = [i for i in late if not i.done_at]
    rows = (
        (Cell("监督审批事项"), Cell(len(items), facts.link("approval_item"))),
        (Cell("超过办理时限"), Cell(len(late), facts.link("approval_item", code="late"))),
        (Cell("其中仍未办结"), Cell(len(open_late), facts.link("approval_item", state="overdue"))),
        (Cell("按时限办结率"), Cell(share(len(items) - len(late), len(items)))),
    )
    return StatTable(
        "approval_overview",
        "审批时限监督",
        ("项目", "数值"),
        rows,
        "kpi",
        note="按时限办结率 = 未超过法定或承诺时限的事项 ÷ 监督的全部事项。",
    )


def _by_department(facts: Facts, items: list[CaseFact]) -> StatTable:
    departments: dict[str | None, list[int]] = {}
    for item in items:
        row = departments.setdefault(item.unit_id, [0, 0])
        row[0] += 1
        row[1] += 1 if item.code == "late" else 0
    rows = tuple(
        (
            Cell(facts.unit_name(unit)),
            Cell(n, facts.link("approval_item", unit=unit or "")),
            Cell(late, facts.link("approval_item", unit=unit or "", code="late")),
            Cell(share(late, n)),
        )
        for unit, (n, late) in sorted(departments.items(), key=lambda kv: (-kv[1][1], -kv[1][0]))
    )
    return StatTable(
        "approval_by_department",
        "各部门审批事项超时情况",
        ("承办部门", "事项", "超时限", "超时率"),
        rows,
        "bar",
        (1, 2),
    )


def _services(facts: Facts) -> StatTable:
    """D2: requests and policy benefits per kind — how many, answered in time or late, still open late."""
    requests = list(facts.session.scalars(facts.select("service_request", CaseFact)))
    rows = []
    for kind in ("企业诉求", "政策兑现"):
        mine = [r for r in requests if r.code == kind]
        in_time = sum(1 for r in mine if r.done_at and r.due and r.done_at <= r.due)
        late = sum(1 for r in mine if r.done_at and r.due and r.done_at > r.due)
        open_late = sum(1 for r in mine if not r.done_at and r.due and r.due < facts.today)
        rows.append(
            (
                Cell(kind),
                Cell(len(mine), facts.link("service_request", code=kind)),
                Cell(in_time),
                Cell(late, facts.link("service_request", code=kind, state="late")),
                Cell(open_late, facts.link("service_request", code=kind, state="overdue")),
            )
        )
    return StatTable(
        "service_requests",
        "首席服务官和政策兑现",
        ("类型", "登记", "按期办结", "逾期办结", "逾期未办结"),
        tuple(rows),
        "bar",
        (2, 3, 4),
    )


def business_env_statistics(facts: Facts) -> Statistic:
    items = _items(facts)
    return Statistic(
        "business_env",
        "营商环境监督",
        (
            _overview(facts, items),
            _by_department(facts, items),
            by_code_table(
                facts, "approval_problem", "approval_problems", "发现问题（按类型）", "问题类型", "bar"
            ),
            by_code_table(facts, "approval_disposal", "approval_disposals", "处置情况", "处置", "pie"),
            _services(facts),
            by_code_table(facts, "service_visit", "service_visits", "企业满意度", "满意度", "pie"),
            by_code_table(
                facts, "enforcement", "enforcement_kinds", "涉企执法投诉（按类型）", "反映类型", "bar"
            ),
            by_code_table(
                facts, "enforcement_result", "enforcement_results", "涉企执法投诉处理", "处理", "pie"
            ),
            by_code_table(facts, "quiet_day", "quiet_days", "安静生产日入企检查报备", "报备结果", "bar"),
        ),
    )
