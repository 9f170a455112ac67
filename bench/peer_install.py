"""`make peer` (bench/peer.py, whose docstring tells the method): SpiffArena's backend from source, installed
once into its own virtualenv in the cache, with the dependencies it is given and those left out."""

from __future__ import annotations

import hashlib
import importlib.metadata
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MIRROR = Path("/work/.mirror/sartography+spiff-arena/repo")
CACHE = Path(os.environ.get("QINGLIAN_PEER_CACHE") or Path.home() / ".cache" / "qinglian-peer")
LEFT_OUT = {  # spiffworkflow-backend dependencies not installed (see bench/peer.py's docstring)
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


def log_tail(path: Path, lines: int = 25) -> str:
    text = path.read_text(errors="replace") if path.exists() else ""
    return "\n".join(text.splitlines()[-lines:])


def run_logged(cmd: list[str], log: Path, what: str, **kwargs: Any) -> None:
    with log.open("ab") as out:
        out.write(f"\n$ {' '.join(cmd)}\n".encode())
        out.flush()
        code = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, check=False, **kwargs).returncode
    if code:
        raise PeerSetupError(f"{what} failed (exit {code}); the end of {log}:\n{log_tail(log)}")


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
    run_logged([sys.executable, "-m", "venv", str(home / "venv")], log, "creating the virtualenv")
    python = _venv_python(home / "venv")
    pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "--quiet"]
    try:
        run_logged(
            [*pip, "-c", str(home / "constraints.txt"), "-r", str(home / "requirements.txt")], log, "pip"
        )
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
