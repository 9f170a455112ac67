"""批量导入 (issue 12 D1): the page where the office that starts a process uploads a CSV or XLSX file of its
cases (the 行政服务中心's approval items), sees the columns the file must have, and gets back what was
imported and every refused row with its line and reason."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from flask_login import login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired

from engine import Refused

from .context import current_actor, engine_of

bp = Blueprint("imports", __name__)


class ImportForm(FlaskForm):
    file = FileField(
        "导入文件",
        validators=[
            FileRequired("请选择要导入的文件"),
            FileAllowed(["csv", "xlsx"], "只能导入 CSV（.csv）或 Excel（.xlsx）文件"),
        ],
    )


@bp.route("/processes/<process_id>/import", methods=["GET", "POST"])
@login_required
def upload(process_id: str) -> Any:
    engine, actor = engine_of(), current_actor()
    columns = engine.imports.columns(actor, process_id)  # 404/403 for a process one may not import
    process = next(p for p in engine.processes(actor) if p.process_id == process_id)
    form = ImportForm()
    report, problem = None, ""
    if form.validate_on_submit():
        sent = form.file.data
        try:
            report = engine.imports.run(actor, process_id, sent.filename or "", sent.read())
        except Refused as exc:
            problem = str(exc)
    status = 400 if problem or form.errors else 200
    page = render_template(
        "imports/upload.html", process=process, columns=columns, form=form, report=report, problem=problem
    )
    return page, status
