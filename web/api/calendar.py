"""API for the working-day calendar's local overrides (issue 9 #19): GET /calendar/days, POST
/calendar/days {"day", "kind": "holiday"|"workday", "note"}, POST /calendar/days/<day>/clear {"note"};
each change answers with the open deadlines it moved."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import jsonify

from engine import NotFound
from engine.calendar_desk import Moved

from ..context import current_actor, engine_of
from . import bp, json_body, to_json


def _moved(moved: list[Moved]) -> Any:
    return jsonify(moved=to_json([asdict(m) for m in moved]))


@bp.get("/calendar/days")
def calendar_days() -> Any:
    """The local overrides (extra holidays and working days) with their reasons."""
    desk = engine_of().calendar_desk
    if not desk.may_edit(current_actor()):
        raise NotFound("页面不存在")
    return jsonify(to_json([asdict(d) for d in desk.days()]))


@bp.post("/calendar/days")
def calendar_set_day() -> Any:
    """Make a day an extra holiday or working day; the open deadlines follow."""
    body = json_body()
    desk = engine_of().calendar_desk
    return _moved(desk.set_day(current_actor(), body.get("day"), body.get("kind"), body.get("note")))


@bp.post("/calendar/days/<day>/clear")
def calendar_clear_day(day: str) -> Any:
    """Give a day back to the national schedule; the open deadlines follow."""
    return _moved(engine_of().calendar_desk.clear_day(current_actor(), day, json_body().get("note")))
