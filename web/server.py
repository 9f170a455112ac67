"""`qinglian serve --workers N` (issue 11 #11): N server processes under gunicorn and one timer worker
process beside them (`qinglian worker`; more may run anywhere against the same PostgreSQL). With one
process, waitress serves and the timer worker is a thread of it. Metrics of the processes are summed
through a folder prometheus-client shares (PROMETHEUS_MULTIPROC_DIR), emptied at every start."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from engine import Settings

GUNICORN_CONFIG = Path(__file__).with_name("gunicorn_conf.py")


def run_processes(
    settings: Settings, host: str, port: int, workers: int, timer_worker: bool, level: str, form: str
) -> int:
    """Run gunicorn with `workers` processes (and a timer worker) until interrupted; its exit code."""
    shared = Path(settings.instance_dir) / "metrics"
    shutil.rmtree(shared, ignore_errors=True)
    shared.mkdir(mode=0o700, parents=True)
    env = {
        **os.environ,
        "PROMETHEUS_MULTIPROC_DIR": str(shared),
        "QINGLIAN_LOG_LEVEL": level,
        "QINGLIAN_LOG_FORMAT": form,
    }
    children: list[subprocess.Popen[bytes]] = []
    if timer_worker:
        command = [sys.executable, "-m", "web", "worker", "--log-level", level, "--log-format", form]
        children.append(subprocess.Popen(command, env=env))  # noqa: S603 — our interpreter, our arguments
    server = [
        sys.executable, "-m", "gunicorn", "web.wsgi:app",
        "--bind", f"{host}:{port}",
        "--workers", str(workers),
        "--config", str(GUNICORN_CONFIG),
    ]  # fmt: skip
    children.insert(0, subprocess.Popen(server, env=env))  # noqa: S603 — our interpreter, our arguments

    def stop(signum: int, _frame: object) -> None:  # SIGTERM from systemd, Ctrl-C: stop the children too
        for child in children:
            child.send_signal(signal.SIGTERM if signum == signal.SIGTERM else signal.SIGINT)

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, stop)
    try:
        return children[0].wait()
    finally:
        for child in children:
            if child.poll() is None:
                child.terminate()
            child.wait(timeout=60)
