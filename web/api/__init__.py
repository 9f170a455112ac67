"""JSON API /api/v1 with bearer tokens: exactly the authorization of the pages.

The blueprint and what every endpoint shares live here; the endpoints are grouped by audience in the
modules below (officers' cases and tasks here; supervision, interventions, the OpenAPI description).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from flask import Blueprint, g, jsonify, request, url_for

from engine import InvalidSubmission, TaskView

from ..context import current_actor, engine_of
from ..errors import error_response
from ..paging import requested_page
from .body import json_body

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.before_request
def _authenticate() -> Any:
    if request.endpoint == "api.openapi":  # the description holds no data: clients read it first
        return None
    header = request.headers.get("Authorization", "")
    token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
    actor = engine_of().actor_for_token(token) if token else None
    if actor is None:
        return error_response(401, "缺少或无效的访问令牌（Bearer token required）")
    g.actor = actor
    return None


def to_json(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    return value


def _task(view: TaskView, full: bool = False) -> dict[str, Any]:
    out = {
        "id": view.id,
        "instance_id": view.instance_id,
        "instance_title": view.instance_title,
        "process": view.process_id,
        "bpmn_id": view.bpmn_id,
        "title": view.title,
        "role": view.role,
        "lane": view.lane,
        "status": view.status,
        "due_date": view.due_date,
        "due_provisional": view.due_provisional,
        "working_days_left": view.working_days_left,
    }
    if full:
        out.update(
            instructions=view.instructions,
            schema=view.form,
            ui_schema=view.ui,
            data=view.data,
            may_act=view.may_act,
            holder=view.holder,
            review=[asdict(s) for s in view.review],
            review_files=[
                {"filename": f.filename, "size": f.size, "url": url_for("instances.attachment", link_id=f.id)}
                for f in view.review_files
            ],
        )
    return to_json(out)


@bp.get("/processes")
def processes() -> Any:
    return jsonify([to_json(asdict(p)) for p in engine_of().processes(current_actor())])


@bp.post("/instances")
def start() -> Any:
    body = json_body()
    data = body.get("data", {})
    if not isinstance(body.get("process"), str) or not isinstance(data, dict):
        raise InvalidSubmission({"process": "需要 process（流程标识）和 data（对象）"})
    engine = engine_of()
    instance_id = engine.start(current_actor(), body["process"], data)
    ready = engine.open_steps(current_actor(), instance_id)  # not the case file: no look at it to audit
    return jsonify(id=instance_id, ready_tasks=[_task(t) for t in ready]), 201


@bp.get("/instances/<int:instance_id>")
def instance(instance_id: int) -> Any:
    view = engine_of().instance(current_actor(), instance_id)
    return jsonify(
        to_json(
            {
                "id": view.id,
                "process": view.process_id,
                "version": view.version,
                "business_key": view.business_key,
                "title": view.title,
                "status": view.status,
                "started_at": view.started_at,
                "ended_at": view.ended_at,
                "ready_tasks": [_task(t) for t in view.ready_tasks],
                "history": [asdict(h) for h in view.history],
                "current_steps": list(view.current_steps),
            }
        )
    )


@bp.get("/tasks")
def tasks() -> Any:
    """The caller's READY tasks, most urgent first: `page` and `per_page` (50 unless asked, at most 200);
    the count of all of them in X-Total-Count, the next page in a Link header."""
    page = engine_of().inbox_page(current_actor(), *requested_page())
    response = jsonify([_task(t) for t in page.items])
    response.headers["X-Total-Count"] = str(page.total)
    if page.page < page.pages:
        following = url_for(".tasks", page=page.page + 1, per_page=page.per_page)
        response.headers["Link"] = f'<{following}>; rel="next"'
    return response


@bp.get("/tasks/<int:task_id>")
def task(task_id: int) -> Any:
    return jsonify(_task(engine_of().task(current_actor(), task_id), full=True))


@bp.post("/tasks/<int:task_id>/complete")
def complete(task_id: int) -> Any:
    body = json_body()
    data = body.get("data", {})
    if not isinstance(data, dict):
        raise InvalidSubmission({"data": "data 必须是对象"})
    engine = engine_of()
    instance_id = engine.complete(current_actor(), task_id, data)
    ready = engine.next_tasks(current_actor(), instance_id)
    return jsonify(instance_id=instance_id, ready_tasks=[_task(t) for t in ready])


from . import (  # noqa: E402, F401 — routes join bp
    calendar,
    designer,
    documents,
    extensions,
    imports,
    interventions,
    notices,
    openapi,
    people,
    recusals,
    supervision,
    uploads,
)
