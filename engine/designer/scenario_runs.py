"""A draft's scenario files run in a throwaway county: a temporary folder with its own database (the
county's units and people, the draft and the processes its scenarios walk into), deleted afterwards.
Nothing of it reaches the live database; the live engine is not touched."""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..api import Engine
from ..clock import FrozenClock
from ..config import Settings
from ..demo import seed_county
from ..errors import EngineError
from ..storyline import load_scenario
from .scenario_checks import ScenarioFailed, check_scenario

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
    for name in sorted(linked - {process_id}):
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
    """The throwaway county's database: schema, units and people, the processes deployed."""
    engine = Engine(throwaway_settings(base, workflows), clock=FrozenClock(datetime(2020, 1, 1).astimezone()))
    try:
        engine.init_schema()
        with engine.ctx.db.transaction() as session:
            seed_county(session, workflows / "county.toml", {})
        engine.deploy()
    finally:
        engine.close()
    return base


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
