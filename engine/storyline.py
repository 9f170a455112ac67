"""Walking through processes as scenario files describe it: who does what, with which data, when.

The scenario tests assert along such walks (tests/workflows); `qinglian init --demo` plays the demo
storyline (workflows/storyline.json: scenario files cut at chosen steps, so cases stand in many states).
"""

from __future__ import annotations

import json
import logging
import re
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from .api import Engine
from .clock import FrozenClock
from .config import Settings
from .db.models import HumanTask, ProcessInstance
from .errors import EngineError
from .records import Actor

log = logging.getLogger(__name__)

# The smallest valid PDF: what a walk uploads as evidence ({"upload": "name.pdf"}).
_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


@dataclass
class Walk:
    """One walk through a process and the instances its messages start, on an engine whose clock is
    a FrozenClock that the walk moves."""

    engine: Engine
    own_id: int = 0
    instance_id: int = 0
    first_id: int = 0  # instances started before the walk are not its own: "in" never picks them
    files: dict[str, str] = field(default_factory=dict)  # uploaded file name -> sha256

    def actor(self, username: str) -> Actor:
        found = self.engine.actor_by_name(username)
        if found is None:
            raise LookupError(f"unknown user {username}")
        return found

    def start(self, start: dict[str, Any], overrides: dict[str, Any] | None = None) -> int:
        self.move_clock(start["at"])
        with self.engine.ctx.db.reading() as session:
            last = session.scalar(select(ProcessInstance.id).order_by(ProcessInstance.id.desc()))
            self.first_id = (last or 0) + 1
        data = {**self.resolve(start["data"]), **(overrides or {})}
        self.own_id = self.instance_id = self.engine.start(self.actor(start["as"]), start["process"], data)
        return self.own_id

    def move_clock(self, at: str) -> None:
        clock = self.engine.clock
        if not isinstance(clock, FrozenClock):
            raise TypeError("a walk needs an engine with a FrozenClock")
        clock.set(datetime.fromisoformat(at))
        self.engine.fire_due_timers()

    def focus(self, target: str | None) -> None:
        """Look at the walk's own instance, or at `"<process>#<n>"`: the n-th it started (default 1)."""
        if target is None:
            self.instance_id = self.own_id
            return
        process_id, _, nth = target.partition("#")
        with self.engine.ctx.db.reading() as session:
            query = select(ProcessInstance.id).where(
                ProcessInstance.process_id == process_id, ProcessInstance.id >= self.first_id
            )
            ids = list(session.scalars(query.order_by(ProcessInstance.id)))
        number = int(nth or 1)
        if len(ids) < number:
            raise LookupError(f"no instance {target}: the walk started {len(ids)} of {process_id}")
        self.instance_id = ids[number - 1]

    def upload(self, step: dict[str, Any]) -> None:
        name = step["upload"]
        content = _PDF + name.encode("utf-8")  # a distinct file per name
        view = self.engine.upload(self.actor(step["as"]), name, content, self.instance_id or None)
        self.files[name] = view.sha256

    def resolve(self, value: Any) -> Any:
        """Data with every "@file:<name>" replaced by the sha256 of that uploaded file."""
        if isinstance(value, str) and value.startswith("@file:"):
            return self.files[value.removeprefix("@file:")]
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        return value

    def ready(self) -> list[HumanTask]:
        with self.engine.ctx.db.reading() as session:
            query = select(HumanTask).where(
                HumanTask.instance_id == self.instance_id, HumanTask.status == "ready"
            )
            return list(session.scalars(query))

    def task(self, bpmn_id: str) -> HumanTask:
        matches = [t for t in self.ready() if t.bpmn_id == bpmn_id]
        if len(matches) != 1:
            raise LookupError(f"expected one READY {bpmn_id}, found {[t.bpmn_id for t in self.ready()]}")
        return matches[0]

    def act(self, step: dict[str, Any]) -> None:
        """The moves of a step (clock, focus, upload, start by hand, complete), without its expectations."""
        if "at" in step:
            self.move_clock(step["at"])
        self.focus(step.get("in"))
        if "upload" in step:
            self.upload(step)
        if "start" in step and "error" not in step:  # another case started by hand during the walk
            self.engine.start(self.actor(step["as"]), step["start"], self.resolve(step.get("data", {})))
        if "complete" in step and "error" not in step:
            task = self.task(step["complete"])
            self.engine.complete(self.actor(step["as"]), task.id, self.resolve(step.get("data", {})))


def load_scenario(path: Path, process_id: str, _seen: frozenset[str] = frozenset()) -> dict[str, Any]:
    """A scenario file; one that `follows` another scenario of its folder (`{"scenario": name, "until": n,
    "data": {…}}`) starts as that one does (its start data overridden by `data`), plays that one's first
    `n` steps, then its own: a variant of a long walk names only where it parts from it."""
    scenario = json.loads(path.read_text(encoding="utf-8"))
    if "follows" in scenario:
        scenario = _following(path, scenario, process_id, _seen | {path.name})
    scenario["start"] = {"process": process_id, **scenario["start"]}  # a walk may start in a linked process
    return scenario


def _following(path: Path, scenario: dict[str, Any], process_id: str, seen: frozenset[str]) -> dict[str, Any]:
    follows = scenario.pop("follows")
    name = follows.get("scenario", "") if isinstance(follows, dict) else ""
    until = follows.get("until") if isinstance(follows, dict) else None
    if (
        not isinstance(name, str)
        or Path(name).name != name
        or name in seen
        or not (path.parent / name).is_file()
    ):
        raise ValueError(f"follows 须为同一目录下另一个场景文件：{name!r}")
    if until is not None and not (isinstance(until, int) and until >= 0):
        raise ValueError(f"follows 的 until 须为步数：{until!r}")
    base = load_scenario(path.parent / name, process_id, seen)
    start = {**base["start"], "data": {**base["start"].get("data", {}), **follows.get("data", {})}}
    steps = [*base.get("steps", [])[:until], *scenario.get("steps", [])]
    inherited = {k: v for k, v in base.items() if k not in ("title", "end")}  # e.g. its `with` folders
    return {**inherited, **scenario, "start": start, "steps": steps}


def play(
    engine: Engine, workflows_dir: Path, storyline: Path, now: datetime, strict: bool = True
) -> list[int]:
    """Play every walk of the storyline file; returns the instances started by hand. A walk marked
    `"recent": true` is moved by whole weeks to end just before `now`, so its deadlines lie ahead;
    `"replace": {"fengyi": "chuding", …}` replaces those strings throughout the scenario (who acts, units,
    names), so one scenario gives other people their work."""
    started = []
    for walk_spec in json.loads(storyline.read_text(encoding="utf-8"))["walks"]:
        path = workflows_dir / walk_spec["scenario"]
        scenario = _replaced(load_scenario(path, process_id_of(path.parent.parent)), walk_spec)
        scenario["steps"] = scenario.get("steps", [])[: walk_spec.get("until")]
        if walk_spec.get("recent"):
            scenario = _moved(scenario, _weeks_before(scenario, now))
        walk = Walk(engine)
        started.append(walk.start(scenario["start"], walk_spec.get("data")))
        try:
            for step in scenario["steps"]:
                walk.act(step)
        except (LookupError, EngineError) as exc:
            if strict:
                raise
            # a `recent` walk moved onto other holidays can find a timer early or late: the case stays
            # where it got to rather than the demo failing to seed on that day
            log.warning("demo walk %s stopped early: %s", walk_spec["scenario"], exc)
    return started


_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _replaced(scenario: dict[str, Any], walk_spec: dict[str, Any]) -> dict[str, Any]:
    text = json.dumps(scenario, ensure_ascii=False)
    for old, new in walk_spec.get("replace", {}).items():
        text = text.replace(
            json.dumps(old, ensure_ascii=False)[1:-1], json.dumps(new, ensure_ascii=False)[1:-1]
        )
    return dict(json.loads(text))


def _weeks_before(scenario: dict[str, Any], now: datetime) -> timedelta:
    """Whole weeks (weekdays stay weekdays) that bring the walk's last moment to the week before now."""
    moments = [scenario["start"]["at"], *(step["at"] for step in scenario["steps"] if "at" in step)]
    last = max(datetime.fromisoformat(m) for m in moments)
    return timedelta(weeks=max(0, (now - last).days // 7))


def _moved(value: Any, delta: timedelta) -> Any:
    """Every ISO date or datetime string in the walk moved by `delta`."""
    if isinstance(value, str) and _ISO_DAY.match(value):
        if len(value) == 10:
            return (date.fromisoformat(value) + delta).isoformat()
        return (datetime.fromisoformat(value) + delta).isoformat()
    if isinstance(value, list):
        return [_moved(v, delta) for v in value]
    if isinstance(value, dict):
        return {k: _moved(v, delta) for k, v in value.items()}
    return value


def process_id_of(folder: Path) -> str:
    """The id of the process in a workflows folder (its process.toml)."""
    return str(tomllib.loads((folder / "process.toml").read_text("utf-8"))["process"]["id"])


def seed_demo_cases(settings: Settings) -> int:
    """Play workflows/storyline.json into a database that has no cases yet, then let time catch up
    with today (due timers fire); returns how many cases exist afterwards (0: no storyline)."""
    path = Path(settings.workflows_dir) / "storyline.json"
    if not path.exists():
        return 0
    engine = Engine(settings, clock=FrozenClock(datetime.now(UTC)))
    try:
        with engine.ctx.db.reading() as session:
            if session.scalar(select(func.count()).select_from(ProcessInstance)):
                return 0
        play(engine, Path(settings.workflows_dir), path, datetime.now(UTC), strict=False)
        engine.clock.set(datetime.now(UTC))  # type: ignore[attr-defined]
        engine.fire_due_timers()
        with engine.ctx.db.reading() as session:
            return int(session.scalar(select(func.count()).select_from(ProcessInstance)) or 0)
    finally:
        engine.close()
