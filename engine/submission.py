"""What every action and submission runs within: the scripts' context (clock, calendar, documents) and
what a form's checks beyond JSON Schema need to know (people, recusals, attachments, x-rules)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import spiff
from .clock import local_today
from .context import EngineContext
from .db.models import AttachmentLink, ProcessInstance, ProcessVersion
from .directory import by_name, find_actor, is_recused, withdrew
from .forms import FormContext
from .records import Actor
from .scripting import HELPERS, ScriptContext, evaluate, script_context


@contextmanager
def action(ctx: EngineContext, documents: Any = None) -> Iterator[ScriptContext]:
    """Scripts and timers of this action see the engine's clock and calendar (and, while a case moves
    on, where `issue_document` files what it issues)."""
    sctx = ScriptContext(ctx.clock, ctx.calendar, documents=documents)
    with script_context(sctx), spiff.engine_clock(ctx.clock):
        yield sctx


def _rule_checker(ctx: EngineContext) -> Any:
    def check(expression: str, data: dict[str, Any]) -> bool:
        """True when the rule holds; a rule that cannot be evaluated over this data refuses too
        (nothing is changed on a doubt)."""
        try:
            with action(ctx):
                return bool(evaluate(expression, {k: v for k, v in data.items() if k not in HELPERS}))
        except Exception:  # a designer's rule failing on odd input is a refusal, not a 500
            return False

    return check


def form_context(
    ctx: EngineContext, session: Session, instance_id: int | None, actor: Actor | None, data: dict
) -> FormContext:
    def attachment_known(sha: Any) -> bool:
        query = select(AttachmentLink.id).where(AttachmentLink.sha256 == str(sha))
        if instance_id is None:  # staged by this actor before the instance existed
            uploader = actor.id if actor else None
            query = query.where(AttachmentLink.instance_id.is_(None), AttachmentLink.uploaded_by == uploader)
        else:
            query = query.where(AttachmentLink.instance_id == instance_id)
        return session.scalar(query) is not None

    people: dict[str, Actor | None] = {}

    def find_user(name: str) -> Actor | None:  # checked, then named: looked up once
        if name not in people:
            people[name] = find_actor(session, name)
        return people[name]

    return FormContext(
        find_user=find_user,
        is_recused=lambda name, subject: is_recused(session, name, subject),
        withdrew=lambda name: instance_id is not None and withdrew(session, instance_id, name),
        attachment_known=attachment_known,
        data=data,
        check_rule=_rule_checker(ctx),
        today=local_today(ctx.clock),
        login_of=lambda text: by_name(session, text),
        case_status=lambda process_id, key: case_status(session, process_id, key),
    )


def case_status(session: Session, process_id: str, key: str) -> str | None:
    """The status of the case `key` of a process ("missing" if there is none); None when this county
    does not run that process here (a scenario of one process alone): then there is nothing to check."""
    if (
        session.scalar(select(ProcessVersion.id).where(ProcessVersion.process_id == process_id).limit(1))
        is None
    ):
        return None
    status = session.scalar(
        select(ProcessInstance.status).where(
            ProcessInstance.process_id == process_id, ProcessInstance.business_key == key
        )
    )
    return status or "missing"
