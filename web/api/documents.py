"""API for a case's files: GET /instances/<id>/documents (numbered documents, void or not) and
/instances/<id>/attachments, GET /attachments/<link_id> (the file, as the page's download), and
POST /documents/<id>/void {"reason", "reissue", "corrections"} (作废, issue 9 #17)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import jsonify, send_file

from ..context import current_actor, engine_of
from . import bp, json_body, to_json


@bp.get("/instances/<int:instance_id>/documents")
def documents(instance_id: int) -> Any:
    """The case's numbered documents in issue order: number, title, void and why, what each replaces."""
    view = engine_of().instance(current_actor(), instance_id)
    return jsonify(to_json([asdict(d) for d in view.documents]))


@bp.get("/instances/<int:instance_id>/attachments")
def attachments(instance_id: int) -> Any:
    """The case's files (uploads and documents' DOCX/PDF), each with the id to download it by."""
    view = engine_of().instance(current_actor(), instance_id)
    return jsonify(to_json([asdict(a) for a in view.attachments]))


@bp.get("/attachments/<int:link_id>")
def attachment(link_id: int) -> Any:
    """Download one file of a case (the same access check and audit event as the page)."""
    path, view = engine_of().attachment(current_actor(), link_id)
    return send_file(path, mimetype=view.mime, as_attachment=True, download_name=view.filename)


@bp.post("/documents/<int:document_id>/void")
def void_document(document_id: int) -> Any:
    """{"reason": …, "reissue": true|false, "corrections": {field: value}} — only the issuing office."""
    body = json_body()
    done = engine_of().interventions.void_document(
        current_actor(),
        document_id,
        body.get("reason"),
        reissue=body.get("reissue") is True,
        corrections=body.get("corrections"),
    )
    return jsonify(instance_id=done.instance_id, done=[done.summary])
