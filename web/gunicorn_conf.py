"""gunicorn settings of `qinglian serve --workers N` (web/server.py)."""

from __future__ import annotations

from typing import Any

from prometheus_client import multiprocess

worker_class = "sync"  # one request at a time per process; the reverse proxy in front buffers slow clients
timeout = 60
graceful_timeout = 30
accesslog = None  # the app logs each request itself (web/logs.py), with its request id


def child_exit(server: Any, worker: Any) -> None:
    """A process that ended leaves its live gauges behind: prometheus-client's multiprocess cleanup."""
    multiprocess.mark_process_dead(worker.pid)
