"""Drafts: every save of a process's files is a new revision, kept and audited, never live. A draft
starts from the newest deployed version (with the scenario files of its workflows/ folder) or from an
uploaded model; the newest revision is the draft."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from .. import audit
from ..catalog import content_hash, discover
from ..context import EngineContext
from ..db.designs import ProcessDraft
from ..db.models import ProcessVersion
from ..errors import NotFound
from ..records import Actor


@dataclass(frozen=True)
class DraftView:
    process_id: str
    revision: int
    base_version: int | None
    sources: dict[str, str]
    sha256: str
    saved_at: datetime
    saved_by: str
    note: str
    deployed_version: int | None


def view(row: ProcessDraft) -> DraftView:
    return DraftView(
        row.process_id,
        row.revision,
        row.base_version,
        dict(row.sources),
        row.sha256,
        row.saved_at,
        row.saved_by,
        row.note,
        row.deployed_version,
    )


def latest(session: Session, process_id: str) -> ProcessDraft | None:
    return session.scalar(
        select(ProcessDraft).where(_of(process_id)).order_by(ProcessDraft.revision.desc()).limit(1)
    )


def history(session: Session, process_id: str) -> list[DraftView]:
    rows = session.scalars(select(ProcessDraft).where(_of(process_id)).order_by(ProcessDraft.revision.desc()))
    return [view(r) for r in rows]


def save(
    ctx: EngineContext,
    session: Session,
    actor: Actor,
    process_id: str,
    sources: dict[str, str],
    note: str = "",
    base_version: int | None = None,
) -> ProcessDraft:
    """A new revision (the same files as the newest revision: that revision, nothing new)."""
    last = latest(session, process_id)
    digest = content_hash(sources)
    if last is not None and last.sha256 == digest and last.deployed_version is None:
        return last
    revision = (session.scalar(select(func.max(ProcessDraft.revision)).where(_of(process_id))) or 0) + 1
    row = ProcessDraft(
        process_id=process_id,
        revision=revision,
        base_version=base_version if base_version is not None else (last.base_version if last else None),
        sources=sources,
        sha256=digest,
        saved_at=ctx.clock.now(),
        saved_by=actor.username,
        note=note[:500],
    )
    session.add(row)
    session.flush()
    audit.append(
        session,
        ctx.audit_key,
        at=row.saved_at,
        actor=actor.username,
        kind="draft_saved",
        payload={"process": process_id, "revision": revision, "sha256": digest, "note": row.note},
    )
    return row


def _of(process_id: str) -> ColumnElement[bool]:
    return ProcessDraft.process_id == process_id


def open_draft(ctx: EngineContext, session: Session, actor: Actor, process_id: str) -> ProcessDraft:
    """The process's draft; a first one made from its newest version when it has none (or the last
    one was deployed)."""
    last = latest(session, process_id)
    if last is not None and last.deployed_version is None:
        return last
    version = session.scalar(
        select(ProcessVersion)
        .where(ProcessVersion.process_id == process_id)
        .order_by(ProcessVersion.version.desc())
        .limit(1)
    )
    if version is None:
        raise NotFound("流程不存在")
    sources = {**dict(version.sources), **scenario_files(Path(ctx.settings.workflows_dir), process_id)}
    if last is not None:  # scenarios written in the designer since are kept
        sources.update({n: t for n, t in last.sources.items() if n.startswith("scenarios/")})
    return save(ctx, session, actor, process_id, sources, f"由第 {version.version} 版开始", version.version)


def scenario_files(workflows_dir: Path, process_id: str) -> dict[str, str]:
    """The scenario files of the process's folder under workflows/, by name (scenarios/…json)."""
    for folder in discover(workflows_dir):
        meta = tomllib.loads((folder / "process.toml").read_text(encoding="utf-8"))
        if meta.get("process", {}).get("id") == process_id:
            return {
                f"scenarios/{p.name}": p.read_text(encoding="utf-8")
                for p in sorted((folder / "scenarios").glob("*.json"))
            }
    return {}
