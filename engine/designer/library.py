"""The model library: every process with its versions (who deployed each, when, its content hash, how
many cases run on it) and whether a draft is open."""

from __future__ import annotations

import tomllib
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


def older_version_with(session: Session, process_id: str, sha256: str) -> int | None:
    """The number of a version with these very files that is not the newest (deploying them again would
    create nothing, and new cases would stay on the newest)."""
    versions = session.execute(
        select(ProcessVersion.version, ProcessVersion.sha256)
        .where(ProcessVersion.process_id == process_id)
        .order_by(ProcessVersion.version.desc())
    ).all()
    return next((v for i, (v, sha) in enumerate(versions) if sha == sha256 and i > 0), None)


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
    open_drafts = _open_drafts(session)
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
                open_drafts.get(version.process_id, (None, ""))[0],
            )
        else:
            known = found[version.process_id]
            found[version.process_id] = ProcessEntry(
                known.process_id, known.name_zh, known.name_en, (*known.versions, entry), known.draft_revision
            )
    for process_id, (revision, title) in open_drafts.items():  # imported, never deployed
        if process_id not in found:
            found[process_id] = ProcessEntry(process_id, title, process_id, (), revision)
    return sorted(found.values(), key=lambda e: e.name_zh)


def _open_drafts(session: Session) -> dict[str, tuple[int, str]]:
    """Each process whose newest draft revision is not deployed: that revision, and the name its
    process.toml gives."""
    newest = (
        select(ProcessDraft.process_id, func.max(ProcessDraft.revision).label("revision"))
        .group_by(ProcessDraft.process_id)
        .subquery()
    )
    rows = session.execute(
        select(ProcessDraft.process_id, ProcessDraft.revision, ProcessDraft.sources)
        .join(
            newest,
            (newest.c.process_id == ProcessDraft.process_id) & (newest.c.revision == ProcessDraft.revision),
        )
        .where(ProcessDraft.deployed_version.is_(None))
    ).all()
    return {pid: (revision, _title(sources, pid)) for pid, revision, sources in rows}


def _title(sources: dict[str, str], process_id: str) -> str:
    try:
        return str(
            tomllib.loads(sources.get("process.toml", "")).get("process", {}).get("name_zh") or process_id
        )
    except tomllib.TOMLDecodeError:
        return process_id
