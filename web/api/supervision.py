"""API for supervisors and the county's own reports: the case list, deadlines, statistics, a process's
versions and start form. The same scope rules as the pages; lists and statistics also as CSV/XLSX."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import abort, jsonify, request, url_for

from engine.caselist import CaseFilter
from engine.stats import Cell, Statistic

from ..context import current_actor, engine_of
from ..dashboard import send_export
from . import bp, to_json


def _case_list_url(link: dict[str, str] | None, case: int | None) -> str | None:
    if case is not None:
        return url_for("api.instance", instance_id=case)
    return url_for("api.instances", **link) if link else None


def _cell(c: Cell) -> dict[str, Any]:
    return {"value": to_json(c.value), "cases": _case_list_url(c.link, c.case)}


def statistic_json(found: Statistic) -> dict[str, Any]:
    return {
        "name": found.name,
        "title": found.title,
        "tables": [
            {
                "name": t.name,
                "title": t.title,
                "columns": list(t.columns),
                "rows": [[_cell(c) for c in row] for row in t.rows],
                "note": t.note,
            }
            for t in found.tables
        ],
    }


@bp.get("/instances")
def instances() -> Any:
    """Cases in scope: q (Chinese search), process, version, status, unit, office, overdue, from, to,
    sort, desc, page, per_page; the figures' own filters (fact, code, person, state, with, by)."""
    engine, actor = engine_of(), current_actor()
    f = CaseFilter.parse(request.args.to_dict())
    if request.args.get("format"):
        return send_export(engine.supervisor.export_cases(actor, f, request.args["format"]))
    page = engine.supervisor.cases(actor, f)
    return jsonify(
        items=[to_json(asdict(r)) for r in page.items],
        total=page.total,
        page=page.page,
        per_page=page.per_page,
    )


@bp.get("/deadlines")
def deadlines() -> Any:
    """Open deadlines in the cases the caller may see, sorted by working days left."""
    engine, actor = engine_of(), current_actor()
    f = engine.supervisor.stat_filter(request.args.to_dict())
    return jsonify(
        [
            {
                "task_id": d.task_id,
                "instance_id": d.instance_id,
                "case": d.case_title,
                "step": d.step,
                "owner": d.owner,
                "due_at": d.due_date.isoformat(),
                "provisional": d.provisional,
                "working_days_left": d.working_days_left,
                "overdue": d.working_days_left < 0,
            }
            for d in engine.supervisor.deadlines(actor, f)
        ]
    )


@bp.get("/stats/<name>")
def statistic(name: str) -> Any:
    """One statistic of the dashboard (forms, clues, inquiries, inspections, rectification, …)."""
    engine, actor = engine_of(), current_actor()
    engine.supervisor.require(actor)  # 404 before any input is read
    f = engine.supervisor.stat_filter(request.args.to_dict())
    if request.args.get("format"):
        return send_export(engine.supervisor.export_statistic(actor, name, f, request.args["format"]))
    found = engine.supervisor.statistic(actor, name, f)
    return jsonify({**statistic_json(found), "filter": f.query_args()})


@bp.get("/processes/<process_id>")
def process(process_id: str) -> Any:
    """A process's versions (who deployed, when, hash, cases on each) and its start form (JSON Schema)."""
    found = engine_of().process(current_actor(), process_id)
    return jsonify(to_json(asdict(found)))


@bp.get("/reports/<kind>")
def report(kind: str) -> Any:
    """The monthly (?value=YYYY-MM) or quarterly (?value=YYYY-Qn) report to the upper level, as DOCX."""
    engine, actor = engine_of(), current_actor()
    engine.supervisor.require(actor)
    if kind not in ("month", "quarter"):
        abort(404)
    return send_export(engine.supervisor.report(actor, kind, request.args.get("value", "")))
