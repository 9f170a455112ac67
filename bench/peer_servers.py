"""`make peer` (bench/peer.py): standing the two servers up, each as one process on its own SQLite file, and
stopping them."""

from __future__ import annotations

import http.client
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.cases import ROOT, Case
from bench.peer_install import PeerSetupError, SpiffInstall, log_tail, run_logged
from bench.peer_sides import Qinglian, SpiffArena
from bench.run import _free_port, make_engine

MODEL = ROOT / "bench" / "peer_model"


class Servers:
    """The server processes of this run, each in its own session, all stopped by stop()."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, cmd: list[str], cwd: Path, env: dict[str, str], port: int, probe: str) -> None:
        log = self.logs / f"{name}.log"
        with log.open("ab") as out:
            proc = subprocess.Popen(
                cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.procs.append(proc)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise PeerSetupError(
                    f"{name} exited with {proc.returncode}; the end of {log}:\n{log_tail(log)}"
                )
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", probe)
                conn.getresponse().read()
                conn.close()
                return
            except OSError:
                time.sleep(0.2)
        raise PeerSetupError(
            f"{name} did not answer on port {port} within 90 s; the end of {log}:\n{log_tail(log)}"
        )

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.procs.clear()


# ---------------------------------------------------------------- standing the two servers up


def stand_up_qinglian(folder: Path, servers: Servers, workers: int = 1, database_url: str = "") -> Qinglian:
    """Qinglian's server on the model: waitress, one process; `workers` > 1: gunicorn, that many; on SQLite
    in `folder` unless `database_url`."""
    case = Case(
        process_id="peer",
        folder=MODEL,
        starter="zhaoliu",
        start_data=lambda _n: {},
        walk=[],
        task="step1",
        actor="zhaoliu",
    )
    engine = make_engine(folder, case, database_url)
    token = engine.issue_token("zhaoliu")
    engine.close()
    port = _free_port()
    env = {
        **os.environ,
        "QINGLIAN_INSTANCE_DIR": str(folder),
        "QINGLIAN_WORKFLOWS_DIR": str(folder / "workflows"),
        "QINGLIAN_SECRET_KEY": "bench",
        **({"QINGLIAN_DATABASE_URL": database_url} if database_url else {}),
    }
    cmd = [sys.executable, "-m", "web", "serve", "--port", str(port), "--no-worker", "--log-level", "warning"]
    cmd += ["--workers", str(workers)] if workers > 1 else []
    servers.start(f"qinglian-{workers}", cmd, ROOT, env, port, "/login")
    return Qinglian("Qinglian", port, {"Authorization": f"Bearer {token}"})


def write_spiff_model(specs: Path) -> None:
    """The model in SpiffArena's process-model layout, committed to a git repository as it expects."""
    group, model = specs / "bench", specs / "bench" / "peer"
    model.mkdir(parents=True)
    (group / "process_group.json").write_text(
        json.dumps({"display_name": "bench", "description": "", "admin": False, "display_order": 0})
    )
    meta = {
        "display_name": "对比基准流程",
        "description": "",
        "exception_notification_addresses": [],
        "fault_or_suspend_on_exception": "fault",
        "metadata_extraction_paths": None,
        "primary_file_name": "peer.bpmn",
        "primary_process_id": "peer",
    }
    (model / "process_model.json").write_text(json.dumps(meta, ensure_ascii=False))
    shutil.copy(MODEL / "process.bpmn", model / "peer.bpmn")
    for form in sorted((MODEL / "forms").glob("*.schema.json")):
        shutil.copy(form, model / form.name)
    if shutil.which("git"):
        who = ["-c", "user.name=bench", "-c", "user.email=bench@example.invalid"]
        for args in (["init", "-q"], ["add", "-A"], [*who, "commit", "-q", "-m", "peer model"]):
            subprocess.run(["git", "-C", str(specs), *args], check=True, capture_output=True)


def spiff_env(install: SpiffInstall, folder: Path, port: int, api_key: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV") and "QINGLIAN" not in k
    }
    return env | {
        "PYTHONPATH": str(install.backend / "src"),
        "FLASK_APP": "app.py",
        "FLASK_DEBUG": "0",
        "FLASK_INSTANCE_PATH": str(folder / "instance"),
        "FLASK_SESSION_SECRET_KEY": secrets.token_hex(16),
        "SPIFFWORKFLOW_BACKEND_ENV": "local_development",
        "SPIFFWORKFLOW_BACKEND_DATABASE_URI": f"sqlite:///{folder / 'spiff.sqlite3'}",
        "SPIFFWORKFLOW_BACKEND_BPMN_SPEC_ABSOLUTE_DIR": str(folder / "process_models"),
        "SPIFFWORKFLOW_BACKEND_PERMISSIONS_FILE_ABSOLUTE_PATH": str(folder / "permissions.yml"),
        "SPIFFWORKFLOW_BACKEND_RUN_BACKGROUND_SCHEDULER_IN_CREATE_APP": "false",
        "SPIFFWORKFLOW_BACKEND_CELERY_ENABLED": "false",
        "SPIFFWORKFLOW_BACKEND_VALIDATE_USER_TASK_DATA_AGAINST_SCHEMA": "true",
        "SPIFFWORKFLOW_BACKEND_LOG_LEVEL": "warning",
        "SPIFFWORKFLOW_BACKEND_URL": f"http://127.0.0.1:{port}",
        "SPIFFWORKFLOW_BACKEND_SERVER_WORKER_COUNT": "1",
        "SPIFFWORKFLOW_API_KEY_bench": api_key,
    }


PERMISSIONS = """\
users:
  bench:
    service: bootstrap
groups:
  admin:
    users: [bench@bootstrap]
  案管室:
    users: [bench@bootstrap]
permissions:
  admin:
    groups: [admin]
    actions: [all]
    uri: /*
"""


def stand_up_spiffarena(install: SpiffInstall, folder: Path, servers: Servers) -> SpiffArena:
    (folder / "instance").mkdir(parents=True)
    (folder / "permissions.yml").write_text(PERMISSIONS)
    write_spiff_model(folder / "process_models")
    port, api_key = _free_port(), secrets.token_urlsafe(24)
    env = spiff_env(install, folder, port, api_key)
    log, python = folder / "setup.log", str(install.python)
    kwargs: dict[str, Any] = {"cwd": install.backend, "env": env}
    run_logged([python, "-m", "flask", "db", "upgrade"], log, "SpiffArena: flask db upgrade", **kwargs)
    run_logged([python, "bin/bootstrap.py"], log, "SpiffArena: bin/bootstrap.py", **kwargs)
    run_logged([python, "bin/refresh_all_caches.py"], log, "SpiffArena: bin/refresh_all_caches.py", **kwargs)
    cmd = [python, "-m", "uvicorn", "spiff_web_server:asgi_app", "--host", "127.0.0.1", "--port", str(port)]
    cmd += ["--workers", "1", "--log-level", "warning"]
    servers.start("spiffarena", cmd, install.backend, env, port, "/v1.0/status")
    return SpiffArena("SpiffArena", port, {"SpiffWorkflow-Api-Key": api_key})
