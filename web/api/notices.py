"""API of the caller's notification centre: GET /notifications, POST /notifications/read."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import jsonify, request

from engine import Refused

from ..context import current_actor, engine_of
from . import bp, json_body, to_json


@bp.get("/notifications")
def notifications() -> Any:
    """The caller's notices, newest first (?unread=1: unread only), and how many are unread."""
    engine, actor = engine_of(), current_actor()
    found = engine.notices.of(actor, unread_only=request.args.get("unread") == "1")
    return jsonify(unread=engine.notices.unread(actor), items=[to_json(asdict(n)) for n in found])


@bp.post("/notifications/read")
def notifications_read() -> Any:
    """{"ids": [...]} marks those read; {"all": true} every one."""
    body = json_body()
    ids = body.get("ids")
    if not body.get("all") and not (isinstance(ids, list) and all(isinstance(i, int) for i in ids)):
        raise Refused("请给出 ids（通知编号列表）或 all: true")
    changed = engine_of().notices.mark_read(current_actor(), None if body.get("all") else ids)
    return jsonify(marked=changed)
