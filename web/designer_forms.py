"""流程设计 — forms and periods (issue 13 #3): a step's form edited as JSON Schema (and its UI schema) with a
live preview drawn by the code that draws the officers' pages, and the process's periods (`process.toml`
[settings] and [step_days]) edited as a form; both saved into the draft. Designers only."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from engine import Refused
from engine.lint import lint_form_schema

from .context import current_actor, engine_of
from .form_render import fields_of

bp = Blueprint("designer_forms", __name__, url_prefix="/designer")


def _ui_name(schema_name: str) -> str:
    return schema_name.removesuffix(".schema.json") + ".uischema.json"


@bp.route("/<process_id>/forms/<name>", methods=["GET", "POST"])
@login_required
def form(process_id: str, name: str) -> Any:
    engine, actor = engine_of(), current_actor()
    sources = engine.designer.draft(actor, process_id).sources
    schema_file, ui_file = f"forms/{name}", f"forms/{_ui_name(name)}"
    if not name.endswith(".schema.json") or (request.method == "GET" and schema_file not in sources):
        return render_template("error.html", status=404, message=_("表单不存在")), 404
    schema, ui, error = sources.get(schema_file, ""), sources.get(ui_file, ""), ""
    if request.method == "POST":
        schema, ui = request.form.get("schema", ""), request.form.get("ui", "")
        contents = {schema_file: schema.encode("utf-8")}
        if ui.strip():
            contents[ui_file] = ui.encode("utf-8")
        try:
            engine.designer.put_files(actor, process_id, contents, f"修改表单 {name}")
        except Refused as exc:
            error = str(exc)
        else:
            flash(_("表单 %(n)s 已存入草稿", n=name), "ok")
            return redirect(url_for("designer_forms.form", process_id=process_id, name=name))
    page = render_template(
        "designer/form.html",
        process_id=process_id,
        name=name,
        schema=schema,
        ui=ui,
        error=error,
        forms=sorted(n.removeprefix("forms/") for n in sources if n.endswith(".schema.json")),
        preview=_preview(schema, ui),
    )
    return page, 422 if error else 200


@bp.post("/<process_id>/forms/preview")
@login_required
def preview(process_id: str) -> Any:
    """The form as an officer will see it, from the schema being typed (JSON {schema, ui})."""
    engine_of().designer.draft(current_actor(), process_id)  # designers only
    body = request.get_json(silent=True) or {}
    return jsonify(html=str(_preview(str(body.get("schema", "")), str(body.get("ui", "")))))


def _preview(schema_text: str, ui_text: str) -> str:
    problems = lint_form_schema("表单", schema_text)
    try:
        ui = json.loads(ui_text) if ui_text.strip() else {}
    except json.JSONDecodeError as exc:
        problems.append(f"界面表单不是有效的 JSON：第 {exc.lineno} 行：{exc.msg}")
        ui = {}
    try:
        schema = json.loads(schema_text)
    except json.JSONDecodeError:
        schema = None
    fields = fields_of(schema, ui if isinstance(ui, dict) else {}, {}, {}) if isinstance(schema, dict) else []
    return render_template("designer/_form_preview.html", fields=fields, problems=problems)


@bp.route("/<process_id>/periods", methods=["GET", "POST"])
@login_required
def periods(process_id: str) -> Any:
    """process.toml's periods as a form: each value with the note written beside it."""
    engine, actor = engine_of(), current_actor()
    error = ""
    if request.method == "POST":
        values = {
            tuple(key.split(":", 1)): value
            for key, value in request.form.items()
            if ":" in key and key.split(":", 1)[0] in ("settings", "step_days")
        }
        try:
            engine.designer.set_periods(actor, process_id, values)  # type: ignore[arg-type]
        except Refused as exc:
            error = str(exc)
        else:
            flash(_("期限设置已存入草稿"), "ok")
            return redirect(url_for("designer_forms.periods", process_id=process_id))
    found = engine.designer.periods(actor, process_id)
    steps = engine.designer.step_names(actor, process_id)
    page = render_template(
        "designer/periods.html", process_id=process_id, periods=found, steps=steps, error=error
    )
    return page, 422 if error else 200


@bp.get("/<process_id>/decisions/<name>")
@login_required
def decision(process_id: str, name: str) -> Any:
    """A DMN file of the draft in dmn-js's decision table editor."""
    sources = engine_of().designer.draft(current_actor(), process_id).sources
    if not name.endswith(".dmn") or name not in sources:
        return render_template("error.html", status=404, message=_("决策表不存在")), 404
    return render_template("designer/decision.html", process_id=process_id, name=name)
