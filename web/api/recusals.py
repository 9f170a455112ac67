"""API of 回避: requests on a case, the requests waiting for the caller's decision, the decision."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import jsonify

from ..context import current_actor, engine_of
from . import bp, json_body, to_json


@bp.get("/instances/<int:instance_id>/recusals")
def recusals(instance_id: int) -> Any:
    """The 回避 requests of a case the caller sees, with their decisions."""
    return jsonify([to_json(asdict(r)) for r in engine_of().recusals.of_case(current_actor(), instance_id)])


@bp.post("/instances/<int:instance_id>/recusals")
def ask_recusal(instance_id: int) -> Any:
    """{"user", "grounds", "requester": 本人|被反映人|检举控告人|其他, "form": 书面|口头} → 201."""
    body = json_body()
    request_id = engine_of().recusals.request(
        current_actor(),
        instance_id,
        body.get("user"),
        body.get("grounds"),
        body.get("requester", "本人"),
        body.get("form", "书面"),
    )
    return jsonify(id=request_id), 201


@bp.get("/recusals")
def pending_recusals() -> Any:
    """The 回避 requests waiting for the caller's decision."""
    return jsonify([to_json(asdict(r)) for r in engine_of().recusals.pending(current_actor())])


@bp.post("/recusals/<int:request_id>/decision")
def decide_recusal(request_id: int) -> Any:
    """{"approve": true|false, "opinion": …, "upper_level": … (the 纪委书记's own: who decided above)}"""
    body = json_body()
    engine_of().recusals.decide(
        current_actor(), request_id, bool(body.get("approve")), body.get("opinion"), body.get("upper_level")
    )
    return jsonify(id=request_id, decided=True)
