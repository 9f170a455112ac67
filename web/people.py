"""The person picker's search (issue 10 #2): GET /people?task=ID|process=ID&field=NAME&q=TEXT answers
the people that field of the signed-in person's step (or start form) accepts, matching the text."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from flask_login import login_required

from .context import current_actor, engine_of

bp = Blueprint("people", __name__)


def found() -> Any:
    """The matching people as JSON: username (what the field stores), name, unit, post, label, and `fills`:
    what choosing one puts into the field (the name, or the login when the name is not unique)."""
    people = engine_of().people(
        current_actor(),
        request.args.get("field", ""),
        request.args.get("q", "")[:40],
        task_id=request.args.get("task", type=int),
        process_id=request.args.get("process"),
    )
    return jsonify(
        items=[
            {
                "username": p.username,
                "name": p.name,
                "unit": p.unit,
                "post": p.post,
                "label": p.label,
                "fills": p.fills,
            }
            for p in people
        ]
    )


@bp.get("/people")
@login_required
def search() -> Any:
    return found()
