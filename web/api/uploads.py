"""API uploads: POST /uploads (multipart/form-data: `file`, and `instance_id` for a step of that case;
without it, for a start form) answers the file's sha256, the value a form's attachment field takes. Like
the page's, the upload stays pending until the submission naming it is accepted (engine/uploads.py)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import jsonify, request

from engine import InvalidSubmission

from ..context import current_actor, engine_of
from . import bp, to_json


@bp.post("/uploads")
def upload() -> Any:
    """Store one file (`file`) for case `instance_id` (or for a start form); 201 with its sha256."""
    sent = request.files.get("file")
    if sent is None or not sent.filename:
        raise InvalidSubmission({"file": "请选择要上传的文件（multipart 字段 file）"})
    raw = request.form.get("instance_id", "").strip()
    if raw and not raw.isdigit():
        raise InvalidSubmission({"instance_id": "案件编号应为整数"})
    view = engine_of().upload(current_actor(), sent.filename, sent.read(), int(raw) if raw else None)
    return jsonify(to_json({**asdict(view), "pending": True})), 201
