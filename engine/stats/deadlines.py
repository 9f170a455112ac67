"""The deadline board (DOMAIN.md §11): every open step with a due date in scope, by working days left,
overdue first, with whose it is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select

from ..db.models import HumanTask, ProcessInstance, User
from .common import Cell, Facts, Statistic, StatTable

BUCKETS = (
    (None, -1, "已逾期"),
    (0, 3, "3个工作日内到期"),
    (4, 10, "4–10个工作日"),
    (11, None, "10个工作日以上"),
)
BOARD_ROWS = 200


@dataclass(frozen=True)
class Deadline:
    task_id: int
    instance_id: int
    case_title: str
    step: str
    due_date: date
    provisional: bool
    working_days_left: int
    owner: str


def _open_steps(facts: Facts, *columns: Any, with_case: bool = True) -> Select[Any]:
    query = (
        select(*columns)
        .select_from(HumanTask)
        .where(HumanTask.status == "ready", HumanTask.due_date.is_not(None))
    )
    fast = facts.visible(HumanTask.instance_id)
    if fast is not None and not facts.f.unit:
        query = query.where(fast)
        return (
            query.join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id) if with_case else query
        )
    query = query.join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id).where(
        facts.scope(case_file=True)
    )
    return query.where(ProcessInstance.unit_id == facts.f.unit) if facts.f.unit else query


def open_deadlines(facts: Facts, limit: int = BOARD_ROWS) -> list[Deadline]:
    """Open steps with a due date in the actor's scope (narrowed by unit, office, process), earliest first."""
    query = (
        _open_steps(facts, HumanTask, ProcessInstance.title, User.display_name)
        .outerjoin(User, User.id == HumanTask.assignee_id)
        .order_by(HumanTask.due_date, HumanTask.id)
        .limit(limit)
    )
    out = []
    for task, title, assignee in facts.session.execute(query):
        role = facts.ctx.roles.roles.get(task.role)
        owner = assignee or (role.zh if role else task.lane)
        if not assignee and task.unit_id:
            owner = f"{owner}（{facts.unit_name(task.unit_id)}）"
        left = facts.ctx.calendar.working_days_between(facts.today, task.due_date)
        out.append(
            Deadline(
                task.id, task.instance_id, title, task.title, task.due_date, task.due_provisional, left, owner
            )
        )
    return out


def _bucket(left: int) -> str:
    return next(
        label for lo, hi, label in BUCKETS if (lo is None or left >= lo) and (hi is None or left <= hi)
    )


def deadline_statistics(facts: Facts) -> Statistic:
    board = open_deadlines(facts)
    counts = {label: 0 for _lo, _hi, label in BUCKETS}
    per_day = _open_steps(facts, HumanTask.due_date, func.count(HumanTask.id), with_case=False)
    per_day = per_day.group_by(HumanTask.due_date)
    for due, n in facts.session.execute(per_day):  # every open step counted, not only the board's rows
        counts[_bucket(facts.ctx.calendar.working_days_between(facts.today, due))] += int(n)
    overdue_link = {k: v for k, v in facts.f.query_args().items() if k not in ("from", "to")}
    summary = tuple(
        (Cell(label), Cell(n, {**overdue_link, "overdue": "1"} if label == BUCKETS[0][2] else None))
        for label, n in counts.items()
    )
    rows = tuple(
        (
            Cell(d.due_date.isoformat() + ("（暂定）" if d.provisional else "")),
            Cell(d.working_days_left),
            Cell(d.step),
            Cell(d.case_title, case=d.instance_id),
            Cell(d.owner),
        )
        for d in board
    )
    return Statistic(
        "deadlines",
        "期限看板",
        (
            StatTable("deadline_buckets", "按剩余工作日", ("剩余期限", "事项数"), summary, "bar"),
            StatTable(
                "deadline_board",
                "办理期限",
                ("期限", "剩余工作日", "事项", "案件", "承办"),
                rows,
                "none",
                note="剩余工作日为负数即已逾期（红色）；暂定：该年度节假日安排尚未公布。",
            ),
        ),
    )
