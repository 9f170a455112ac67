"""Supervisors steer cases from the case page (issue 8): 催办, 转办, 延期, 中止, 恢复, 作废, 重试, each
with its reason; and the incidents page of cases an error stopped. Refusals come back as a message."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from engine import Conflict, NotPermitted, Refused
from engine.interventions import CASE_KINDS, NAMES

from .context import current_actor, engine_of

bp = Blueprint("interventions", __name__)
TASK_KINDS = ("reassign", "extend")


def _back(instance_id: int) -> Any:
    return redirect(url_for("instances.detail", instance_id=instance_id, _anchor="steer"), 303)


def _corrections(raw: str) -> Any:
    """The retry form's corrections: one `字段 = 值` per line, values read as JSON when they can be."""
    out: dict[str, Any] = {}
    for line in raw.splitlines():
        if not line.strip():
            continue
        key, sep, value = line.partition("=")
        if not sep:
            raise Refused(f"更正数据每行应为“字段 = 值”：{line.strip()}")
        try:
            out[key.strip()] = json.loads(value.strip())
        except ValueError:
            out[key.strip()] = value.strip()
    return out


@bp.post("/instances/<int:instance_id>/interventions/<kind>")
@login_required
def on_case(instance_id: int, kind: str) -> Any:
    if kind not in CASE_KINDS:
        abort(404)
    engine, actor, form = engine_of(), current_actor(), request.form
    steer = engine.interventions
    try:
        if kind == "remind":
            task = form.get("task_id", type=int)
            done = (
                [steer.remind(actor, task, form.get("reason"))]
                if task
                else steer.remind_case(actor, instance_id, form.get("reason"))
            )
        elif kind == "retry":
            done = [steer.retry(actor, instance_id, form.get("reason"), _corrections(form.get("data", "")))]
        else:
            done = [getattr(steer, kind)(actor, instance_id, form.get("reason"))]
    except (Refused, Conflict, NotPermitted) as exc:
        flash(f"{NAMES[kind]}未成功：{exc}", "error")
    else:
        flash("；".join(d.summary for d in done), "success")
    return _back(instance_id)


@bp.post("/tasks/<int:task_id>/interventions/<kind>")
@login_required
def on_task(task_id: int, kind: str) -> Any:
    if kind not in TASK_KINDS:
        abort(404)
    engine, actor, form = engine_of(), current_actor(), request.form
    view = engine.task(actor, task_id)  # NotFound (404) unless the case is theirs to see
    try:
        if kind == "reassign":
            done = engine.interventions.reassign(actor, task_id, form.get("to"), form.get("reason"))
        else:
            done = engine.interventions.extend(
                actor,
                task_id,
                form.get("reason"),
                working_days=form.get("working_days") or None,
                due=form.get("due") or None,
                approved_by=form.get("approved_by"),
            )
    except (Refused, Conflict, NotPermitted) as exc:
        flash(f"{NAMES[kind]}未成功：{exc}", "error")
    else:
        flash(done.summary, "success")
    return _back(view.instance_id)


@bp.post("/instances/<int:instance_id>/documents/<int:document_id>/void")
@login_required
def void_document(instance_id: int, document_id: int) -> Any:
    """作废 one document of the case, and issue its replacement when asked (corrections as in 重试)."""
    form = request.form
    try:
        done = engine_of().interventions.void_document(
            current_actor(),
            document_id,
            form.get("reason"),
            reissue=form.get("reissue") == "1",
            corrections=_corrections(form.get("corrections", "")),
        )
    except (Refused, Conflict, NotPermitted) as exc:
        flash(f"作废文书未成功：{exc}", "error")
    else:
        flash(done.summary, "success")
    return redirect(url_for("instances.detail", instance_id=instance_id, _anchor="documents"), 303)


@bp.get("/incidents")
@login_required
def incidents() -> Any:
    """Cases stopped by a script or engine error: the error, the step, the data to correct."""
    engine, actor = engine_of(), current_actor()
    return render_template("instances/incidents.html", incidents=engine.supervisor.incidents(actor))
