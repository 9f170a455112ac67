"""One process as a client needs to know it: its versions (who deployed them, when, their hash, how many
cases run on each) and the start form of the latest version, so a case can be started without reading
workflows/."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from .context import EngineContext
from .db.models import ProcessInstance, ProcessVersion
from .errors import NotFound
from .records import Actor


@dataclass(frozen=True)
class VersionView:
    version: int
    sha256: str
    deployed_at: datetime
    deployed_by: str
    cases: int | None  # None: the counts are for supervisors only
    running: int | None


@dataclass(frozen=True)
class ProcessDetail:
    process_id: str
    name_zh: str
    name_en: str
    start_roles: tuple[str, ...]
    may_start: bool
    start_form: dict[str, Any] | None
    start_ui: dict[str, Any] | None
    versions: tuple[VersionView, ...]


def process_detail(ctx: EngineContext, session: Session, actor: Actor, process_id: str) -> ProcessDetail:
    """The process with every deployed version, newest first (how many cases run on each: for
    supervisors only); NotFound if it was never deployed."""
    supervises = ctx.roles.scope(actor.roles, actor.unit_id) is not None
    counts = (
        select(
            ProcessInstance.version_id,
            func.count(ProcessInstance.id).label("cases"),
            func.sum(case((ProcessInstance.status == "running", 1), else_=0)).label("running"),
        )
        .where(ProcessInstance.process_id == process_id)
        .group_by(ProcessInstance.version_id)
        .subquery()
    )
    rows = session.execute(
        select(ProcessVersion, counts.c.cases, counts.c.running)
        .outerjoin(counts, counts.c.version_id == ProcessVersion.id)
        .where(ProcessVersion.process_id == process_id)
        .order_by(ProcessVersion.version.desc())
    ).all()
    if not rows:
        raise NotFound("流程不存在")
    latest = rows[0][0]
    proc = latest.meta["process"]
    form = ctx.specs.get(session, latest.id).form(proc["start_form"]) if proc.get("start_form") else None
    roles = tuple(proc.get("start_roles", []))
    return ProcessDetail(
        process_id=process_id,
        name_zh=proc.get("name_zh", process_id),
        name_en=proc.get("name_en", process_id),
        start_roles=roles,
        may_start=bool(actor.roles & set(roles)),
        start_form=form.schema if form else None,
        start_ui=form.ui if form else None,
        versions=tuple(
            VersionView(
                v.version,
                v.sha256,
                v.deployed_at,
                v.deployed_by,
                int(n or 0) if supervises else None,
                int(r or 0) if supervises else None,
            )
            for v, n, r in rows
        ),
    )
