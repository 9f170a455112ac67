"""延期申请 (issue 9 #19): the holder of a step asks for a later deadline from the step's page; whoever may
grant 延期 in the case decides on the list of requests waiting for them."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from engine import Conflict, NotPermitted, Refused

from .context import current_actor, engine_of

bp = Blueprint("extensions", __name__)


@bp.post("/tasks/<int:task_id>/extension-request")
@login_required
def ask(task_id: int) -> Any:
    form = request.form
    try:
        engine_of().extension_requests.request(
            current_actor(), task_id, form.get("reason"), form.get("wanted")
        )
    except (Refused, Conflict, NotPermitted) as exc:
        flash(f"延期申请未提交：{exc}", "error")
    else:
        flash("延期申请已提交，等待审批", "success")
    return redirect(url_for("tasks.task", task_id=task_id, _anchor="extension"), 303)


@bp.get("/extension-requests")
@login_required
def pending() -> Any:
    return render_template(
        "tasks/extension_requests.html", requests=engine_of().extension_requests.pending(current_actor())
    )


@bp.post("/extension-requests/<int:request_id>/decision")
@login_required
def decide(request_id: int) -> Any:
    form = request.form
    try:
        done = engine_of().extension_requests.decide(
            current_actor(), request_id, form.get("approve") == "1", form.get("note"), form.get("due") or None
        )
    except (Refused, Conflict, NotPermitted) as exc:
        flash(f"审批未成功：{exc}", "error")
    else:
        word = f"同意，期限延至{done.granted}" if done.status == "approved" else "不同意"
        flash(f"已审批{done.requested_by}的延期申请：{word}", "success")
    return redirect(url_for("extensions.pending"), 303)
