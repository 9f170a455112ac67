"""A draft's scenario files run in a throwaway county: a temporary folder with its own database (the
county's units and people, the draft and the processes its scenarios walk into), deleted afterwards.
Nothing of it reaches the live database; the live engine is not touched."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..api import Engine
from ..catalog import discover
from ..clock import FrozenClock
from ..config import Settings
from ..db.migrate import MIGRATIONS
from ..demo import seed_county
from ..errors import EngineError
from ..storyline import load_scenario
from .scenario_checks import ScenarioFailed, check_scenario

SEEDED_AT = datetime(2020, 1, 1, tzinfo=UTC)  # when a throwaway county's people and processes came to be
SHARED_FILES = ("roles.toml", "county.toml", "statistics.toml", "four_forms.toml")


@dataclass(frozen=True)
class ScenarioResult:
    name: str  # the scenario file, e.g. scenarios/closed_on_time.json
    passed: bool
    message: str = ""  # why it failed


def run_scenarios(settings: Settings, process_id: str, sources: dict[str, str]) -> list[ScenarioResult]:
    """Every scenarios/*.json of `sources`, each on a fresh copy of one throwaway county."""
    names = sorted(n for n in sources if n.startswith("scenarios/") and n.endswith(".json"))
    if not names:
        return []
    live = Path(settings.workflows_dir)
    with tempfile.TemporaryDirectory(prefix="qinglian-scenarios-") as folder:
        tmp = Path(folder)
        linked = {w for n in names for w in _linked(sources[n])}
        workflows = throwaway_workflows(tmp, live, process_id, sources, linked)
        base = throwaway_county(tmp / "base", workflows)
        return [_run_one(tmp / f"run{i}", base, workflows, process_id, n) for i, n in enumerate(names)]


def throwaway_workflows(
    tmp: Path, live: Path, process_id: str, sources: dict[str, str], linked: set[str]
) -> Path:
    """A workflows folder under `tmp`: the county's shared files, the draft, and the `linked` folders."""
    workflows = tmp / "workflows"
    workflows.mkdir()
    for name in SHARED_FILES:
        if (live / name).exists():
            shutil.copy(live / name, workflows / name)
    if (live / "documents").is_dir():
        shutil.copytree(live / "documents", workflows / "documents")
    own = workflows / process_id
    for name, text in sources.items():
        (own / name).parent.mkdir(parents=True, exist_ok=True)
        (own / name).write_text(text, encoding="utf-8")
    known = {folder.name for folder in discover(live)}  # a scenario's `with` names nothing else
    for name in sorted((linked & known) - {process_id}):
        if (live / name / "process.toml").exists():
            shutil.copytree(live / name, workflows / name)
    return workflows


def _linked(text: str) -> list[str]:
    try:
        return [str(w) for w in json.loads(text).get("with", [])]
    except (json.JSONDecodeError, AttributeError):
        return []


def throwaway_settings(instance: Path, workflows: Path) -> Settings:
    """Its own SQLite file whatever the live database is, and keys made in its own folder on first use
    (the copies of the county share them)."""
    return Settings(
        database_url="", instance_dir=str(instance), workflows_dir=str(workflows), secret_key="", audit_key=""
    )


def throwaway_county(base: Path, workflows: Path) -> Path:
    """The throwaway county's database in `base`: schema, units and people, the processes deployed."""
    shutil.copytree(_people(workflows), base)
    engine = Engine(throwaway_settings(base, workflows), clock=FrozenClock(SEEDED_AT))
    try:
        engine.deploy()
    finally:
        engine.close()
    return base


def _people(workflows: Path) -> Path:
    """A county folder with the schema, the units and people of county.toml and its keys, built once for
    these county, role and schema files and reused (seeding hashes every password: argon2, ≈ 5 s). Kept in a
    folder of this system user's alone."""
    digest = hashlib.sha256()
    for part in (workflows / "county.toml", workflows / "roles.toml"):
        digest.update(part.read_bytes())
    digest.update(" ".join(sorted(p.name for p in MIGRATIONS.glob("versions/*.py"))).encode())
    root = Path(tempfile.gettempdir()) / f"qinglian-counties-{os.getuid()}"
    root.mkdir(mode=0o700, exist_ok=True)
    owned = root.stat()
    if (
        owned.st_uid != os.getuid() or owned.st_mode & 0o077
    ):  # someone else's folder: build afresh, keep nothing
        root = Path(tempfile.mkdtemp(prefix="qinglian-county-"))
    target = root / digest.hexdigest()[:16]
    if not (target / "qinglian.db").exists():
        build = Path(tempfile.mkdtemp(dir=root))
        engine = Engine(
            throwaway_settings(build, workflows), clock=FrozenClock(datetime(2020, 1, 1).astimezone())
        )
        try:
            engine.init_schema()
            with engine.ctx.db.transaction() as session:
                seed_county(session, workflows / "county.toml", {})
        finally:
            engine.close()
        try:
            build.rename(target)
        except OSError:  # another run built it meanwhile
            shutil.rmtree(build, ignore_errors=True)
    return target


def _run_one(folder: Path, base: Path, workflows: Path, process_id: str, name: str) -> ScenarioResult:
    shutil.copytree(base, folder)
    settings = throwaway_settings(folder, workflows)
    try:
        scenario = load_scenario(workflows / process_id / name, process_id)
        at = datetime.fromisoformat(scenario["start"]["at"])
    except (ValueError, KeyError, TypeError) as exc:
        return ScenarioResult(name, False, f"场景文件格式有误：{exc}")
    engine = Engine(settings, clock=FrozenClock(at))
    try:
        check_scenario(engine, scenario, name)
    except ScenarioFailed as exc:
        return ScenarioResult(name, False, str(exc))
    except (EngineError, LookupError, KeyError) as exc:
        return ScenarioResult(name, False, f"{name}: {exc}")
    finally:
        engine.close()
    return ScenarioResult(name, True)
