"""Prometheus metrics for the operator's scraper (issue 11 #11), with prometheus-client: time to answer
per route, and the figures read from the database (engine/gauges.py): open and overdue steps, timer lag,
open incidents, running cases. GET /metrics answers only with `Authorization: Bearer` the value of
QINGLIAN_METRICS_TOKEN; without that setting it does not exist (404). Under `serve --workers N` the
processes' timings are summed through PROMETHEUS_MULTIPROC_DIR (web/server.py sets it)."""

from __future__ import annotations

import hmac
import os
from time import perf_counter
from typing import Any

from flask import Blueprint, Flask, Response, abort, g, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from .context import engine_of

bp = Blueprint("metrics", __name__)
ANSWERED = Histogram(
    "qinglian_request_seconds",
    "Time to answer a request, per route and method",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
FIGURES = {
    "open_tasks": "Steps waiting for someone",
    "overdue_tasks": "Steps past their deadline",
    "timer_lag_seconds": "How long the most overdue timer has been due (0: none is)",
    "open_incidents": "Failed actions not yet dealt with",
    "running_instances": "Cases running",
}


def init_app(app: Flask) -> None:
    """Time every answer (from web/logs.py's start mark) under the route it matched."""

    @app.after_request
    def _timed(response: Response) -> Response:
        started = g.get("request_started")
        if started is not None and request.url_rule is not None:
            ANSWERED.labels(request.url_rule.rule, request.method).observe(perf_counter() - started)
        return response


@bp.get("/metrics")
def metrics() -> Any:
    expected = engine_of().settings.metrics_token
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        abort(404)
    figures = CollectorRegistry()
    figures.register(_Figures())
    timings = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        timings = CollectorRegistry()
        MultiProcessCollector(timings)
    body = generate_latest(timings) + generate_latest(figures)
    return Response(body, mimetype=CONTENT_TYPE_LATEST.split(";")[0], headers={"Cache-Control": "no-store"})


class _Figures:
    """Read when scraped, from the database every process shares."""

    def collect(self) -> Any:
        read = engine_of().operations.gauges()
        for name, help_text in FIGURES.items():
            yield GaugeMetricFamily(f"qinglian_{name}", help_text, value=float(getattr(read, name)))
