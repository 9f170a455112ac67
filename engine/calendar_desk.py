"""The working-day calendar's local overrides (issue 9 #19): extra holidays and extra working days the
county decides (or a year's schedule published after the ``holidays`` data), kept in the database and
editable by the roles roles.toml names; every change recomputes the open deadlines, and each moved
deadline is in its case's history with the old and the new date.

A step's deadline keeps its length: counted from the day the step opened, it runs the same number of
working days on the new calendar; its reminders and overdue timers move with it."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from . import audit
from .clock import CHINA_TZ
from .context import EngineContext
from .db.models import HumanTask, ProcessInstance
from .db.oversight import CalendarDay
from .errors import NotFound, NotPermitted, Refused
from .interventions.common import change, day_of, due_variable, notify, reason_of, record, workflow
from .notices import holders
from .queries import display_names
from .records import Actor
from .spiff.timers import move_timer, set_data, timers_of
from .workdays import WorkCalendar

KINDS = {"holiday": "放假", "workday": "上班"}


@dataclass(frozen=True)
class DayView:
    day: date
    kind: str  # holiday | workday
    note: str
    set_by: str
    set_at: datetime
    set_by_name: str = ""


@dataclass(frozen=True)
class Moved:
    """One open step whose deadline a calendar change moved."""

    instance_id: int
    title: str
    old: date
    new: date


def load_calendar(session: Session) -> WorkCalendar:
    """The ``holidays`` data with this county's overrides."""
    rows = session.execute(select(CalendarDay.day, CalendarDay.kind)).all()
    return WorkCalendar(
        extra_holidays=[d for d, k in rows if k == "holiday"],
        extra_workdays=[d for d, k in rows if k == "workday"],
    )


def stored_calendar(ctx: EngineContext) -> WorkCalendar:
    """The calendar as the database has it (the holidays data alone before the schema exists)."""
    try:
        with ctx.db.reading() as session:
            return load_calendar(session)
    except (OperationalError, ProgrammingError):
        return WorkCalendar.default()


def days(ctx: EngineContext) -> list[DayView]:
    with ctx.db.reading() as session:
        names = display_names(session)
        rows = session.scalars(select(CalendarDay).order_by(CalendarDay.day))
        return [DayView(r.day, r.kind, r.note, r.set_by, r.set_at, names.get(r.set_by, "")) for r in rows]


def may_edit(ctx: EngineContext, actor: Actor) -> bool:
    return bool(actor.roles & ctx.roles.calendar_editors)


def set_day(ctx: EngineContext, actor: Actor, day: Any, kind: Any, note: Any) -> list[Moved]:
    """Make `day` an extra holiday or working day (replacing what was set for it); the open deadlines
    follow."""
    when, what, why = day_of(day), str(kind or ""), reason_of(note)
    if what not in KINDS:
        raise Refused("请选择“放假”或“上班”")
    edit = lambda s: _put(s, when, what, why, actor, ctx.clock.now())  # noqa: E731
    return _changed(ctx, actor, why, edit, {"day": when.isoformat(), "set": what})


def clear_day(ctx: EngineContext, actor: Actor, day: Any, note: Any) -> list[Moved]:
    """Give `day` back to the national schedule; the open deadlines follow."""
    when, why = day_of(day), reason_of(note)

    def drop(session: Session) -> None:
        if session.get(CalendarDay, when) is None:
            raise NotFound(f"{when} 没有本地调整")
        session.execute(delete(CalendarDay).where(CalendarDay.day == when))

    return _changed(ctx, actor, why, drop, {"day": when.isoformat(), "set": "national"})


def recompute(ctx: EngineContext, actor: Actor, note: Any) -> list[Moved]:
    """After the ``holidays`` data gained a year (the State Council published it): recompute every
    open deadline counted on the old data."""
    return _changed(ctx, actor, reason_of(note), lambda _session: None, {"recompute": True})


def _changed(ctx: EngineContext, actor: Actor, why: str, edit: Any, what: dict[str, Any]) -> list[Moved]:
    """Apply `edit` to the table and move the open deadlines; the change itself is an audit event (who,
    which day, what it became, why, what moved), whether or not any deadline moved."""
    if not may_edit(ctx, actor):
        raise NotPermitted("您无权调整工作日历")
    old = ctx.calendar
    try:
        with ctx.db.transaction() as session:
            edit(session)
            session.flush()
            try:
                new = load_calendar(session)
            except ValueError as exc:
                raise Refused(str(exc)) from exc
            ctx.calendar = new  # the cases run on while their deadlines move: on the new calendar
            moved = _follow(ctx, session, actor, old, new, why)
            payload = {
                **what,
                "reason": why,
                "calendar": new.version,
                "moved": [m.instance_id for m in moved],
            }
            audit.append(
                session,
                ctx.audit_key,
                at=ctx.clock.now(),
                actor=actor.username,
                kind="calendar_changed",
                payload=payload,
            )
            return moved
    except Exception:
        ctx.calendar = old  # nothing changed
        raise


def _put(session: Session, day: date, kind: str, note: str, actor: Actor, now: datetime) -> None:
    row = session.get(CalendarDay, day)
    if row is None:
        session.add(CalendarDay(day=day, kind=kind, note=note, set_by=actor.username, set_at=now))
    else:
        row.kind, row.note, row.set_by, row.set_at = kind, note, actor.username, now


def _follow(
    ctx: EngineContext, session: Session, actor: Actor, old: WorkCalendar, new: WorkCalendar, why: str
) -> list[Moved]:
    rows = session.scalars(
        select(HumanTask)
        .where(HumanTask.status.in_(("ready", "suspended")), HumanTask.due_date.is_not(None))
        .order_by(HumanTask.instance_id, HumanTask.id)
    ).all()
    moved = []
    for row in rows:
        start = row.created_at.astimezone(CHINA_TZ).date()
        due = _same_length(old, new, start, row.due_date)
        if due != row.due_date:
            moved.append(_move(ctx, session, actor, row, due, (old, new, start), why))
        row.due_date, row.due_provisional = due, new.is_provisional(due)
        row.calendar_version = new.version
    return moved


def _same_length(old: WorkCalendar, new: WorkCalendar, start: date, day: date) -> date:
    """`day`, counted in working days from `start` on the old calendar, on the new one."""
    if day <= start:
        return day
    return new.add_working_days(start, old.working_days_between(start, day)).due


def _move(
    ctx: EngineContext,
    session: Session,
    actor: Actor,
    row: HumanTask,
    due: date,
    calendars: tuple[WorkCalendar, WorkCalendar, date],
    why: str,
) -> Moved:
    old_cal, new_cal, start = calendars
    instance = session.get(ProcessInstance, row.instance_id)
    if instance is None:
        raise NotFound("案件不存在")
    ctx.db.lock_instance(session, instance.id)
    wf = workflow(ctx, session, instance)
    shift = due - row.due_date
    plan = []
    for timer in timers_of(wf, row.task_guid):
        local = timer.due.astimezone(CHINA_TZ)
        if local.date() > row.due_date:  # after the deadline (overdue, escalation): keep the distance
            day = local.date() + shift
        else:  # before it (a reminder): keep its working days from the step's opening
            day = _same_length(old_cal, new_cal, start, local.date())
        plan.append((timer, datetime.combine(day, local.timetz())))
    var = due_variable(wf, row.task_guid)

    def act() -> None:
        for timer, when in plan:
            move_timer(wf, timer.guid, when)
        if var:
            set_data(wf, row.task_guid, {var: due.isoformat()})

    details = {
        "old_due": row.due_date.isoformat(),
        "new_due": due.isoformat(),
        "approved_by": actor.display_name,
        "timers": [{"name": t.name, "old": t.due.isoformat(), "new": w.isoformat()} for t, w in plan],
    }
    change(ctx, session, actor, instance, wf, "recalendar", (why, details, row), act)
    record(ctx, session, actor, instance, "recalendar", why, details, row, audited=True)
    text = f"【期限调整】{instance.title}：“{row.title}”的期限因工作日历调整由{row.due_date}改为{due}。"
    notify(session, instance.id, holders(session, row), text, ctx.clock.now(), row.id)
    return Moved(instance.id, row.title, row.due_date, due)


class CalendarDesk:
    """Built by the Engine (`engine.calendar_desk`)."""

    def __init__(self, ctx: EngineContext):
        self.ctx = ctx
        self._read_at = 0.0

    def days(self) -> list[DayView]:
        """The local overrides, by day."""
        return days(self.ctx)

    def may_edit(self, actor: Actor) -> bool:
        return may_edit(self.ctx, actor)

    def set_day(self, actor: Actor, day: Any, kind: Any, note: Any) -> list[Moved]:
        """Make `day` an extra holiday (`holiday`) or working day (`workday`), with the reason."""
        return set_day(self.ctx, actor, day, kind, note)

    def clear_day(self, actor: Actor, day: Any, note: Any) -> list[Moved]:
        return clear_day(self.ctx, actor, day, note)

    def recompute(self, actor: Actor, note: Any) -> list[Moved]:
        """Recompute the open deadlines after the holidays data gained a published year."""
        return recompute(self.ctx, actor, note)

    def refresh(self) -> None:
        """Take up what another process changed (a cheap read of a few rows)."""
        self.ctx.calendar, self._read_at = stored_calendar(self.ctx), time.monotonic()

    def refresh_if_older(self, seconds: float) -> None:
        """Refresh when the calendar was read more than `seconds` ago (each web request asks)."""
        if time.monotonic() - self._read_at > seconds:
            self.refresh()
