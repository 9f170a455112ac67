"""整改 statistics (DOMAIN.md §7 "Monitor (C)"): completion and on-time rates, overdue ageing, returns,
extensions, 回头看 relapses, per unit, and the 销号 ledger (台账) of every task of the period."""

from __future__ import annotations

from ..db.oversight import CaseFact
from .common import Cell, Facts, Statistic, StatTable, share

LONG_TERM = "长期坚持"  # closed "阶段性销号": reported apart from the completion rate (DOMAIN.md §7)
AGEING = (
    (1, 5, "1–5个工作日"),
    (6, 10, "6–10个工作日"),
    (11, 20, "11–20个工作日"),
    (21, None, "20个工作日以上"),
)
LEDGER_ROWS = 200


def _tasks(facts: Facts) -> list[CaseFact]:
    return list(
        facts.session.scalars(facts.select("rect_task", CaseFact).order_by(CaseFact.due, CaseFact.key))
    )


def _rates(facts: Facts, tasks: list[CaseFact]) -> StatTable:
    regular = [t for t in tasks if t.code != LONG_TERM]
    closed = [t for t in regular if t.done_at]
    due_now = [t for t in regular if t.done_at or (t.due and t.due < facts.today)]
    on_time = [t for t in closed if t.due and t.done_at and t.done_at <= t.due]
    overdue = [t for t in regular if not t.done_at and t.due and t.due < facts.today]
    staged = [t for t in tasks if t.code == LONG_TERM]
    rows = (
        (Cell("应整改任务"), Cell(len(regular), facts.link("rect_task"))),
        (Cell("已销号"), Cell(len(closed), facts.link("rect_task", state="done"))),
        (Cell("整改完成率"), Cell(share(len(closed), len(regular)))),
        (Cell("按期完成率"), Cell(share(len(on_time), len(due_now)))),
        (Cell("逾期未销号"), Cell(len(overdue), facts.link("rect_task", state="overdue"))),
        (Cell("长期坚持任务（阶段性销号）"), Cell(f"{sum(1 for t in staged if t.done_at)}/{len(staged)}")),
    )
    return StatTable(
        "rectification_rates",
        "整改完成情况",
        ("项目", "数值"),
        rows,
        "kpi",
        note="完成率 = 已销号 ÷ 应整改（长期坚持另计）；按期完成率 = 到期前销号 ÷ 已到期或已销号的任务。",
    )


def _ageing(facts: Facts, tasks: list[CaseFact]) -> StatTable:
    counts = {label: 0 for _lo, _hi, label in AGEING}
    for t in tasks:
        if t.done_at or not t.due or t.due >= facts.today:
            continue
        late = facts.ctx.calendar.working_days_between(t.due, facts.today)
        label = (
            next(lb for lo, hi, lb in AGEING if late >= lo and (hi is None or late <= hi))
            if late
            else AGEING[0][2]
        )
        counts[label] += 1
    rows = tuple(
        (Cell(label), Cell(n, facts.link("rect_task", state="overdue"))) for label, n in counts.items()
    )
    return StatTable("rectification_ageing", "逾期账龄", ("逾期时长", "任务数"), rows, "bar")


def _quality(facts: Facts) -> StatTable:
    checks, extensions, rechecks = (
        dict(facts.by_code(k)) for k in ("rect_check", "rect_extension", "rect_recheck")
    )
    returned = checks.get("退回补充", 0) + checks.get("不予销号", 0)
    relapsed = rechecks.get("反弹", 0)
    rows = (
        (Cell("销号核验"), Cell(sum(checks.values()), facts.link("rect_check"))),
        (
            Cell("其中退回（退回补充、不予销号）"),
            Cell(returned, facts.link("rect_check", code="退回补充,不予销号")),
        ),
        (Cell("退回率"), Cell(share(returned, sum(checks.values())))),
        (Cell("延期申请"), Cell(sum(extensions.values()), facts.link("rect_extension"))),
        (
            Cell("其中同意延期"),
            Cell(extensions.get("同意延期", 0), facts.link("rect_extension", code="同意延期")),
        ),
        (Cell("回头看"), Cell(sum(rechecks.values()), facts.link("rect_recheck"))),
        (Cell("其中反弹"), Cell(relapsed, facts.link("rect_recheck", code="反弹"))),
        (Cell("反弹率"), Cell(share(relapsed, sum(rechecks.values())))),
    )
    return StatTable("rectification_quality", "退回、延期与回头看", ("项目", "数值"), rows, "kpi")


def _by_unit(facts: Facts, tasks: list[CaseFact]) -> StatTable:
    units: dict[str | None, list[int]] = {}
    for t in tasks:
        row = units.setdefault(t.unit_id, [0, 0, 0])
        row[0] += 1
        row[1] += 1 if t.done_at else 0
        row[2] += 1 if not t.done_at and t.due and t.due < facts.today else 0
    rows = tuple(
        (
            Cell(facts.unit_name(unit)),
            Cell(n, facts.link("rect_task", unit=unit or "")),
            Cell(done, facts.link("rect_task", unit=unit or "", state="done")),
            Cell(late, facts.link("rect_task", unit=unit or "", state="overdue")),
            Cell(share(done, n)),
        )
        for unit, (n, done, late) in sorted(units.items(), key=lambda kv: -kv[1][2])
    )
    return StatTable(
        "rectification_by_unit",
        "各单位整改",
        ("单位", "任务", "已销号", "逾期", "完成率"),
        rows,
        "bar",
        (1, 2, 3),
    )


def _status(facts: Facts, t: CaseFact) -> str:
    if t.done_at:
        return "阶段性销号" if t.code == LONG_TERM else "已销号"
    return "逾期" if t.due and t.due < facts.today else "整改中"


def _ledger(facts: Facts, tasks: list[CaseFact]) -> StatTable:
    rows = tuple(
        (
            Cell(t.key, case=t.instance_id),
            Cell(facts.unit_name(t.unit_id)),
            Cell(t.label),
            Cell(t.code),
            Cell(t.due.isoformat() if t.due else "—"),
            Cell(_status(facts, t)),
            Cell(t.done_at.isoformat() if t.done_at else "—"),
        )
        for t in tasks[:LEDGER_ROWS]
    )
    return StatTable(
        "rectification_ledger",
        "整改台账（销号状态）",
        ("任务编号", "单位", "整改措施", "类型", "整改时限", "状态", "销号日期"),
        rows,
        "none",
        note=f"按整改时限排列；最多列出 {LEDGER_ROWS} 项，完整台账请导出。"
        if len(tasks) > LEDGER_ROWS
        else "",
    )


def rectification_statistics(facts: Facts) -> Statistic:
    tasks = _tasks(facts)
    return Statistic(
        "rectification",
        "问题整改",
        (
            _rates(facts, tasks),
            _ageing(facts, tasks),
            _quality(facts),
            _by_unit(facts, tasks),
            _ledger(facts, tasks),
        ),
    )
