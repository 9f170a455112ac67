"""Supervisors: the dashboard — every statistic as a chart (ECharts) with the table behind it, each
figure a link to the list of cases it counts. Everyone without a supervision scope gets 404."""

from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, Response, render_template, request, send_file, url_for
from flask_login import login_required

from engine.exports import ExportFile
from engine.reports import report_period
from engine.stats import StatTable

from .context import current_actor, engine_of

bp = Blueprint("dashboard", __name__)


def figure_url(link: dict[str, str] | None, case: int | None = None) -> str | None:
    """Where a figure leads: the case list behind it, or the one case a row stands for."""
    if case is not None:
        return url_for("instances.detail", instance_id=case)
    return url_for("instances.index", **link) if link else None


def chart_of(table: StatTable) -> dict[str, Any] | None:
    """What charts.js draws for a table: categories from the first column, one series per `series`
    column, and the URL behind every point (clicking a bar or slice opens its cases)."""
    if table.chart in ("none", "kpi") or not table.rows:
        return None
    series = []
    for index in table.series:
        points = [row[index] for row in table.rows if _plotted(row)]
        series.append(
            {
                "name": table.columns[index],
                "data": [p.value if isinstance(p.value, int | float) else 0 for p in points],
                "links": [figure_url(p.link, p.case) for p in points],
            }
        )
    return {
        "type": table.chart,
        "categories": [str(row[0].value) for row in table.rows if _plotted(row)],
        "series": series,
    }


def _plotted(row: tuple[Any, ...]) -> bool:
    return row[0].value != "合计"  # a total is a row of the table, not a bar of the chart


@bp.get("/dashboard")
@login_required
def index() -> Any:
    engine, actor = engine_of(), current_actor()
    engine.supervisor.require(actor)
    f = engine.supervisor.stat_filter(request.args.to_dict())
    return render_template(
        "dashboard/index.html",
        statistics=engine.supervisor.dashboard(actor, f),
        f=f,
        choices=engine.supervisor.choices(actor),
        chart_of=chart_of,
        report_month=f.date_to.strftime("%Y-%m"),
        report_quarter=report_period("quarter", f"{f.date_to.year}-Q{(f.date_to.month - 1) // 3 + 1}"),
    )


def send_export(file: ExportFile) -> Response:
    """An export as a download (the file names the exporter and the time inside); send_file writes the
    Chinese file name as RFC 6266 filename* (a raw header would not be valid HTTP)."""
    return send_file(
        io.BytesIO(file.content), mimetype=file.mimetype, as_attachment=True, download_name=file.filename
    )


@bp.get("/dashboard/<name>.<format>")
@login_required
def export(name: str, format: str) -> Any:
    engine, actor = engine_of(), current_actor()
    engine.supervisor.require(actor)  # 404 before any input is read
    f = engine.supervisor.stat_filter(request.args.to_dict())
    return send_export(engine.supervisor.export_statistic(actor, name, f, format))


@bp.get("/processes/<process_id>/view")
@login_required
def process_view(process_id: str) -> Any:
    """A process version's diagram: on each step, the cases standing there and how many are overdue;
    clicking a step lists them."""
    engine, actor = engine_of(), current_actor()
    found = engine.supervisor.process_map(
        actor, process_id, request.args.get("version", type=int), request.args.get("diagram")
    )
    counts = {
        s.bpmn_id: {
            "active": s.active,
            "overdue": s.overdue,
            "url": url_for("instances.index", process=process_id, version=found.version, step=s.bpmn_id),
        }
        for s in found.steps
    }
    return render_template(
        "dashboard/process.html",
        view=found,
        counts=counts,
        xml_url=url_for(
            "dashboard.process_xml", process_id=process_id, version=found.version, diagram=found.diagram
        ),
        processes=engine.supervisor.choices(actor).processes,
    )


@bp.get("/processes/<process_id>/view.bpmn")
@login_required
def process_xml(process_id: str) -> Any:
    engine, actor = engine_of(), current_actor()
    found = engine.supervisor.process_map(
        actor, process_id, request.args.get("version", type=int), request.args.get("diagram")
    )
    return found.xml, 200, {"Content-Type": "application/xml; charset=utf-8"}


@bp.get("/dashboard/report.docx")
@login_required
def report() -> Any:
    """The monthly (?month=YYYY-MM) or quarterly (?quarter=YYYY-Qn) report to the upper level."""
    engine, actor = engine_of(), current_actor()
    engine.supervisor.require(actor)
    kind = "quarter" if request.args.get("quarter") else "month"
    return send_export(engine.supervisor.report(actor, kind, request.args.get(kind, "")))
