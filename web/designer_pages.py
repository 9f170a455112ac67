"""流程设计 continued (issue 13): the BPMN editor (bpmn-js modeler with the properties panel, saved as a
draft and validated from the page), the diff of two versions side by side, and the migration of running
cases after a pre-check. Designers and administrators only (404 for everyone else)."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from engine import InvalidSubmission, Refused

from .context import current_actor, engine_of

bp = Blueprint("designer_pages", __name__, url_prefix="/designer")


def _diagram_name(sources: dict[str, str]) -> str:
    names = sorted(n for n in sources if n.endswith(".bpmn"))
    if not names:
        raise InvalidSubmission({"file": _("草稿中没有 BPMN 文件")})
    return "process.bpmn" if "process.bpmn" in names else names[0]


@bp.get("/<process_id>/edit")
@login_required
def edit(process_id: str) -> Any:
    engine, actor = engine_of(), current_actor()
    draft = engine.designer.draft(actor, process_id)
    setup = {
        "roles": [{"code": r.code, "zh": r.zh, "lane": r.lane} for r in engine.roles.roles.values()],
        "forms": sorted(n.removeprefix("forms/") for n in draft.sources if n.startswith("forms/")),
        "decisions": engine.designer.decisions(actor, process_id),
        "messages": engine.designer.messages(actor, process_id),
    }
    return render_template(
        "designer/edit.html",
        process_id=process_id,
        draft=draft,
        diagram=_diagram_name(draft.sources),
        setup=json.dumps(setup, ensure_ascii=False),
        element=request.args.get("element", ""),
    )


@bp.get("/<process_id>/draft/<path:name>")
@login_required
def draft_file(process_id: str, name: str) -> Any:
    sources = engine_of().designer.draft(current_actor(), process_id).sources
    if name not in sources:
        return jsonify(error=_("文件不存在")), 404
    return Response(sources[name], mimetype="application/xml", headers={"Cache-Control": "no-store"})


@bp.post("/<process_id>/draft/<path:name>")
@login_required
def save_file(process_id: str, name: str) -> Any:
    """The editor saves one diagram (XML body, CSRF header), then validates the whole draft."""
    engine, actor = engine_of(), current_actor()
    text = request.get_data(as_text=True)
    try:
        draft = engine.designer.put_file(
            actor, process_id, name, text.encode("utf-8"), f"在编辑器中修改 {name}"
        )
    except Refused as exc:
        return jsonify(saved=False, error=str(exc), problems=[]), 422
    problems = engine.designer.validate(actor, process_id)
    return jsonify(
        saved=True,
        revision=draft.revision,
        problems=[{"element": p.element, "file": p.file, "message": p.message} for p in problems],
    )


@bp.get("/<process_id>/diff")
@login_required
def diff(process_id: str) -> Any:
    """Two versions (?from=1&to=2) or a version and the draft (?from=1), side by side and as a list."""
    engine, actor = engine_of(), current_actor()
    before = request.args.get("from", "")
    after = request.args.get("to", "")
    if not before.isdigit() or (after and not after.isdigit()):
        raise InvalidSubmission({"from": _("请选择要比较的版本")})
    found = engine.designer.diff(actor, process_id, int(before), int(after) if after else None)
    return render_template(
        "designer/diff.html", process_id=process_id, diff=found, before=int(before), after=after or ""
    )


@bp.get("/<process_id>/diff/<side>.json")
@login_required
def diff_marks(process_id: str, side: str) -> Any:
    """The elements to mark on one side's diagram: changed (blue), added or removed (red)."""
    before, after = request.args.get("from", ""), request.args.get("to", "")
    if side not in ("before", "after") or not before.isdigit():
        return jsonify(error=_("参数有误")), 400
    found = engine_of().designer.diff(current_actor(), process_id, int(before), int(after) if after else None)
    changed = [e.element for e in found.changed]
    new_or_gone = [e.element for e in (found.removed if side == "before" else found.added)]
    return jsonify(completed=[], current=changed, overdue=new_or_gone)


@bp.get("/<process_id>/diagram.bpmn")
@login_required
def diagram(process_id: str) -> Any:
    """The diagram of version ?version=N, or of the draft."""
    engine, actor = engine_of(), current_actor()
    version = request.args.get("version", "")
    sources = engine.designer.files(actor, process_id, int(version) if version.isdecimal() else None)
    body = sources[_diagram_name(sources)]
    return Response(body, mimetype="application/xml", headers={"Cache-Control": "no-store"})


@bp.route("/<process_id>/migrate", methods=["GET", "POST"])
@login_required
def migrate(process_id: str) -> Any:
    """The pre-check of every running case of an older version, then the chosen cases moved."""
    engine, actor = engine_of(), current_actor()
    version = request.values.get("version", "")
    if not version.isdigit():
        raise InvalidSubmission({"version": _("请选择目标版本")})
    outcomes, error = [], ""
    if request.method == "POST":
        chosen = [int(i) for i in request.form.getlist("instance") if i.isdigit()]
        try:
            outcomes = engine.designer.migrate(
                actor, process_id, int(version), chosen, request.form.get("reason", "")
            )
        except Refused as exc:
            error = str(exc)
        if outcomes and all(o.moved for o in outcomes):
            flash(_("已迁移 %(n)s 件案件到第 %(v)s 版", n=len(outcomes), v=version), "ok")
            return redirect(url_for("designer.process", process_id=process_id))
    checks = engine.designer.precheck(actor, process_id, int(version))
    page = render_template(
        "designer/migrate.html",
        process_id=process_id,
        version=int(version),
        checks=checks,
        outcomes=outcomes,
        error=error,
    )
    return page, 422 if error else 200
