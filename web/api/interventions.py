"""API for interventions (issue 8): POST /instances/<id>/{remind,suspend,resume,cancel,retry} and
/tasks/<id>/{reassign,extend}, each with `reason`; 403/404/409/422 with a Chinese message."""

from __future__ import annotations

from typing import Any

from flask import abort, jsonify

from engine.interventions import CASE_KINDS

from ..context import current_actor, engine_of
from . import bp, json_body


@bp.post("/instances/<int:instance_id>/<kind>")
def steer_case(instance_id: int, kind: str) -> Any:
    """{"reason": …} (remind: optional "task_id", else every open step; retry: optional "data")."""
    if kind not in CASE_KINDS:
        abort(404)
    body, actor, steer = json_body(), current_actor(), engine_of().interventions
    if kind == "remind":
        task = body.get("task_id")
        done = (
            [steer.remind(actor, int(task), body.get("reason"))]
            if task
            else steer.remind_case(actor, instance_id, body.get("reason"))
        )
    elif kind == "retry":
        done = [steer.retry(actor, instance_id, body.get("reason"), body.get("data"))]
    else:
        done = [getattr(steer, kind)(actor, instance_id, body.get("reason"))]
    return jsonify(instance_id=instance_id, done=[d.summary for d in done])


@bp.post("/tasks/<int:task_id>/reassign")
def reassign(task_id: int) -> Any:
    """{"to": username, "reason": …}"""
    body = json_body()
    done = engine_of().interventions.reassign(current_actor(), task_id, body.get("to"), body.get("reason"))
    return jsonify(instance_id=done.instance_id, done=[done.summary])


@bp.post("/tasks/<int:task_id>/extend")
def extend(task_id: int) -> Any:
    """{"reason": …, "working_days": n | "due": "YYYY-MM-DD", "approved_by": name}"""
    body = json_body()
    done = engine_of().interventions.extend(
        current_actor(),
        task_id,
        body.get("reason"),
        working_days=body.get("working_days"),
        due=body.get("due"),
        approved_by=body.get("approved_by"),
    )
    return jsonify(instance_id=done.instance_id, done=[done.summary])
