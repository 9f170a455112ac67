"""API imports (issue 12 D1): GET /processes/<id>/import lists the columns an import file of the process
has; POST it (multipart/form-data, field `file`: a .csv or .xlsx) imports one case per row, answering what
was imported and each refused row with its line and reasons (422 when the file is not such a table)."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from engine import InvalidSubmission

from ..context import current_actor, engine_of
from . import bp


@bp.get("/processes/<process_id>/import")
def import_columns(process_id: str) -> Any:
    """The columns an import file of the process has: title, field and whether it is required."""
    columns = engine_of().imports.columns(current_actor(), process_id)
    return jsonify(columns=[{"title": t, "field": f, "required": r} for t, f, r in columns])


@bp.post("/processes/<process_id>/import")
def import_file(process_id: str) -> Any:
    """Import one case per row of `file` (multipart, .csv or .xlsx): imported and refused rows by line."""
    sent = request.files.get("file")
    if sent is None or not sent.filename:
        raise InvalidSubmission({"file": "请选择要导入的文件（multipart 字段 file）"})
    report = engine_of().imports.run(current_actor(), process_id, sent.filename, sent.read())
    return jsonify(
        file=report.filename,
        imported=[{"line": n, "instance_id": i, "title": t} for n, i, t in report.imported],
        refused=[{"line": n, "errors": errors} for n, errors in report.refused],
    )
