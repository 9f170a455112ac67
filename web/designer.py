"""流程设计 (issue 13): the model library, a process's versions and draft, and the designer's actions on
the draft — upload a file, validate, run the scenarios, deploy (forced by an administrator with a reason)
— plus the import of a model drawn in another tool. Only designers and administrators reach these pages
(404 for everyone else); the editor, the diff and the migration pages live in designer_pages.py."""

from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import login_required

from engine import DeployRejected, InvalidSubmission, NotPermitted, Refused

from .context import current_actor, engine_of
from .errors import error_response

bp = Blueprint("designer", __name__, url_prefix="/designer")


@bp.get("")
@login_required
def library() -> Any:
    engine, actor = engine_of(), current_actor()
    entries = engine.designer.library(actor)
    return render_template(
        "designer/library.html", entries=entries, admin=engine.designer.may_administer(actor)
    )


@bp.post("/import")
@login_required
def import_model() -> Any:
    sent = request.files.get("file")
    if sent is None or not sent.filename:
        flash(_("请选择 BPMN 文件"), "error")
        return redirect(url_for("designer.library"))
    try:
        draft = engine_of().designer.import_model(current_actor(), sent.filename, sent.read())
    except Refused as exc:
        flash(str(exc), "error")
        return redirect(url_for("designer.library"))
    flash(_("已导入为新流程 %(p)s 的草稿；请按下面的校验结果补全后再部署", p=draft.process_id), "ok")
    return redirect(url_for("designer.process", process_id=draft.process_id, check=1))


@bp.get("/<process_id>")
@login_required
def process(process_id: str) -> Any:
    problems = (
        engine_of().designer.validate(current_actor(), process_id) if request.args.get("check") else None
    )
    return _process_page(process_id, problems=problems)


def _process_page(process_id: str, status: int = 200, **shown: Any) -> Any:
    engine, actor = engine_of(), current_actor()
    draft = engine.designer.draft(actor, process_id)
    entry = next((e for e in engine.designer.library(actor) if e.process_id == process_id), None)
    page = render_template(
        "designer/process.html",
        process_id=process_id,
        entry=entry,
        draft=draft,
        history=engine.designer.history(actor, process_id),
        admin=engine.designer.may_administer(actor),
        forms=sorted(n[6:] for n in draft.sources if n.startswith("forms/") and n.endswith(".schema.json")),
        decisions=sorted(n for n in draft.sources if n.endswith(".dmn")),
        **shown,
    )
    return page, status


@bp.post("/<process_id>/validate")
@login_required
def validate(process_id: str) -> Any:
    return _process_page(process_id, problems=engine_of().designer.validate(current_actor(), process_id))


@bp.post("/<process_id>/scenarios")
@login_required
def scenarios(process_id: str) -> Any:
    try:
        results = engine_of().designer.run_scenarios(current_actor(), process_id)
    except DeployRejected:
        problems = engine_of().designer.validate(current_actor(), process_id)
        return _process_page(process_id, 400, problems=problems)
    return _process_page(process_id, scenarios=results)


@bp.post("/<process_id>/deploy")
@login_required
def deploy(process_id: str) -> Any:
    engine, actor = engine_of(), current_actor()
    try:
        outcome = engine.designer.deploy(actor, process_id, request.form.get("force_reason", ""))
    except DeployRejected:
        return _process_page(process_id, 400, problems=engine.designer.validate(actor, process_id))
    except (Refused, NotPermitted) as exc:
        return _process_page(process_id, 422, deploy_error=str(exc))
    if outcome.forced:
        flash(_("已强制部署为第 %(v)s 版（场景未全部通过，理由已记录）", v=outcome.version), "ok")
    elif outcome.created:
        flash(
            _("已部署为第 %(v)s 版：新登记的案件使用此版本，在办案件仍按原版本办理", v=outcome.version), "ok"
        )
    else:
        flash(_("草稿与第 %(v)s 版相同，未产生新版本", v=outcome.version), "ok")
    return redirect(url_for("designer.process", process_id=process_id))


@bp.post("/<process_id>/files")
@login_required
def upload(process_id: str) -> Any:
    sent = request.files.get("file")
    if sent is None or not sent.filename:
        return _process_page(process_id, 400, upload_error=_("请选择要上传的文件"))
    name = (request.form.get("name") or sent.filename).strip()
    try:
        engine_of().designer.put_file(current_actor(), process_id, name, sent.read())
    except (Refused, InvalidSubmission) as exc:
        return _process_page(process_id, 422, upload_error=str(exc))
    flash(_("已上传 %(n)s 到草稿", n=name), "ok")
    return redirect(url_for("designer.process", process_id=process_id))


@bp.get("/<process_id>/files/<path:name>")
@login_required
def download(process_id: str, name: str) -> Any:
    """One file of the draft, or of version ?version=N."""
    engine, actor = engine_of(), current_actor()
    version = request.args.get("version", "")
    sources = engine.designer.files(actor, process_id, int(version) if version.isdecimal() else None)
    if name not in sources:
        return error_response(404, _("文件不存在"))
    sent = send_file(
        io.BytesIO(sources[name].encode("utf-8")),
        mimetype="application/octet-stream",
        as_attachment=True,
        download_name=name.rsplit("/", 1)[-1],
    )
    sent.headers["Cache-Control"] = "no-store"
    return sent


@bp.app_template_global()
def person_name(username: str) -> str:
    """Who deployed or saved, by name (an account's username is not shown on pages)."""
    if username == "system":
        return _("系统（随安装部署）")
    found = engine_of().actor_by_name(username)
    return found.display_name if found else username
