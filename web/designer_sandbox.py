"""试运行 (issue 13 #8): a designer starts the draft in a throwaway county and does each step as the
person who would hold it, on the forms officers will see. Nothing reaches the live cases (engine
designer/sandbox.py). Designers only."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.datastructures import ImmutableMultiDict

from engine import DeployRejected, InvalidSubmission, Refused

from .context import current_actor, engine_of
from .form_render import fields_of, parse_post, render_instructions

bp = Blueprint("designer_sandbox", __name__, url_prefix="/designer")
NO_FILES: ImmutableMultiDict[str, Any] = ImmutableMultiDict()  # a sandbox keeps no files


@bp.get("/<process_id>/sandbox")
@login_required
def sandbox(process_id: str) -> Any:
    return _page(process_id)


def _page(process_id: str, status: int = 200, **shown: Any) -> Any:
    engine, actor = engine_of(), current_actor()
    view = engine.designer.sandbox_view(actor, process_id)
    steps = []
    for step in view.steps if view else ():
        task = step.task
        errors = shown.get("errors", {}) if shown.get("task_id") == task.id else {}
        values = shown.get("values", {}) if shown.get("task_id") == task.id else {}
        fields = fields_of(task.form or {}, task.ui or {}, values, errors, task.data)
        steps.append((step, fields, render_instructions(task.instructions, task.data)))
    start = None
    if view is None and shown.get("prepared"):
        form = engine.designer.sandbox_start_form(actor, process_id)
        start = (
            fields_of(form.schema, form.ui, shown.get("values", {}), shown.get("errors", {})) if form else []
        )
    return render_template(
        "designer/sandbox.html", process_id=process_id, view=view, steps=steps, start=start, **shown
    ), status


@bp.post("/<process_id>/sandbox/prepare")
@login_required
def prepare(process_id: str) -> Any:
    try:
        engine_of().designer.sandbox_prepare(current_actor(), process_id)
    except DeployRejected as exc:
        return _page(process_id, 400, problem=_("草稿未通过校验，不能试运行：") + "；".join(exc.problems))
    return _page(process_id, prepared=True)


@bp.post("/<process_id>/sandbox/start")
@login_required
def start(process_id: str) -> Any:
    engine, actor = engine_of(), current_actor()
    form = engine.designer.sandbox_start_form(actor, process_id)
    try:
        values = parse_post(form.schema, request.form, NO_FILES, actor, None) if form else {}
        engine.designer.sandbox_start(actor, process_id, values)
    except InvalidSubmission as exc:
        typed = {k: v for k, v in request.form.items() if k != "csrf_token"}
        return _page(process_id, 400, prepared=True, errors=exc.errors, values=typed)
    except Refused as exc:
        return _page(process_id, 422, prepared=True, problem=str(exc))
    flash(_("试运行已开始：下面是各步骤，按办理人看到的表单填写"), "ok")
    return redirect(url_for("designer_sandbox.sandbox", process_id=process_id))


@bp.post("/<process_id>/sandbox/steps/<int:task_id>")
@login_required
def step(process_id: str, task_id: int) -> Any:
    engine, actor = engine_of(), current_actor()
    view = engine.designer.sandbox_view(actor, process_id)
    task = next((s.task for s in view.steps if s.task.id == task_id), None) if view else None
    if task is None:
        return _page(process_id, 409, problem=_("该步骤已办理或不存在"))
    try:
        values = parse_post(task.form or {}, request.form, NO_FILES, actor, None)
        engine.designer.sandbox_complete(actor, process_id, task_id, values)
    except InvalidSubmission as exc:
        typed = {k: v for k, v in request.form.items() if k != "csrf_token"}
        return _page(process_id, 400, task_id=task_id, errors=exc.errors, values=typed)
    flash(_("已办理：%(t)s", t=task.title), "ok")
    return redirect(url_for("designer_sandbox.sandbox", process_id=process_id))


@bp.post("/<process_id>/sandbox/discard")
@login_required
def discard(process_id: str) -> Any:
    engine_of().designer.sandbox_discard(current_actor(), process_id)
    flash(_("试运行已清除"), "ok")
    return redirect(url_for("designer_sandbox.sandbox", process_id=process_id))
