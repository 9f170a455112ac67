"""The working-day calendar's local overrides (issue 9 #19): 案管室 lists, adds and removes extra
holidays and working days, each with its reason; the page says which open deadlines moved."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from engine import NotFound, NotPermitted, Refused
from engine.calendar_desk import KINDS, Moved

from .context import current_actor, engine_of

bp = Blueprint("calendar", __name__)


def _keeper() -> Any:
    actor = current_actor()
    if not engine_of().calendar_desk.may_edit(actor):
        abort(404)
    return actor


def _told(moved: list[Moved], done: str) -> None:
    if moved:
        flash(
            f"{done}；{len(moved)}个待办事项的期限随之调整："
            + "；".join(f"{m.title}（{m.old}→{m.new}）" for m in moved[:10]),
            "success",
        )
    else:
        flash(f"{done}；没有待办事项的期限受影响", "success")


@bp.get("/calendar")
@login_required
def index() -> Any:
    _keeper()
    desk = engine_of().calendar_desk
    return render_template("calendar/index.html", days=desk.days(), kinds=KINDS)


@bp.post("/calendar/days")
@login_required
def set_day() -> Any:
    actor, form = _keeper(), request.form
    try:
        moved = engine_of().calendar_desk.set_day(actor, form.get("day"), form.get("kind"), form.get("note"))
    except (Refused, NotPermitted) as exc:
        flash(f"调整未成功：{exc}", "error")
    else:
        _told(moved, f"已将{form.get('day')}调整为{KINDS[str(form.get('kind'))]}")
    return redirect(url_for("calendar.index"), 303)


@bp.post("/calendar/days/<day>/clear")
@login_required
def clear_day(day: str) -> Any:
    actor = _keeper()
    try:
        moved = engine_of().calendar_desk.clear_day(actor, day, request.form.get("note"))
    except (Refused, NotPermitted, NotFound) as exc:
        flash(f"撤销未成功：{exc}", "error")
    else:
        _told(moved, f"已撤销{day}的本地调整")
    return redirect(url_for("calendar.index"), 303)
