"""What the server writes to its log: one line per request and every error; engine detail only at debug.

SpiffWorkflow logs each task's state change at INFO and the worker each timer it fires; an office's
operator reading `qinglian serve` wants the requests and the failures, so those loggers stay at WARNING
unless the level asked for is debug.
"""

from __future__ import annotations

import logging
import time

from flask import Flask, Response, g, request

LEVELS = ("debug", "info", "warning")
DETAIL_LOGGERS = ("spiff", "engine")  # SpiffWorkflow's and our engine's own detail
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
http_log = logging.getLogger("qinglian.http")


def configure(level: str = "info") -> None:
    """Set up the process's logging at `level` (debug, info or warning)."""
    chosen = getattr(logging, level.upper())
    logging.basicConfig(level=chosen, format=FORMAT, force=True)
    for name in DETAIL_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG if chosen == logging.DEBUG else logging.WARNING)


def log_requests(app: Flask) -> None:
    """One INFO line per request: method, path (no query string: it may carry a search), status, time."""

    @app.before_request
    def _started() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def _finished(response: Response) -> Response:
        elapsed = (time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000
        http_log.info("%s %s %s %.0f ms", request.method, request.path, response.status_code, elapsed)
        return response
