"""API for 延期申请 (issue 9 #19): POST /tasks/<id>/extension-requests {"reason", "due"} by the step's
holder; GET /extension-requests (waiting for my decision); POST /extension-requests/<id>/decision
{"approve": true|false, "note", "due"}."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import jsonify

from ..context import current_actor, engine_of
from . import bp, json_body, to_json


@bp.post("/tasks/<int:task_id>/extension-requests")
def ask_extension(task_id: int) -> Any:
    """Ask for a later deadline on one's own open step."""
    body = json_body()
    made = engine_of().extension_requests.request(
        current_actor(), task_id, body.get("reason"), body.get("due")
    )
    return jsonify(to_json(asdict(made))), 201


@bp.get("/extension-requests")
def extension_requests() -> Any:
    """The requests waiting for my decision."""
    return jsonify(to_json([asdict(r) for r in engine_of().extension_requests.pending(current_actor())]))


@bp.post("/extension-requests/<int:request_id>/decision")
def decide_extension(request_id: int) -> Any:
    """Grant (to the date asked, or "due") or refuse, with "note"."""
    body = json_body()
    done = engine_of().extension_requests.decide(
        current_actor(), request_id, body.get("approve") is True, body.get("note"), body.get("due")
    )
    return jsonify(to_json(asdict(done)))
