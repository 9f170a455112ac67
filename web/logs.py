"""What the server writes to its log: one line per request and every error; engine detail only at debug.

SpiffWorkflow logs each task's state change at INFO and the worker each timer it fires; an office's
operator reading `qinglian serve` wants the requests and the failures, so those loggers stay at WARNING
unless the level asked for is debug. Every line written while a request is answered carries its request
id (the proxy's X-Request-ID, or a new one, sent back in the response); `json` writes one JSON object per
line (python-json-logger) for a log collector.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, Response, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

LEVELS = ("debug", "info", "warning")
FORMATS = ("text", "json")
# detail, logged at debug level only: SpiffWorkflow's, the engine's, a PDF's layout (seven lines each)
DETAIL_LOGGERS = ("spiff", "engine", "weasyprint", "fontTools")
FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(process)d %(request_id)s %(message)s"
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
http_log = logging.getLogger("qinglian.http")


class RequestId(logging.Filter):
    """Gives every record the id of the request being answered ("-" outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


def configure(level: str = "info", form: str = "text") -> None:
    """Set up the process's logging at `level` (debug, info or warning), as text lines or JSON."""
    chosen = getattr(logging, level.upper())
    handler = logging.StreamHandler()
    handler.addFilter(RequestId())
    handler.setFormatter(JsonFormatter(JSON_FIELDS) if form == "json" else logging.Formatter(FORMAT))
    logging.basicConfig(level=chosen, handlers=[handler], force=True)
    for name in DETAIL_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG if chosen == logging.DEBUG else logging.WARNING)


def log_requests(app: Flask) -> None:
    """One INFO line per request: method, path (no query string: it may carry a search), status, time."""

    @app.before_request
    def _started() -> None:
        g.request_started = time.perf_counter()
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex

    @app.after_request
    def _finished(response: Response) -> Response:
        elapsed = (time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000
        http_log.info("%s %s %s %.0f ms", request.method, request.path, response.status_code, elapsed)
        if "request_id" in g:
            response.headers["X-Request-ID"] = g.request_id
        return response
