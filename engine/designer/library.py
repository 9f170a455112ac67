"""The model library: every process with its versions (who deployed each, when, its content hash, how
many cases run on it) and whether a draft is open."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from ..db.designs import ProcessDraft
from ..db.models import ProcessInstance, ProcessVersion


@dataclass(frozen=True)
class VersionEntry:
    version: int
    sha256: str
    deployed_at: datetime
    deployed_by: str
    cases: int
    running: int


@dataclass(frozen=True)
class ProcessEntry:
    process_id: str
    name_zh: str
    name_en: str
    versions: tuple[VersionEntry, ...]  # newest first
    draft_revision: int | None  # an open (not yet deployed) draft


def is_deployed(session: Session, process_id: str) -> bool:
    found = session.scalar(select(ProcessVersion.id).where(ProcessVersion.process_id == process_id))
    return found is not None


def entries(session: Session) -> list[ProcessEntry]:
    counts = (
        select(
            ProcessInstance.version_id,
            func.count(ProcessInstance.id).label("cases"),
            func.sum(case((ProcessInstance.status == "running", 1), else_=0)).label("running"),
        )
        .group_by(ProcessInstance.version_id)
        .subquery()
    )
    rows = session.execute(
        select(ProcessVersion, counts.c.cases, counts.c.running)
        .outerjoin(counts, counts.c.version_id == ProcessVersion.id)
        .order_by(ProcessVersion.process_id, ProcessVersion.version.desc())
    ).all()
    open_drafts = dict(
        session.execute(
            select(ProcessDraft.process_id, func.max(ProcessDraft.revision))
            .where(ProcessDraft.deployed_version.is_(None))
            .group_by(ProcessDraft.process_id)
        ).all()
    )
    found: dict[str, ProcessEntry] = {}
    for version, cases, running in rows:
        entry = VersionEntry(
            version.version,
            version.sha256,
            version.deployed_at,
            version.deployed_by,
            int(cases or 0),
            int(running or 0),
        )
        if version.process_id not in found:
            proc = version.meta["process"]
            found[version.process_id] = ProcessEntry(
                version.process_id,
                proc.get("name_zh", version.process_id),
                proc.get("name_en", version.process_id),
                (entry,),
                open_drafts.get(version.process_id),
            )
        else:
            known = found[version.process_id]
            found[version.process_id] = ProcessEntry(
                known.process_id, known.name_zh, known.name_en, (*known.versions, entry), known.draft_revision
            )
    return sorted(found.values(), key=lambda e: e.name_zh)
