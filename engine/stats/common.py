"""What every statistic shares: its filter, the tables it returns, and the query over case facts in
the caller's scope (the same visibility as the case list, so each figure's list holds what it counts)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select, true
from sqlalchemy.orm import Session

from ..access import instance_visible
from ..clock import local_today
from ..context import EngineContext
from ..db.models import InstanceRecusal, ProcessInstance, Unit
from ..db.oversight import CaseFact
from ..errors import InvalidSubmission
from ..records import Actor

GRANULARITIES = ("month", "quarter", "year")


@dataclass(frozen=True)
class StatFilter:
    """The dashboard's filter: a period of days, a unit, a handling office, a process."""

    date_from: date
    date_to: date
    unit: str = ""
    office: str = ""
    process: str = ""
    granularity: str = "month"

    @classmethod
    def parse(cls, args: dict[str, Any], today: date) -> StatFilter:
        """From query-string values; the default period is the current year up to today."""
        errors = {}
        values: dict[str, Any] = {"date_from": date(today.year, 1, 1), "date_to": today}
        for name, arg in (("date_from", "from"), ("date_to", "to")):
            if args.get(arg):
                try:
                    values[name] = date.fromisoformat(str(args[arg]))
                except ValueError:
                    errors[arg] = "日期格式应为 YYYY-MM-DD"
        for name in ("unit", "office", "process", "granularity"):
            if args.get(name):
                values[name] = str(args[name])
        if values.get("granularity", "month") not in GRANULARITIES:
            errors["granularity"] = "统计周期只能是 month、quarter、year"
        if not errors and values["date_from"] > values["date_to"]:
            errors["from"] = "开始日期不能晚于结束日期"
        if errors:
            raise InvalidSubmission(errors)
        return cls(**values)

    def query_args(self) -> dict[str, str]:
        """The filter as query-string values (for the links behind figures and for exports)."""
        out = {"from": self.date_from.isoformat(), "to": self.date_to.isoformat()}
        for f in fields(self):
            if f.name not in ("date_from", "date_to", "granularity") and getattr(self, f.name):
                out[f.name] = str(getattr(self, f.name))
        return out


@dataclass(frozen=True)
class Cell:
    """One figure or label; `link` is the case-list filter of the cases behind a figure, `case` the one
    case a row stands for."""

    value: Any
    link: dict[str, str] | None = None
    case: int | None = None


@dataclass(frozen=True)
class StatTable:
    """A table of figures, drawn above it as a chart (`chart`: bar, pie, funnel, line, gauge or none;
    the chart plots the first column against `series` columns)."""

    name: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    chart: str = "bar"
    series: tuple[int, ...] = (1,)
    note: str = ""


@dataclass(frozen=True)
class Statistic:
    name: str
    title: str
    tables: tuple[StatTable, ...]


class Facts:
    """Queries over the case facts an actor may see, narrowed by a StatFilter."""

    def __init__(self, ctx: EngineContext, session: Session, actor: Actor, f: StatFilter):
        self.ctx, self.session, self.actor, self.f = ctx, session, actor, f
        self.today = local_today(ctx.clock)
        self._units: dict[str, str] | None = None
        scope = ctx.roles.scope(actor.roles, actor.unit_id)
        # A county supervisor sees every case but a few (recused, 机密 without a part in them): the facts
        # are then counted without joining each to its case, which keeps the dashboard fast at any size.
        self._county = bool(scope and scope.county and not f.office and not f.process)
        self._hidden: list[int] | None = None

    def scope(self, case_file: bool = False) -> ColumnElement[bool]:
        """The cases in the actor's scope that the unit, office and process filters leave (`case_file`:
        only those whose file the actor may open, for rows that link to it)."""
        conditions = [
            instance_visible(self.actor, self.ctx.roles, case_file),
            ProcessInstance.status != "cancelled",
        ]
        if self.f.office:
            conditions.append(ProcessInstance.handling_office == self.f.office)
        if self.f.process:
            conditions.append(ProcessInstance.process_id == self.f.process)
        return and_(*conditions)

    def hidden(self) -> list[int]:
        """The cases a county supervisor does not count: recused from, 机密 without taking part, 作废."""
        if self._hidden is None:
            recused = select(InstanceRecusal.instance_id).where(InstanceRecusal.user_id == self.actor.id)
            secret = select(ProcessInstance.id).where(  # few rows, by ix_process_instance_confidentiality
                ProcessInstance.confidentiality.in_(sorted(self.ctx.roles.need_to_know)),
                ~instance_visible(self.actor, self.ctx.roles),
            )
            void = select(ProcessInstance.id).where(
                ProcessInstance.status == "cancelled"
            )  # 作废: not counted
            self._hidden = sorted(
                {*self.session.scalars(recused), *self.session.scalars(secret), *self.session.scalars(void)}
            )
        return self._hidden

    def visible(self, instance_id: Any) -> ColumnElement[bool] | None:
        """For a county supervisor (no office or process filter): the condition on a case id column
        alone, no join needed; None for everyone else (join the case and use `scope()`)."""
        if not self._county:
            return None
        hidden = self.hidden()
        return instance_id.not_in(hidden) if hidden else true()

    def select(self, kind: str, *columns: Any, dated: bool = True, with_case: bool = False) -> Select[Any]:
        """SELECT columns FROM facts of `kind` in scope (in the period when `dated`); `with_case` when the
        columns or conditions read the case row too."""
        query = select(*columns).select_from(CaseFact).where(CaseFact.kind == kind)
        fast = self.visible(CaseFact.instance_id)
        if fast is not None and not with_case:
            query = query.where(fast)
        else:
            query = query.join(ProcessInstance, ProcessInstance.id == CaseFact.instance_id).where(
                self.scope()
            )
        if self.f.unit:
            query = query.where(CaseFact.unit_id == self.f.unit)
        if dated:
            query = query.where(CaseFact.at >= self.f.date_from, CaseFact.at <= self.f.date_to)
        return query

    def by_code(self, kind: str) -> list[tuple[str, int]]:
        """How many facts of `kind` in scope and period there are per code: first the codes every figure
        of that kind lists (statistics.toml [orders], zero included), then the others, most first."""
        query = (
            self.select(kind, CaseFact.code, func.count(CaseFact.id))
            .group_by(CaseFact.code)
            .order_by(func.count(CaseFact.id).desc(), CaseFact.code)
        )
        found = {code: int(n) for code, n in self.session.execute(query)}
        listed = self.ctx.facts.orders.get(kind, ())
        return [(code, found.pop(code, 0)) for code in listed] + list(found.items())

    def open_and_overdue(self, kind: str) -> tuple[int, int]:
        """Facts of `kind` in scope not done yet in running cases (whatever the period), and those of them
        past their `due`: what is pending now."""
        pending = self.select(kind, func.count(CaseFact.id), dated=False, with_case=True).where(
            CaseFact.done_at.is_(None), ProcessInstance.status == "running"
        )
        return (
            self.session.scalar(pending) or 0,
            self.session.scalar(pending.where(CaseFact.due < self.today)) or 0,
        )

    def link(self, kind: str, dated: bool = True, **extra: str) -> dict[str, str]:
        """The case-list filter of the cases behind a figure over facts of `kind`."""
        args = {k: v for k, v in self.f.query_args().items() if dated or k not in ("from", "to")}
        return {**args, "fact": kind, **{k: v for k, v in extra.items() if v != ""}}

    def label(self, code: str) -> str:
        return self.ctx.facts.label(code)

    def unit_name(self, code: str | None) -> str:
        if self._units is None:
            self._units = dict(self.session.execute(select(Unit.id, Unit.name)).all())
        return self._units.get(code or "", code or "—")


def by_code_table(
    facts: Facts, kind: str, name: str, title: str, heading: str, chart: str = "bar"
) -> StatTable:
    """Facts of `kind` counted per code (statistics.toml [orders] first), each count opening its cases."""
    rows = tuple(
        (Cell(facts.label(code)), Cell(n, facts.link(kind, code=code))) for code, n in facts.by_code(kind)
    )
    return StatTable(name, title, (heading, "数量"), rows, chart)


def share(part: int, whole: int) -> str:
    """A percentage as the office reports it: one decimal, or — when there is nothing to divide."""
    return f"{part * 100 / whole:.1f}%" if whole else "—"
