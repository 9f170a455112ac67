"""试运行 (issue 13 #8): a draft started in a throwaway county of its own — a folder under
instance/sandbox/ with its own database, people and the county's other processes — and stepped through
as each lane's people would, to see the forms as officers will. Nothing of it reaches the live database:
it is not counted, and no officer sees it. One sandbox per designer and process; starting again
replaces it."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ..api import Engine
from ..catalog import discover
from ..config import Settings
from ..db.models import HumanTask
from ..errors import NotFound, Refused
from ..records import Actor, TaskView
from .scenario_runs import throwaway_county, throwaway_settings, throwaway_workflows

_SAFE = re.compile(r"[\w\-]+", re.ASCII)


@dataclass(frozen=True)
class SandboxStep:
    task: TaskView
    holder: str  # who in the throwaway county does it: name and post


@dataclass(frozen=True)
class SandboxView:
    instance_id: int
    title: str
    steps: tuple[SandboxStep, ...]  # open, with their forms
    done: tuple[str, ...]  # steps already done, in order
    status: str


def folder_of(settings: Settings, actor: Actor, process_id: str) -> Path:
    if not _SAFE.fullmatch(process_id) or not _SAFE.fullmatch(actor.username):
        raise NotFound("流程不存在")
    return Path(settings.instance_dir) / "sandbox" / f"{actor.username}--{process_id}"


def _engine(folder: Path) -> Engine:
    return Engine(throwaway_settings(folder / "county", folder / "workflows"))


def prepare(settings: Settings, actor: Actor, process_id: str, sources: dict[str, str]) -> None:
    """A fresh throwaway county with the draft and the county's other processes deployed."""
    folder = folder_of(settings, actor, process_id)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    live = Path(settings.workflows_dir)
    others = {f.name for f in discover(live)}
    workflows = throwaway_workflows(folder, live, process_id, sources, others)
    throwaway_county(folder / "county", workflows)


def start(settings: Settings, actor: Actor, process_id: str, data: dict[str, Any]) -> int:
    """Start the draft in the prepared sandbox as the first person of a role that may start it."""
    folder = folder_of(settings, actor, process_id)
    if not (folder / "county").exists():
        raise Refused("请先开始试运行")
    engine = _engine(folder)
    try:
        starter = _starter(engine, process_id)
        return engine.start(starter, process_id, data)
    finally:
        engine.close()


def _starter(engine: Engine, process_id: str) -> Actor:
    detail = engine.process(next(a for a, _ in engine.users()), process_id)
    for person, _unit in engine.users():
        if person.roles & set(detail.start_roles):
            return person
    raise Refused("试运行的县里没有人能登记此流程（process.toml start_roles）")


def view(settings: Settings, actor: Actor, process_id: str) -> SandboxView | None:
    """The sandbox case with its open steps and who holds each; None when none was started."""
    folder = folder_of(settings, actor, process_id)
    if not (folder / "county").exists():
        return None
    engine = _engine(folder)
    try:
        with engine.ctx.db.reading() as session:
            rows = list(session.scalars(select(HumanTask).order_by(HumanTask.id)))
        if not rows:
            return None
        instance_id = rows[0].instance_id
        steps = []
        for person, _unit in engine.users():
            for task in engine.inbox(person):
                if task.instance_id == instance_id and all(s.task.id != task.id for s in steps):
                    full = engine.task(person, task.id)
                    steps.append(SandboxStep(full, f"{person.display_name}（{person.post}）"))
        case = engine.instance(_monitor(engine), instance_id)
        done = tuple(r.title for r in rows if r.status == "completed")
        return SandboxView(instance_id, case.title, tuple(steps), done, case.status)
    finally:
        engine.close()


def _monitor(engine: Engine) -> Actor:
    """Someone of the throwaway county who sees every case (for the case's title and status)."""
    for person, _unit in engine.users():
        scope = engine.ctx.roles.scope(person.roles, person.unit_id)
        if scope is not None and scope.county:
            return person
    raise Refused("试运行的县里没有监督全县案件的人")


def complete(settings: Settings, actor: Actor, process_id: str, task_id: int, data: dict[str, Any]) -> None:
    """Do the step as the person of the throwaway county who holds it."""
    folder = folder_of(settings, actor, process_id)
    engine = _engine(folder)
    try:
        for person, _unit in engine.users():
            if any(t.id == task_id for t in engine.inbox(person)):
                engine.complete(person, task_id, data)
                return
        raise NotFound("该步骤不存在或已办理")
    finally:
        engine.close()


def discard(settings: Settings, actor: Actor, process_id: str) -> None:
    shutil.rmtree(folder_of(settings, actor, process_id), ignore_errors=True)
