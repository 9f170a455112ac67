"""Voiding one document (作废, issue 9 #17): the office that issued it marks it void with a reason; its
number stays used and its files stay in the case, marked void; a replacement, when asked for, is issued
from the same fields (with corrections) under the next number of its kind, and the case data that named
the old number names the new one."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ..context import EngineContext
from ..db.models import Document
from ..db.oversight import DocumentVoid
from ..documents.catalog import DocumentKind, catalog
from ..errors import Conflict, NotFound, NotPermitted, Refused
from ..pdf_rendering import issue_document
from ..records import Actor
from ..spiff.timers import correct_data
from .common import Done, change, permitted, reason_of, record, workflow


def void_document(
    ctx: EngineContext,
    actor: Actor,
    document_id: int,
    reason: Any,
    reissue: bool = False,
    corrections: Any = None,
) -> Done:
    """Void the document; with `reissue`, issue its replacement (`corrections` amend its fields)."""
    why = reason_of(reason)
    with ctx.db.transaction() as session:
        doc = session.get(Document, document_id)
        if doc is None:
            raise NotFound("文书不存在")
        instance = permitted(ctx, session, actor, "void_document", doc.instance_id)
        spec = catalog(ctx.desk.documents_dir).get(doc.kind)
        if spec is None:
            raise Conflict(f"文书类型 {doc.kind} 已不在文书目录中，不能作废或重新制发")
        if not actor.roles & set(spec.issuer.voided_by):
            issuer = "、".join(spec.issuer.filled(ctx.desk.county).mark)
            raise NotPermitted(f"{doc.number}由{issuer}制发，只能由其作废")
        if session.get(DocumentVoid, doc.id) is not None:
            raise Conflict(f"{doc.number}已作废")
        fields = _amended(spec, doc, corrections) if reissue else {}
        now = ctx.clock.now()
        session.add(DocumentVoid(document_id=doc.id, at=now, by=actor.username, reason=why))
        details: dict[str, Any] = {"voided": doc.number, "document": doc.title}
        summary = f"已作废{doc.title}{doc.number}"
        if reissue:
            new = issue_document(
                ctx,
                session,
                instance_id=instance.id,
                kind=doc.kind,
                fields=fields,
                at=now,
                by=actor.username,
                by_user_id=actor.id,
                replaces=doc.id,
            )
            details["replacement"] = new.number
            summary += f"，重新制发为{new.number}"
        renumbered = reissue and instance.status == "running"
        if renumbered:
            _renumber_case_data(ctx, session, actor, instance, (doc.number, new.number), why, details)
        record(ctx, session, actor, instance, "void_document", why, details, audited=renumbered)
        return Done("void_document", instance.id, summary)


def _amended(spec: DocumentKind, doc: Document, corrections: Any) -> dict[str, Any]:
    """The replacement's fields: the voided document's, with the corrections of its own fields."""
    if doc.fields is None:
        raise Conflict(f"{doc.number}签发时未保存其内容，不能按原内容重新制发")
    if corrections in (None, ""):
        return dict(doc.fields)
    if not isinstance(corrections, dict):
        raise Refused("更正内容必须是“字段: 值”的对象")
    unknown = sorted(str(k) for k in corrections if k not in spec.fields)
    if unknown:
        raise Refused(f"{spec.name}没有这些内容可更正：{'、'.join(unknown)}")
    return {**doc.fields, **corrections}


def _renumber_case_data(
    ctx: EngineContext,
    session: Session,
    actor: Actor,
    instance: Any,
    numbers: tuple[str, str],
    why: str,
    details: dict[str, Any],
) -> None:
    """Case data holding the old number (letter_no …) names the replacement from now on."""
    old, new = numbers
    wf = workflow(ctx, session, instance)
    keys = {k for task in wf.get_tasks() for k, v in task.data.items() if v == old}
    keys |= {k for k, v in wf.data.items() if v == old}
    changes = dict.fromkeys(sorted(keys), new)
    change(ctx, session, actor, instance, wf, "void_document", (why, details, None), _act(wf, changes))


def _act(wf: Any, changes: dict[str, Any]) -> Any:
    def act() -> None:
        correct_data(wf, changes)
        wf.data.update({k: v for k, v in changes.items() if k in wf.data})

    return act if changes else None
