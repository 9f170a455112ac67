"""API for process designers (issue 13): everything the /designer pages do. The model library; a process's
draft (read, save its files, upload one file); validate (each problem with its file and element); run
the scenarios; deploy (an administrator may force it with a reason); the diff of two versions or of a
version and the draft; the migration pre-check and the migration of running cases."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import jsonify, request

from engine import InvalidSubmission

from ..context import current_actor, engine_of
from . import bp, to_json
from .body import json_body


@bp.get("/designer/processes")
def designer_library() -> Any:
    return jsonify(processes=to_json([asdict(e) for e in engine_of().designer.library(current_actor())]))


@bp.get("/designer/processes/<process_id>/draft")
def designer_draft(process_id: str) -> Any:
    return jsonify(to_json(asdict(engine_of().designer.draft(current_actor(), process_id))))


@bp.put("/designer/processes/<process_id>/draft")
def designer_save(process_id: str) -> Any:
    """Save the draft: {"sources": {file name: text}, "note": "…"} — the whole set of files."""
    body = json_body()
    sources = body.get("sources")
    if not isinstance(sources, dict) or not all(isinstance(v, str) for v in sources.values()):
        raise InvalidSubmission({"sources": "sources 必须是“文件名 → 文本”的对象"})
    draft = engine_of().designer.save(current_actor(), process_id, sources, str(body.get("note", "")))
    return jsonify(to_json(asdict(draft)))


@bp.post("/designer/processes/<process_id>/files")
def designer_upload(process_id: str) -> Any:
    """Upload one file into the draft (multipart field `file`; form field `name` as it sits in the
    process folder, e.g. forms/reply.schema.json; default the file's own name)."""
    sent = request.files.get("file")
    if sent is None or not sent.filename:
        raise InvalidSubmission({"file": "请选择要上传的文件（multipart 字段 file）"})
    name = request.form.get("name") or sent.filename
    draft = engine_of().designer.put_file(current_actor(), process_id, name, sent.read())
    return jsonify(revision=draft.revision, files=sorted(draft.sources))


@bp.post("/designer/import")
def designer_import() -> Any:
    """A BPMN file drawn in another modeler becomes the draft of a new process (multipart `file`)."""
    sent = request.files.get("file")
    if sent is None or not sent.filename:
        raise InvalidSubmission({"file": "请选择 BPMN 文件（multipart 字段 file）"})
    draft = engine_of().designer.import_model(current_actor(), sent.filename, sent.read())
    return jsonify(process_id=draft.process_id, revision=draft.revision), 201


@bp.post("/designer/processes/<process_id>/validate")
def designer_validate(process_id: str) -> Any:
    problems = engine_of().designer.validate(current_actor(), process_id)
    return jsonify(valid=not problems, problems=[asdict(p) for p in problems])


@bp.post("/designer/processes/<process_id>/scenarios")
def designer_scenarios(process_id: str) -> Any:
    results = engine_of().designer.run_scenarios(current_actor(), process_id)
    return jsonify(passed=all(r.passed for r in results), scenarios=[asdict(r) for r in results])


@bp.post("/designer/processes/<process_id>/deploy")
def designer_deploy(process_id: str) -> Any:
    """Deploy the draft; {"force_reason": "…"} (administrators) deploys though scenarios fail."""
    body = request.get_json(silent=True) if request.data else {}
    reason = str((body or {}).get("force_reason", ""))
    outcome = engine_of().designer.deploy(current_actor(), process_id, reason)
    return jsonify(to_json(asdict(outcome))), 201 if outcome.created else 200


@bp.get("/designer/processes/<process_id>/diff")
def designer_diff(process_id: str) -> Any:
    """?from=1&to=2 (to omitted: the draft)."""
    try:
        before = int(request.args.get("from", ""))
        after = int(request.args["to"]) if request.args.get("to") else None
    except ValueError:
        raise InvalidSubmission({"from": "from 和 to 须为版本号"}) from None
    diff = engine_of().designer.diff(current_actor(), process_id, before, after)
    return jsonify(asdict(diff))


@bp.get("/designer/processes/<process_id>/migration")
def designer_precheck(process_id: str) -> Any:
    """?version=N: every running case of an older version, and whether it can move to N and why not."""
    version = request.args.get("version", "")
    if not version.isdigit():
        raise InvalidSubmission({"version": "version 须为版本号"})
    checks = engine_of().designer.precheck(current_actor(), process_id, int(version))
    return jsonify(cases=[asdict(c) for c in checks])


@bp.post("/designer/processes/<process_id>/migration")
def designer_migrate(process_id: str) -> Any:
    """{"version": N, "instances": [ids], "reason": "…"}: each case moved in its own transaction."""
    body = json_body()
    version, instances = body.get("version"), body.get("instances")
    if not isinstance(version, int) or not isinstance(instances, list):
        raise InvalidSubmission({"version": "须给出 version（版本号）和 instances（案件编号列表）"})
    ids = [i for i in instances if isinstance(i, int)]
    outcomes = engine_of().designer.migrate(
        current_actor(), process_id, version, ids, str(body.get("reason", ""))
    )
    return jsonify(outcomes=[asdict(o) for o in outcomes])
