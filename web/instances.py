"""Supervisors and officers: start a procedure, list cases, the case page with its diagram, files."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_login import login_required

from engine import InvalidSubmission
from engine.caselist import CaseFilter

from .context import current_actor, engine_of
from .dashboard import send_export
from .form_render import fields_of, parse_post, person_texts

bp = Blueprint("instances", __name__)


@bp.get("/instances")
@login_required
def index() -> Any:
    """Every case the person may see: filtered, searched in Chinese, sorted, paged, with the total."""
    engine, actor = engine_of(), current_actor()
    try:
        f = CaseFilter.parse(request.args.to_dict())
    except InvalidSubmission as exc:
        flash("；".join(exc.errors.values()), "error")
        f = CaseFilter()
    fmt = request.args.get("format")
    if fmt:
        return send_export(engine.supervisor.export_cases(actor, f, fmt))
    return render_template(
        "instances/index.html",
        page=engine.supervisor.cases(actor, f),
        f=f,
        choices=engine.supervisor.choices(actor),
        processes={p.process_id: p for p in engine.processes(actor)},
    )


@bp.get("/deadlines")
@login_required
def deadlines() -> Any:
    """The deadline board: every open step with a due date in the cases I may see, overdue first."""
    engine, actor = engine_of(), current_actor()
    f = engine.supervisor.stat_filter(request.args.to_dict())
    return render_template(
        "instances/deadlines.html",
        tasks=engine.supervisor.deadlines(actor, f),
        incidents=engine.incidents(actor),
    )


@bp.route("/processes/<process_id>/start", methods=["GET", "POST"])
@login_required
def start(process_id: str) -> Any:
    engine = engine_of()
    actor = current_actor()
    process = next((p for p in engine.processes(actor) if p.process_id == process_id), None)
    if process is None or not actor.roles & set(process.start_roles):
        abort(404)
    form = engine.start_form(process_id)
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            values = parse_post(form.schema, request.form, request.files, actor, None)
            instance_id = engine.start(actor, process_id, values)
        except InvalidSubmission as exc:
            errors = exc.errors
            values = values or {k: v for k, v in request.form.items() if k != "csrf_token"}
        else:
            flash(f"已登记：{process.name_zh}", "success")
            return redirect(url_for("instances.detail", instance_id=instance_id), 303)
    fields = fields_of(form.schema, form.ui, values, errors, people=person_texts(engine))
    return render_template("instances/start.html", process=process, fields=fields, errors=errors), (
        400 if errors else 200
    )


@bp.get("/instances/<int:instance_id>")
@login_required
def detail(instance_id: int) -> Any:
    engine, actor = engine_of(), current_actor()
    view = engine.instance(actor, instance_id)
    names = {p.process_id: p for p in engine.processes(actor)}
    steer = engine.interventions.available(actor, instance_id)
    candidates = (
        {t.id: engine.interventions.candidates(actor, t.id) for t in view.ready_tasks}
        if "reassign" in steer
        else {}
    )
    voidable = {
        d.id
        for d in view.documents
        if "void_document" in steer and not d.void and actor.roles & set(d.voided_by)
    }
    return render_template(
        "instances/detail.html",
        inst=view,
        voidable=voidable,
        processes=names,
        steer=steer,
        candidates=candidates,
        trail=engine.supervisor.case_audit(actor, instance_id) if steer else None,
        stopped=engine.interventions.stopped(actor, instance_id),
        recusals=engine.recusals.of_case(actor, instance_id),
        deciding={r.id for r in engine.recusals.pending(actor)},
        recusing=engine.person_field_texts({actor.username}).get(actor.username, actor.username),
    )


@bp.get("/instances/<int:instance_id>/diagram.bpmn")
@login_required
def diagram_xml(instance_id: int) -> Any:
    xml = engine_of().diagram(current_actor(), instance_id)
    return xml, 200, {"Content-Type": "application/xml; charset=utf-8"}


@bp.get("/instances/<int:instance_id>/diagram.json")
@login_required
def diagram_state(instance_id: int) -> Any:
    completed, current, overdue = engine_of().progress(current_actor(), instance_id)
    return jsonify(completed=completed, current=current, overdue=overdue)


@bp.get("/attachments/<int:link_id>")
@login_required
def attachment(link_id: int) -> Any:
    path, view = engine_of().attachment(current_actor(), link_id)
    return send_file(path, mimetype=view.mime, as_attachment=True, download_name=view.filename)
