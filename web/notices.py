"""Everyone's notification centre (issue 8): the list of notices, unread first, and marking them read;
the unread count is in every page's header."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import login_required

from engine.notices import KINDS

from .context import current_actor, engine_of, local_path

bp = Blueprint("notices", __name__)


@bp.get("/notifications")
@login_required
def index() -> Any:
    engine, actor = engine_of(), current_actor()
    unread_only = request.args.get("unread") == "1"
    return render_template(
        "notices/index.html",
        notices=engine.notices.of(actor, unread_only),
        kinds=KINDS,
        unread_only=unread_only,
    )


@bp.post("/notifications/read")
@login_required
def read() -> Any:
    """Mark one notice read (`id`), or all of them."""
    engine, actor = engine_of(), current_actor()
    one = request.form.get("id", type=int)
    engine.notices.mark_read(actor, [one] if one else None)
    target = local_path(request.form.get("open"))
    if one and target:
        return redirect(target, 303)  # read it by following it
    return redirect(url_for("notices.index"), 303)
