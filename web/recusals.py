"""回避 in the pages (issue 8): a request on the case page (staff file or record one; a person concerned
asks from their step's page), the 纪委书记's decision, and the list of requests waiting for it."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from engine import Conflict, NotPermitted, Refused

from .context import current_actor, engine_of, local_path

bp = Blueprint("recusals", __name__)


@bp.post("/instances/<int:instance_id>/recusals")
@login_required
def ask(instance_id: int) -> Any:
    form = request.form
    try:
        engine_of().recusals.request(
            current_actor(),
            instance_id,
            form.get("user"),
            form.get("grounds"),
            form.get("requester"),
            form.get("form"),
        )
    except (Refused, Conflict) as exc:
        flash(f"回避申请未提交：{exc}", "error")
    else:
        flash("回避申请已提交，由纪委书记决定", "success")
    back = local_path(form.get("back"))
    if back:
        return redirect(back, 303)
    return redirect(url_for("instances.detail", instance_id=instance_id, _anchor="recusals"), 303)


@bp.post("/recusals/<int:request_id>/decision")
@login_required
def decide(request_id: int) -> Any:
    form = request.form
    try:
        engine_of().recusals.decide(
            current_actor(),
            request_id,
            form.get("decision") == "同意",
            form.get("opinion"),
            form.get("upper_level"),
        )
    except (Refused, Conflict, NotPermitted) as exc:
        flash(f"回避决定未保存：{exc}", "error")
    else:
        flash("回避决定已保存并生效", "success")
    return redirect(url_for("recusals.pending"), 303)


@bp.get("/recusals")
@login_required
def pending() -> Any:
    """The requests waiting for my decision."""
    return render_template("recusals/pending.html", requests=engine_of().recusals.pending(current_actor()))
