"""Officers: the inbox of their tasks and the task page with its form."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from engine import InvalidSubmission

from .context import current_actor, engine_of
from .form_render import fields_of, parse_post, person_texts, render_instructions
from .paging import TASKS_PER_PAGE, requested_page

bp = Blueprint("tasks", __name__)
INBOX_PAGE = TASKS_PER_PAGE  # steps on one page of the inbox


@bp.get("/")
@login_required
def inbox() -> Any:
    engine = engine_of()
    actor = current_actor()
    number, _size = requested_page()  # the page's size is the inbox's own: its links name none
    tasks = engine.inbox_page(actor, number, INBOX_PAGE)
    if number > tasks.pages:  # past the end (its last steps were just done): the last page there is
        return redirect(url_for("tasks.inbox", page=tasks.pages))
    return render_template(
        "tasks/inbox.html",
        tasks=tasks,
        notices=engine.notices.of(actor, unread_only=True, limit=10),
        processes=[p for p in engine.processes(actor) if actor.roles & set(p.start_roles)],
    )


@bp.route("/tasks/<int:task_id>", methods=["GET", "POST"])
@login_required
def task(task_id: int) -> Any:
    engine = engine_of()
    actor = current_actor()
    view = engine.task(actor, task_id)
    props = (view.form or {}).get("properties", {})
    values: dict[str, Any] = {k: v for k, v in view.data.items() if k in props}  # e.g. after 退回
    errors: dict[str, str] = {}
    if request.method == "POST" and view.form is not None:
        typed = {k: v for k, v in request.form.items() if k != "csrf_token"}
        try:
            values = typed  # what was typed is shown again if the post cannot even be read
            values = parse_post(view.form, request.form, request.files, actor, view.instance_id)
            engine.complete(actor, task_id, values)
        except InvalidSubmission as exc:
            errors = exc.errors
        else:
            flash(f"已办结：{view.title}", "success")
            return redirect(url_for("tasks.inbox"), 303)
    fields = fields_of(view.form or {}, view.ui or {}, values or {}, errors, view.data, person_texts(engine))
    status = 400 if errors else 200
    instructions = render_instructions(view.instructions, view.data)
    documents = engine.addressed_documents(actor, view.instance_id)
    officers = engine.recusals.officers(actor, view.instance_id) if engine.roles.outside(actor.roles) else []
    may_extend = view.status == "ready" and view.may_act and view.due_date is not None
    extension = engine.extension_requests.of_task(actor, task_id) if may_extend else None
    return render_template(
        "tasks/task.html",
        task=view,
        fields=fields,
        errors=errors,
        instructions=instructions,
        documents=documents,
        officers=officers,
        may_extend=may_extend,
        extension=extension,
    ), status
