"""The case list of supervisors and officers: every case in the caller's scope, filtered, searched in
Chinese, sorted and paged, with the total count. From indexed tables only (never the workflow state)."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, select
from sqlalchemy.orm import Session, aliased, defer

from . import search
from .access import instance_visible
from .clock import CHINA_TZ, local_today
from .context import EngineContext
from .db.models import HumanTask, ProcessInstance, ProcessVersion, Unit
from .db.oversight import CaseFact
from .errors import InvalidSubmission
from .records import Actor, CaseRow, Page

STATUS_NAMES = {"running": "办理中", "completed": "已办结", "suspended": "已中止", "cancelled": "已作废"}
STATUSES = tuple(STATUS_NAMES)
SORTS = {
    "updated": ProcessInstance.updated_at,
    "started": ProcessInstance.started_at,
    "key": ProcessInstance.business_key,
    "title": ProcessInstance.title,
    "status": ProcessInstance.status,
}
MAX_PER_PAGE = 100


@dataclass(frozen=True)
class CaseFilter:
    """What the list is narrowed to; every field optional. `fact`/`code` select the cases behind a
    dashboard figure (the period then applies to the fact's date, as on the dashboard)."""

    q: str = ""
    process: str = ""
    version: int | None = None
    status: str = ""
    unit: str = ""
    office: str = ""
    overdue: bool = False
    step: str = ""
    fact: str = ""  # a kind of case fact (engine/facts.py): the cases behind a dashboard figure …
    code: str = ""  # … with one of these codes (comma-separated; "-" is "no code yet")
    person: str = ""  # … about this person
    state: str = ""  # … open, overdue, done or late (answered or closed after its due date)
    with_fact: str = ""  # … whose case also has a fact of this kind (函询 → 初核 → 立案)
    by: str = "at"  # the period applies to the fact's date (at) or to the day it was met (done)
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "updated"
    descending: bool = True
    page: int = 1
    per_page: int = 20

    @classmethod
    def parse(cls, args: dict[str, Any]) -> CaseFilter:
        """From query-string values (strings); a value that cannot be read is refused, naming the field."""
        errors: dict[str, str] = {}
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = args.get(_ALIASES.get(f.name, f.name))
            if raw in (None, ""):
                continue
            try:
                values[f.name] = _PARSERS.get(f.name, str)(str(raw))
            except ValueError:
                errors[_ALIASES.get(f.name, f.name)] = "取值无效"
        if values.get("status", "") not in ("", *STATUSES):
            errors["status"] = "状态只能是 " + "、".join(STATUSES)
        if values.get("state", "") not in ("", *FACT_STATES):
            errors["state"] = "只能是 " + "、".join(FACT_STATES)
        if values.get("by", "at") not in ("at", "done"):
            errors["by"] = "只能是 at 或 done"
        if values.get("sort", "updated") not in SORTS:
            errors["sort"] = "排序只能是 " + "、".join(SORTS)
        if errors:
            raise InvalidSubmission(errors)
        found = cls(**values)
        return replace(found, page=max(found.page, 1), per_page=min(max(found.per_page, 1), MAX_PER_PAGE))

    def query_args(self, **changes: Any) -> dict[str, str]:
        """This filter as query-string values (for links: next page, another sort), defaults left out."""
        out = {}
        for f in fields(self):
            value = changes.get(f.name, getattr(self, f.name))
            if value != f.default and value not in (None, ""):
                out[_ALIASES.get(f.name, f.name)] = _FORMATS.get(f.name, str)(value)
        return out


def _bool(raw: str) -> bool:
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError(raw)


_ALIASES = {"date_from": "from", "date_to": "to", "descending": "desc", "with_fact": "with"}
FACT_STATES = ("open", "overdue", "done", "late")
_PARSERS = {
    "version": int,
    "page": int,
    "per_page": int,
    "overdue": _bool,
    "descending": _bool,
    "date_from": date.fromisoformat,
    "date_to": date.fromisoformat,
}
_FORMATS = {"overdue": lambda v: "1" if v else "0", "descending": lambda v: "1" if v else "0"}


def day_bounds(first: date | None, last: date | None) -> tuple[datetime | None, datetime | None]:
    """A period of local dates as [start, end) instants."""
    start = datetime.combine(first, time(), CHINA_TZ) if first else None
    end = datetime.combine(last, time(), CHINA_TZ) + timedelta(days=1) if last else None
    return start, end


def overdue_condition(today: date) -> ColumnElement[bool]:
    return exists().where(
        HumanTask.instance_id == ProcessInstance.id, HumanTask.status == "ready", HumanTask.due_date < today
    )


def _filtered(ctx: EngineContext, session: Session, actor: Actor, f: CaseFilter) -> Select[Any]:
    today = local_today(ctx.clock)
    conditions = [instance_visible(actor, ctx.roles, case_file=False), *_column_conditions(f)]
    if f.q:
        found = search.matches(session, f.q)
        if found is not None:
            conditions.append(found)
    if f.overdue:
        conditions.append(overdue_condition(today))
    if f.step:
        conditions.append(
            exists().where(
                HumanTask.instance_id == ProcessInstance.id,
                HumanTask.status == "ready",
                HumanTask.bpmn_id == f.step,
            )
        )
    if f.fact:
        conditions.append(ProcessInstance.id.in_(_fact_cases(f, today)))
    # a list row never needs the serialized workflow, the largest column by far
    return select(ProcessInstance).options(defer(ProcessInstance.state_json)).where(and_(*conditions))


def _column_conditions(f: CaseFilter) -> list[ColumnElement[bool]]:
    """Filters on the case row itself: process, status, unit, office, version, started in the period."""
    equal = (
        (f.process, ProcessInstance.process_id),
        (f.status, ProcessInstance.status),
        ("" if f.fact else f.unit, ProcessInstance.unit_id),  # with a fact: the fact's own unit
        (f.office, ProcessInstance.handling_office),
    )
    out: list[ColumnElement[bool]] = [col == value for value, col in equal if value]
    if f.version is not None:
        versions = select(ProcessVersion.id).where(ProcessVersion.version == f.version)
        if f.process:
            versions = versions.where(ProcessVersion.process_id == f.process)
        out.append(ProcessInstance.version_id.in_(versions))
    start, end = day_bounds(f.date_from, f.date_to)
    if start and not f.fact:  # with a fact, the period applies to the fact's date
        out.append(ProcessInstance.started_at >= start)
    if end and not f.fact:
        out.append(ProcessInstance.started_at < end)
    return out


def _fact_cases(f: CaseFilter, today: date) -> Select[Any]:
    """The cases behind a dashboard figure: with a fact of that kind (code, person, state, period)."""
    query = select(CaseFact.instance_id).where(CaseFact.kind == f.fact)
    if f.code:
        query = query.where(CaseFact.code.in_(["" if c == "-" else c for c in f.code.split(",")]))
    if f.person:
        query = query.where(CaseFact.person == f.person)
    if f.unit:  # the fact's own unit: a plan's units, a finding's unit
        query = query.where(CaseFact.unit_id == f.unit)
    states = {
        "open": CaseFact.done_at.is_(None),
        "overdue": and_(CaseFact.done_at.is_(None), CaseFact.due < today),
        "done": CaseFact.done_at.is_not(None),
        "late": CaseFact.done_at > CaseFact.due,
    }
    if f.state:
        query = query.where(states[f.state])
    if f.with_fact:
        other = aliased(CaseFact)
        query = query.where(
            exists().where(other.instance_id == CaseFact.instance_id, other.kind == f.with_fact)
        )
    dated = CaseFact.done_at if f.by == "done" else CaseFact.at
    if f.date_from:
        query = query.where(dated >= f.date_from)
    if f.date_to:
        query = query.where(dated <= f.date_to)
    return query


def _ordered(ctx: EngineContext, session: Session, actor: Actor, f: CaseFilter) -> Select[Any]:
    column = SORTS[f.sort]
    order = [column.desc() if f.descending else column.asc(), ProcessInstance.id.desc()]
    return _filtered(ctx, session, actor, f).order_by(*order)


def case_page(ctx: EngineContext, session: Session, actor: Actor, f: CaseFilter) -> Page:
    """One page of the cases in scope matching `f`, and how many match in all."""
    counted = _filtered(ctx, session, actor, f).with_only_columns(func.count()).select_from(ProcessInstance)
    total = session.scalar(counted) or 0
    query = _ordered(ctx, session, actor, f).offset((f.page - 1) * f.per_page).limit(f.per_page)
    return Page(tuple(_rows(ctx, session, actor, list(session.scalars(query)))), total, f.page, f.per_page)


def all_cases(ctx: EngineContext, session: Session, actor: Actor, f: CaseFilter, limit: int) -> list[CaseRow]:
    """Every case matching `f` (up to `limit`), in the list's order: what an export holds."""
    rows: list[CaseRow] = []
    query = _ordered(ctx, session, actor, f)
    for start in range(0, limit, 1000):
        batch = list(session.scalars(query.offset(start).limit(min(1000, limit - start))))
        rows.extend(_rows(ctx, session, actor, batch))
        if len(batch) < 1000:
            break
    return rows


def _rows(ctx: EngineContext, session: Session, actor: Actor, rows: list[ProcessInstance]) -> list[CaseRow]:
    ids = [r.id for r in rows]
    files = set(
        session.scalars(
            select(ProcessInstance.id).where(ProcessInstance.id.in_(ids), instance_visible(actor, ctx.roles))
        )
    )
    today = local_today(ctx.clock)
    late = set(
        session.scalars(
            select(HumanTask.instance_id).where(
                HumanTask.instance_id.in_(ids), HumanTask.status == "ready", HumanTask.due_date < today
            )
        )
    )
    versions = dict(
        session.execute(
            select(ProcessVersion.id, ProcessVersion.version).where(
                ProcessVersion.id.in_({r.version_id for r in rows})
            )
        ).all()
    )
    units = dict(session.execute(select(Unit.id, Unit.name)).all())
    return [
        CaseRow(
            id=r.id,
            process_id=r.process_id,
            version=versions.get(r.version_id, 0),
            business_key=r.business_key,
            title=r.title,
            status=r.status,
            unit_id=r.unit_id,
            unit=units.get(r.unit_id or "", r.unit_id or ""),
            office_id=r.handling_office,
            office=units.get(r.handling_office or "", r.handling_office or ""),
            overdue=r.id in late,
            started_at=r.started_at,
            updated_at=r.updated_at,
            openable=r.id in files,
        )
        for r in rows
    ]
