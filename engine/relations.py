"""What a case file shows beside its own steps: the cases it was started by or started (instance
links), and the numbered documents it issued."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from .access import instance_visible
from .context import EngineContext
from .db.models import (
    AttachmentLink,
    Document,
    InstanceLink,
    InstanceParticipant,
    InstanceRecusal,
    ProcessInstance,
)
from .db.oversight import DocumentVoid
from .documents import CATALOG, catalog
from .records import Actor, DocumentView, LinkView


def linked_instances(ctx: EngineContext, session: Session, actor: Actor, instance_id: int) -> list[LinkView]:
    """Both directions; a linked case the actor may not see is listed without its title."""
    rows = session.scalars(
        select(InstanceLink)
        .where(
            or_(InstanceLink.source_id == instance_id, InstanceLink.target_id == instance_id),
            InstanceLink.source_id.is_not(None),
            InstanceLink.target_id.is_not(None),
        )
        .order_by(InstanceLink.id)
    )
    links = list(rows)
    other_ids = {link.target_id if link.source_id == instance_id else link.source_id for link in links}
    visible = set(
        session.scalars(
            select(ProcessInstance.id).where(
                ProcessInstance.id.in_(other_ids), instance_visible(actor, ctx.roles)
            )
        )
    )
    found = session.scalars(select(ProcessInstance).where(ProcessInstance.id.in_(other_ids)))
    others = {i.id: i for i in found}
    out = []
    for link in links:
        started = link.source_id == instance_id
        other = others[link.target_id if started else link.source_id]  # type: ignore[index]
        seen = other.id in visible
        out.append(
            LinkView(
                direction="started" if started else "triggered_by",
                message=link.message,
                instance_id=other.id if seen else None,
                process_id=other.process_id,
                title=other.title if seen else "",
                status=other.status if seen else "",
            )
        )
    return out


def issued_documents(
    session: Session, instance_id: int, documents_dir: Path | None = None
) -> list[DocumentView]:
    """The instance's numbered documents in issue order, each with its PDF and DOCX attachment ids (and,
    given the documents folder, the roles that may void each)."""
    docs = list(
        session.scalars(select(Document).where(Document.instance_id == instance_id).order_by(Document.id))
    )
    link_ids = {
        sha: link_id
        for link_id, sha in session.execute(
            select(AttachmentLink.id, AttachmentLink.sha256).where(AttachmentLink.instance_id == instance_id)
        )
    }
    voids = dict(
        session.execute(
            select(DocumentVoid.document_id, DocumentVoid.reason).where(
                DocumentVoid.document_id.in_([d.id for d in docs])
            )
        ).all()
    )
    numbers, voiders = {d.id: d.number for d in docs}, _voiders_of(documents_dir)
    return [
        DocumentView(
            number=d.number,
            title=d.title,
            kind=d.kind,
            issued_at=d.issued_at,
            pdf_attachment=link_ids.get(d.pdf_sha256),
            docx_attachment=link_ids.get(d.docx_sha256),
            sha256=d.pdf_sha256 or d.docx_sha256,  # the DOCX's until the PDF is rendered
            void=d.id in voids,
            id=d.id,
            void_reason=voids.get(d.id, ""),
            replaces=numbers.get(d.replaces_id, "") if d.replaces_id else "",
            voided_by=voiders.get(d.kind, ()),
        )
        for d in docs
    ]


def _voiders_of(documents_dir: Path | None) -> dict[str, tuple[str, ...]]:
    if documents_dir is None or not (documents_dir / CATALOG).exists():
        return {}
    return _voiders(documents_dir, (documents_dir / CATALOG).stat().st_mtime_ns)


@lru_cache(maxsize=8)
def _voiders(documents_dir: Path, _mtime: int) -> dict[str, tuple[str, ...]]:
    return {kind: spec.issuer.voided_by for kind, spec in catalog(documents_dir).items()}


def addressed_documents(
    ctx: EngineContext, session: Session, actor: Actor, instance_id: int
) -> list[DocumentView]:
    """The case's documents addressed to one of the actor's roles (documents.toml `recipients`), when
    the actor takes part in the case: a unit gets its 检查通知书, a person concerned the 函询通知书."""
    file = Path(ctx.settings.workflows_dir) / "documents" / CATALOG
    if not file.exists():
        return []
    recipients = _recipients(file.parent, file.stat().st_mtime_ns)
    kinds = {kind for kind, roles in recipients.items() if actor.roles & roles}
    part = select(InstanceParticipant.user_id).where(
        InstanceParticipant.instance_id == instance_id, InstanceParticipant.user_id == actor.id
    )
    recused = select(InstanceRecusal.user_id).where(
        InstanceRecusal.instance_id == instance_id, InstanceRecusal.user_id == actor.id
    )
    if not kinds or session.scalar(part) is None or session.scalar(recused) is not None:
        return []
    return [d for d in issued_documents(session, instance_id) if d.kind in kinds]


@lru_cache(maxsize=8)
def _recipients(documents_dir: Path, _mtime_ns: int) -> dict[str, frozenset[str]]:
    """Each document kind's recipient roles; read again only when documents.toml changes."""
    return {kind: frozenset(spec.recipients) for kind, spec in catalog(documents_dir).items()}
