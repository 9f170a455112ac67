"""The process view (issue 8): a deployed version's diagram with, on each step, how many cases in the
supervisor's scope stand there now and how many of those are overdue."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from .access import instance_visible
from .clock import local_today
from .context import EngineContext
from .db.models import HumanTask, ProcessInstance, ProcessVersion
from .errors import NotFound
from .records import Actor


@dataclass(frozen=True)
class StepCount:
    bpmn_id: str
    title: str
    active: int
    overdue: int


@dataclass(frozen=True)
class ProcessMap:
    process_id: str
    name: str
    version: int
    versions: tuple[int, ...]
    diagrams: tuple[tuple[str, str], ...]  # the version's BPMN files and their process names (main first)
    diagram: str
    xml: str
    steps: tuple[StepCount, ...]  # every step with cases on it, of any of the version's diagrams


def _process_name(xml: str) -> str:
    """The name a BPMN file gives its process (what the diagram is called on the page)."""
    found = re.search(r"<(?:\w+:)?process\b[^>]*\bname=\"([^\"]+)\"", xml)
    return found.group(1) if found else ""


def process_map(
    ctx: EngineContext,
    session: Session,
    actor: Actor,
    process_id: str,
    version: int | None,
    diagram: str | None,
) -> ProcessMap:
    """A version (default: the latest) of a process, one of its diagrams, and the counts per step."""
    versions = list(
        session.scalars(
            select(ProcessVersion)
            .where(ProcessVersion.process_id == process_id)
            .order_by(ProcessVersion.version)
        )
    )
    chosen = (
        next((v for v in versions if v.version == version), None) if version else (versions or [None])[-1]
    )
    if chosen is None:
        raise NotFound("流程或版本不存在")
    info = ctx.specs.get(session, chosen.id)
    main = info.meta["diagram"]
    files = (main, *sorted(n for n in info.sources if n.endswith(".bpmn") and n != main))
    shown = diagram if diagram in files else main
    today = local_today(ctx.clock)
    rows = session.execute(
        select(
            HumanTask.bpmn_id,
            func.min(HumanTask.title),
            func.count(HumanTask.id),
            func.sum(case((HumanTask.due_date < today, 1), else_=0)),
        )
        .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .where(
            ProcessInstance.version_id == chosen.id,
            HumanTask.status == "ready",
            instance_visible(actor, ctx.roles, case_file=False),
        )
        .group_by(HumanTask.bpmn_id)
        .order_by(HumanTask.bpmn_id)
    )
    return ProcessMap(
        process_id,
        chosen.meta["process"].get("name_zh", process_id),
        chosen.version,
        tuple(v.version for v in versions),
        tuple((f, _process_name(info.sources[f]) or f) for f in files),
        shown,
        info.sources[shown],
        tuple(StepCount(b, t, int(n), int(late or 0)) for b, t, n, late in rows),
    )
