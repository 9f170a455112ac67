"""`make peer` (issue 11 #15): Qinglian side by side with its nearest peer, SpiffArena's backend.

Both run the same small model (bench/peer_model/: start → 登记申请 → 审核 → 归档 → end, one lane 案管室,
a JSON-schema form of one or two fields per step), each as ONE server process on its own SQLite file,
driven over HTTP by the same client code (http.client, one kept-alive connection per client):

  start     an instance, until the client holds its first open task;
  complete  one task (the median over the three steps of --rounds instances);
  whole     instance: start it and complete its three tasks;
  throughput: --clients clients (4) running whole instances for --seconds (10 s): instances/s.

Medians over --rounds rounds after --warmup whole instances. The two sides take turns, round by round (the
throughput run in alternating slices), so whatever else loads the machine loads both alike; the figures to
compare are the ratios (SpiffArena / Qinglian), not the absolute times. Both sides validate each
submission against its form's schema on the server. The JSON of the same figures ends the output (and
goes to --json FILE if given).

Qinglian: set up like `make bench` (bench/run.py make_engine: the demo county, the model deployed), served by
`python -m web serve --no-worker --log-level warning` (waitress, one process); an API token of 赵六 (案管室,
role AG) sent as `Authorization: Bearer`.

SpiffArena: spiffworkflow-backend is not published on PyPI, so it comes from source: `git archive` of the
spiff-arena repository (--spiff-source: a git repository, bare or not, or a directory holding
spiffworkflow-backend/; default the workplace mirror below), installed once into its own virtualenv under
~/.cache/qinglian-peer/ (QINGLIAN_PEER_CACHE moves it) and reused by later runs:
  - its pyproject dependencies, constrained to the versions of its uv.lock (registry packages), with pip;
    left out: mysqlclient and psycopg2 (MySQL/PostgreSQL drivers compiled against libmysqlclient/libpq;
    SQLite needs neither), sqlalchemy-stubs and celery-stubs (type stubs; the first a GitHub fork), celery's
    `sqs` extra (pycurl; celery is off here);
  - SpiffWorkflow: the release Qinglian runs (upstream pins a GitHub commit), so both sides share one engine;
  - spiffworkflow-connector-command (GitHub only): a one-module stand-in holding the TypedDict the backend
    imports for service-task errors (the model has no service task);
  - the backend itself from its src/ (PYTHONPATH, as `uv run` uses it editable).
Each run then, in a temporary folder: the process model written into a process-model directory in the
backend's layout (bench/process_group.json, bench/peer/process_model.json, peer.bpmn and the three form
schemas side by side) and committed to a git repository there, as the backend expects of that directory;
`flask db upgrade` (its Alembic migrations) on a new SQLite file; bin/bootstrap.py and
bin/refresh_all_caches.py as bin/run_server_locally runs them; then `uvicorn spiff_web_server:asgi_app
--workers 1`. Environment: SPIFFWORKFLOW_BACKEND_DATABASE_URI=sqlite:///…, the background scheduler and
celery off, SPIFFWORKFLOW_BACKEND_VALIDATE_USER_TASK_DATA_AGAINST_SCHEMA=true, log level warning.
Authentication: the backend's API keys. The permissions file names one user of service `bootstrap`
(`bench`), in the admin group (`/*`, all actions) and in the group 案管室 (the lane: SpiffArena assigns a
lane's tasks to the group named after it); bin/bootstrap.py gives it a service account whose key is the
SPIFFWORKFLOW_API_KEY_bench the script chose, sent as the `SpiffWorkflow-Api-Key` header: what a client
of its API holds, as Qinglian's API token is. (Its built-in OpenID server, which bin/get_token scripts,
gives a JWT after a form sign-in; SPIFFWORKFLOW_BACKEND_AUTHENTICATION_DISABLED makes /login hand out a
guest token instead: both are sign-ins, not an API client's credential.)
SpiffArena's API needs three requests to start an instance and learn its open task (POST create, POST run,
GET /tasks?process_instance_id=); completing answers with the next task, as Qinglian's answers do. The
parts of its start are printed under the table.

Both servers are stopped on exit, on failure and on Ctrl-C; a SpiffArena that cannot be set up ends the run
with the reason and the end of the log that shows it.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import importlib.metadata
import io
import json
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.cases import Case  # noqa: E402
from bench.run import _free_port, make_engine  # noqa: E402

MODEL = ROOT / "bench" / "peer_model"
MIRROR = Path("/work/.mirror/sartography+spiff-arena/repo")
CACHE = Path(os.environ.get("QINGLIAN_PEER_CACHE") or Path.home() / ".cache" / "qinglian-peer")
WALK: list[dict[str, Any]] = [  # the three steps' submissions
    {"applicant": "张三", "amount": 1200},
    {"approved": True, "note": "同意"},
    {"archive_no": "GD-0001"},
]
SLICES = 2  # the throughput run alternates between the sides in this many slices each
LEFT_OUT = {  # spiffworkflow-backend dependencies not installed (see the docstring)
    "mysqlclient",
    "psycopg2",
    "sqlalchemy-stubs",
    "celery-stubs",
    "spiffworkflow-connector-command",
    "spiffworkflow",
}
CONNECTOR_STANDIN = '''"""Stand-in for spiffworkflow-connector-command: the one type the backend imports."""
from typing import TypedDict


class CommandErrorDict(TypedDict):
    error_code: str
    message: str
'''
BUILD_HINT = (
    "If a package failed to compile, install the build tools and headers and run `make peer` again:\n"
    "  apt-get install -y build-essential pkg-config python3-dev default-libmysqlclient-dev libpq-dev"
)


class PeerSetupError(RuntimeError):
    """SpiffArena (or a server) could not be set up: the message says why."""


def _name(spec: str) -> str:
    return re.sub(r"[-_.]+", "-", re.split(r"[\s<>=!~\[;(]", spec.strip(), maxsplit=1)[0]).lower()


def _tail(path: Path, lines: int = 25) -> str:
    text = path.read_text(errors="replace") if path.exists() else ""
    return "\n".join(text.splitlines()[-lines:])


def _run(cmd: list[str], log: Path, what: str, **kwargs: Any) -> None:
    with log.open("ab") as out:
        out.write(f"\n$ {' '.join(cmd)}\n".encode())
        out.flush()
        code = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, check=False, **kwargs).returncode
    if code:
        raise PeerSetupError(f"{what} failed (exit {code}); the end of {log}:\n{_tail(log)}")


# ---------------------------------------------------------------- SpiffArena: source and virtualenv


@dataclass(frozen=True)
class SpiffInstall:
    backend: Path  # spiffworkflow-backend/ (src/, migrations/, bin/)
    python: Path  # its virtualenv's interpreter
    label: str  # what was installed: the commit (and date) or the source folder's hash
    versions: dict[str, str]


def _git(source: Path, *args: str) -> bytes | None:
    result = subprocess.run(["git", "-C", str(source), *args], capture_output=True, check=False)
    return result.stdout if result.returncode == 0 else None


def _source_label(source: Path) -> str:
    commit = _git(source, "log", "-1", "--format=%H %cs", "HEAD")
    if commit:
        sha, day = commit.decode().split()
        return f"{sha[:12]} ({day})"
    backend = _backend_dir(source)
    digest = hashlib.sha256((backend / "pyproject.toml").read_bytes() + (backend / "uv.lock").read_bytes())
    return f"folder {digest.hexdigest()[:12]}"


def _backend_dir(source: Path) -> Path:
    for candidate in (source / "spiffworkflow-backend", source):
        if (candidate / "pyproject.toml").exists() and (candidate / "src" / "spiffworkflow_backend").is_dir():
            return candidate
    raise PeerSetupError(
        f"no spiffworkflow-backend in {source}: give --spiff-source a spiff-arena git repository "
        "or a folder holding spiffworkflow-backend/"
    )


def _export_backend(source: Path, dest: Path) -> Path:
    archive = _git(source, "archive", "--format=tar", "HEAD", "spiffworkflow-backend")
    if archive:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(dest, filter="data")
    else:
        shutil.copytree(_backend_dir(source), dest / "spiffworkflow-backend")
    return dest / "spiffworkflow-backend"


def _requirements(backend: Path, spiff_version: str) -> tuple[list[str], list[str]]:
    """(requirements, constraints): the backend's dependencies as installed here, its lock's versions."""
    project = tomllib.loads((backend / "pyproject.toml").read_text())["project"]
    python = re.search(r">=\s*(\d+)\.(\d+)", project.get("requires-python", ""))
    if python and sys.version_info[:2] < (int(python[1]), int(python[2])):
        raise PeerSetupError(f"spiffworkflow-backend needs Python {project['requires-python']}")
    requirements = [f"SpiffWorkflow=={spiff_version}"]
    for spec in project["dependencies"]:
        name = _name(spec)
        if name not in LEFT_OUT:
            requirements.append("celery[redis]>=5.4" if name == "celery" else spec)
    lock = tomllib.loads((backend / "uv.lock").read_text()) if (backend / "uv.lock").exists() else {}
    constraints = [
        f"{p['name']}=={p['version']}"
        for p in lock.get("package", [])
        if "registry" in p.get("source", {}) and _name(p["name"]) not in LEFT_OUT
    ]
    return requirements, constraints


def _venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def install_spiffarena(source: Path) -> SpiffInstall:
    """The backend's source and virtualenv in the cache, made on the first run for this source."""
    if not source.exists():
        raise PeerSetupError(f"SpiffArena source {source} not found: give --spiff-source")
    spiff_version = importlib.metadata.version("SpiffWorkflow")
    label = _source_label(source)
    key = re.sub(r"[^0-9A-Za-z]+", "-", f"{label}-sw{spiff_version}").strip("-")
    home = CACHE / f"spiffarena-{key}"
    ready = home / "ready.json"
    if ready.exists():
        stamp = json.loads(ready.read_text())
        return SpiffInstall(Path(stamp["backend"]), Path(stamp["python"]), label, stamp["versions"])
    print(f"setting up SpiffArena {label} in {home} (first run only) …", flush=True)
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    log = home / "install.log"
    backend = _export_backend(source, home)
    requirements, constraints = _requirements(backend, spiff_version)
    (home / "requirements.txt").write_text("\n".join(requirements) + "\n")
    (home / "constraints.txt").write_text("\n".join(constraints) + "\n")
    _run([sys.executable, "-m", "venv", str(home / "venv")], log, "creating the virtualenv")
    python = _venv_python(home / "venv")
    pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "--quiet"]
    try:
        _run([*pip, "-c", str(home / "constraints.txt"), "-r", str(home / "requirements.txt")], log, "pip")
    except PeerSetupError as exc:
        raise PeerSetupError(f"{exc}\n{BUILD_HINT}") from exc
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    standin = Path(site) / "spiffworkflow_connector_command"
    standin.mkdir()
    (standin / "__init__.py").write_text("")
    (standin / "command_interface.py").write_text(CONNECTOR_STANDIN)
    versions = _versions(python)
    stamp = {"backend": str(backend), "python": str(python), "label": label, "versions": versions}
    ready.write_text(json.dumps(stamp, indent=2))
    return SpiffInstall(backend, python, label, versions)


def _versions(python: Path) -> dict[str, str]:
    names = ["SpiffWorkflow", "Flask", "connexion", "uvicorn", "SQLAlchemy"]
    code = f"import importlib.metadata as m, json; print(json.dumps({{n: m.version(n) for n in {names!r}}}))"
    out = subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=True).stdout
    return dict(json.loads(out))


# ---------------------------------------------------------------- servers


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
                raise PeerSetupError(f"{name} exited with {proc.returncode}; the end of {log}:\n{_tail(log)}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", probe)
                conn.getresponse().read()
                conn.close()
                return
            except OSError:
                time.sleep(0.2)
        raise PeerSetupError(
            f"{name} did not answer on port {port} within 90 s; the end of {log}:\n{_tail(log)}"
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


# ---------------------------------------------------------------- the two sides over HTTP


class HTTPError(RuntimeError):
    pass


class Client:
    """One kept-alive connection; the same code drives both servers."""

    def __init__(self, port: int, headers: dict[str, str]) -> None:
        self.port, self.headers = port, headers
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def call(self, method: str, path: str, body: Any = None) -> Any:
        payload = None if body is None else json.dumps(body).encode()
        headers = {**self.headers, **({"Content-Type": "application/json"} if payload else {})}
        try:
            self.conn.request(method, path, body=payload, headers=headers)
            response = self.conn.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            raise
        if response.status >= 300:
            raise HTTPError(f"{method} {path}: HTTP {response.status} {raw[:300]!r}")
        return json.loads(raw) if raw else None


@dataclass
class Side:
    name: str
    port: int
    headers: dict[str, str]
    start_parts: list[tuple[float, ...]] = field(default_factory=list)

    def client(self) -> Client:
        return Client(self.port, self.headers)

    def start(self, client: Client) -> tuple[int, Any]:
        raise NotImplementedError

    def complete(self, client: Client, instance: int, task: Any, data: dict[str, Any]) -> Any:
        raise NotImplementedError


class Qinglian(Side):
    def start(self, client: Client) -> tuple[int, Any]:
        answer = client.call("POST", "/api/v1/instances", {"process": "peer", "data": {}})
        return answer["id"], _first(answer["ready_tasks"])

    def complete(self, client: Client, instance: int, task: Any, data: dict[str, Any]) -> Any:
        return _first(client.call("POST", f"/api/v1/tasks/{task}/complete", {"data": data})["ready_tasks"])


class SpiffArena(Side):
    MODEL = "bench:peer"  # process group `bench`, model `peer`, as the API spells it

    def start(self, client: Client) -> tuple[int, Any]:
        t0 = time.perf_counter()
        instance = client.call("POST", f"/v1.0/process-instances/{self.MODEL}")["id"]
        t1 = time.perf_counter()
        client.call("POST", f"/v1.0/process-instances/{self.MODEL}/{instance}/run")
        t2 = time.perf_counter()
        tasks = client.call("GET", f"/v1.0/tasks?process_instance_id={instance}")["results"]
        self.start_parts.append((t1 - t0, t2 - t1, time.perf_counter() - t2))
        return instance, tasks[0]["task_guid"] if tasks else None

    def complete(self, client: Client, instance: int, task: Any, data: dict[str, Any]) -> Any:
        answer = client.call("PUT", f"/v1.0/tasks/{instance}/{task}", data)
        return answer["id"] if answer.get("type") == "UserTask" and answer.get("state") == "READY" else None


def _first(tasks: list[dict[str, Any]]) -> Any:
    return tasks[0]["id"] if tasks else None


def walk(side: Side, client: Client, instance: int, task: Any, samples: list[float] | None = None) -> None:
    """Complete the instance's three tasks (timing each into `samples`); it must end after the third."""
    for step, data in enumerate(WALK, 1):
        if task is None:
            raise HTTPError(f"{side.name}: instance {instance} has no open task before step {step}")
        t0 = time.perf_counter()
        task = side.complete(client, instance, task, data)
        if samples is not None:
            samples.append(time.perf_counter() - t0)
    if task is not None:
        raise HTTPError(f"{side.name}: instance {instance} still has an open task after the third step")


def whole(side: Side, client: Client) -> float:
    t0 = time.perf_counter()
    walk(side, client, *side.start(client))
    return time.perf_counter() - t0


def turns(sides: list[Side], rounds: int) -> list[tuple[int, Side]]:
    """Round by round, each side in turn: whatever else loads the machine loads both sides alike."""
    return [(i, side) for i in range(rounds) for side in sides]


def measure(sides: list[Side], rounds: int, warmup: int) -> dict[str, dict[str, float]]:
    """Median ms of start, complete and whole instance per side, `rounds` each after `warmup` whole
    instances, the sides taking turns."""
    clients = {side.name: side.client() for side in sides}
    samples: dict[str, dict[str, list[float]]] = {
        s.name: {"start": [], "complete": [], "whole": []} for s in sides
    }
    opened: dict[str, list[tuple[int, Any]]] = {side.name: [] for side in sides}
    for _i, side in turns(sides, warmup):
        whole(side, clients[side.name])
    for side in sides:
        side.start_parts.clear()
    for _i, side in turns(sides, rounds):
        t0 = time.perf_counter()
        opened[side.name].append(side.start(clients[side.name]))
        samples[side.name]["start"].append(time.perf_counter() - t0)
    for i, side in turns(sides, rounds):
        walk(side, clients[side.name], *opened[side.name][i], samples[side.name]["complete"])
    for _i, side in turns(sides, rounds):
        samples[side.name]["whole"].append(whole(side, clients[side.name]))
    return {side.name: _figures(side, samples[side.name], rounds) for side in sides}


def _figures(side: Side, samples: dict[str, list[float]], rounds: int) -> dict[str, float]:
    figures = {op: _ms(times) for op, times in samples.items()}
    if side.start_parts:  # SpiffArena's three requests of the timed starts (the first `rounds`)
        parts = zip(*side.start_parts[:rounds], strict=True)
        figures.update(
            {f"start.{n}": _ms(list(p)) for n, p in zip(("create", "run", "find"), parts, strict=True)}
        )
    return figures


def throughput(side: Side, clients: int, seconds: float) -> tuple[int, float, int]:
    """(whole instances done, seconds taken, failed requests) with `clients` clients for `seconds`."""
    done = [0] * clients
    errors = [0] * clients
    stop_at = time.monotonic() + seconds

    def run(i: int) -> None:
        client = side.client()
        while time.monotonic() < stop_at:
            try:
                whole(side, client)
                done[i] += 1
            except (HTTPError, OSError, http.client.HTTPException):
                errors[i] += 1

    t0 = time.perf_counter()
    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done), time.perf_counter() - t0, sum(errors)


def _ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


# ---------------------------------------------------------------- standing the two servers up


def stand_up_qinglian(folder: Path, servers: Servers) -> Qinglian:
    case = Case(
        process_id="peer",
        folder=MODEL,
        starter="zhaoliu",
        start_data=lambda _n: {},
        walk=[],
        task="step1",
        actor="zhaoliu",
    )
    engine = make_engine(folder, case)
    token = engine.issue_token("zhaoliu")
    engine.close()
    port = _free_port()
    env = {
        **os.environ,
        "QINGLIAN_INSTANCE_DIR": str(folder),
        "QINGLIAN_WORKFLOWS_DIR": str(folder / "workflows"),
        "QINGLIAN_SECRET_KEY": "bench",
    }
    cmd = [sys.executable, "-m", "web", "serve", "--port", str(port), "--no-worker", "--log-level", "warning"]
    servers.start("qinglian", cmd, ROOT, env, port, "/login")
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
    _run([python, "-m", "flask", "db", "upgrade"], log, "SpiffArena: flask db upgrade", **kwargs)
    _run([python, "bin/bootstrap.py"], log, "SpiffArena: bin/bootstrap.py", **kwargs)
    _run([python, "bin/refresh_all_caches.py"], log, "SpiffArena: bin/refresh_all_caches.py", **kwargs)
    cmd = [python, "-m", "uvicorn", "spiff_web_server:asgi_app", "--host", "127.0.0.1", "--port", str(port)]
    cmd += ["--workers", "1", "--log-level", "warning"]
    servers.start("spiffarena", cmd, install.backend, env, port, "/v1.0/status")
    return SpiffArena("SpiffArena", port, {"SpiffWorkflow-Api-Key": api_key})


# ---------------------------------------------------------------- the report

ROWS = [
    ("start", "start an instance (its first task in hand)"),
    ("complete", "complete one task"),
    ("whole", "whole instance (start + 3 completions)"),
]


def report(figures: dict[str, dict[str, Any]], args: argparse.Namespace, install: SpiffInstall) -> dict:
    q, s = figures["Qinglian"], figures["SpiffArena"]
    print(
        f"\nQinglian vs SpiffArena {install.label} — bench/peer_model (start → 3 user tasks → end), SQLite, "
        f"one server process each, the same http.client code; {args.rounds} rounds after {args.warmup} "
        "warm-up instances, medians"
    )
    print(f"{'operation':<46}{'Qinglian ms':>13}{'SpiffArena ms':>15}{'ratio peer/Qinglian':>22}")
    operations = {}
    for key, label in ROWS:
        ratio = s[key] / q[key]
        operations[key] = {"qinglian_ms": q[key], "spiffarena_ms": s[key], "ratio": ratio}
        print(f"{label:<46}{q[key]:>13.2f}{s[key]:>15.2f}{ratio:>21.2f}x")
    label = f"throughput, {args.clients} clients, {args.seconds:g} s (inst/s)"
    ratio = s["throughput"] / q["throughput"]
    print(f"{label:<46}{q['throughput']:>13.1f}{s['throughput']:>15.1f}{ratio:>21.2f}x  (higher is better)")
    operations["throughput"] = {
        "qinglian_per_s": q["throughput"],
        "spiffarena_per_s": s["throughput"],
        "ratio": ratio,
        "failed_requests": {"qinglian": q["errors"], "spiffarena": s["errors"]},
    }
    print(
        f"SpiffArena's start is three requests: create {s['start.create']:.2f} ms, "
        f"run {s['start.run']:.2f} ms, find its open task {s['start.find']:.2f} ms; "
        "Qinglian's is one (its answer lists the open task)."
    )
    if q["errors"] or s["errors"]:
        print(f"failed requests under load: Qinglian {q['errors']}, SpiffArena {s['errors']}")
    return {
        "spiffarena": {"source": install.label, **install.versions},
        "qinglian": {"SpiffWorkflow": importlib.metadata.version("SpiffWorkflow")},
        "rounds": args.rounds,
        "warmup": args.warmup,
        "operations": operations,
        "spiffarena_start_parts_ms": {k: s[f"start.{k}"] for k in ("create", "run", "find")},
    }


def bench_sides(sides: list[Side], args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    print(f"timing {' and '.join(side.name for side in sides)}, taking turns …", flush=True)
    figures = measure(sides, args.rounds, args.warmup)
    totals = {side.name: [0, 0.0, 0] for side in sides}
    for _ in range(SLICES):  # the throughput run in turns too: SLICES slices of seconds / SLICES each
        for side in sides:
            for k, v in enumerate(throughput(side, args.clients, args.seconds / SLICES)):
                totals[side.name][k] += v
    for name, (done, taken, errors) in totals.items():
        figures[name].update(throughput=done / taken, errors=errors)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients of the throughput run")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of the throughput run")
    parser.add_argument(
        "--spiff-source", type=Path, default=Path(os.environ.get("QINGLIAN_PEER_SPIFF_SOURCE", MIRROR))
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary folder (databases, server logs)"
    )
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # through the finally below
    signal.signal(signal.SIGINT, signal.default_int_handler)  # Ctrl-C too, even where started ignoring it
    folder = Path(tempfile.mkdtemp(prefix="qinglian-peer-"))
    servers = Servers(folder)
    try:
        install = install_spiffarena(args.spiff_source)
        spiff = stand_up_spiffarena(install, folder / "spiffarena", servers)
        qinglian = stand_up_qinglian(folder / "qinglian", servers)
        result = report(bench_sides([qinglian, spiff], args), args, install)
    except PeerSetupError as exc:
        print(f"\nmake peer: setup failed: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    except HTTPError as exc:
        print(f"\nmake peer: a request failed: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        print("\nmake peer: interrupted; stopping the servers", file=sys.stderr)
        raise SystemExit(130) from None
    finally:
        servers.stop()
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    text = json.dumps(result, ensure_ascii=False, indent=2)
    if args.json:
        args.json.write_text(text + "\n")
    print("\nJSON:\n" + text)


if __name__ == "__main__":
    main()
