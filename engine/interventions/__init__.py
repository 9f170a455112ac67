"""Supervisors' interventions in cases (issue 8): 催办, 转办, 延期, 中止, 恢复, 作废, 重试. Each needs a
reason, is refused with a Chinese message when not allowed (NotFound 404, NotPermitted 403, Conflict
409, Refused 422), and lands in the case history, the audit trail and the notices of those concerned."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..access import in_scope, instance_visible
from ..context import EngineContext
from ..db.models import Incident, ProcessInstance
from ..records import Actor
from . import cases, documents, tasks
from .common import NAMES, Done

__all__ = ["CASE_KINDS", "NAMES", "Done", "Interventions"]
CASE_KINDS = (
    "remind",
    "suspend",
    "resume",
    "cancel",
    "retry",
)  # made on a whole case (remind: every open step)


class Interventions:
    """Built by the Engine (`engine.interventions`)."""

    def __init__(self, ctx: EngineContext):
        self.ctx = ctx

    def available(self, actor: Actor, instance_id: int) -> frozenset[str]:
        """The interventions this person may make on this case (the buttons of the case page)."""
        scope = self.ctx.roles.scope(actor.roles, actor.unit_id, case_file=True)
        if scope is None:
            return frozenset()
        with self.ctx.db.reading() as session:
            covered = session.scalar(
                select(ProcessInstance.id).where(
                    ProcessInstance.id == instance_id,
                    in_scope(scope),
                    instance_visible(actor, self.ctx.roles),
                )
            )
        if covered is None:
            return frozenset()
        return frozenset(k for k, roles in self.ctx.roles.interventions.items() if actor.roles & roles)

    def stopped(self, actor: Actor, instance_id: int) -> bool:
        """True when an incident stopped the case and the actor may retry it."""
        if "retry" not in self.available(actor, instance_id):
            return False
        with self.ctx.db.reading() as session:
            found = select(Incident.id).where(
                Incident.instance_id == instance_id, Incident.resolved_at.is_(None)
            )
            return session.scalar(found.limit(1)) is not None

    def remind(self, actor: Actor, task_id: int, reason: Any) -> Done:
        """催办 an open step: a numbered 催办单 and a notice to whoever holds it."""
        return tasks.remind(self.ctx, actor, task_id, reason)

    def remind_case(self, actor: Actor, instance_id: int, reason: Any) -> list[Done]:
        """催办 every open step of a case."""
        return tasks.remind_case(self.ctx, actor, instance_id, reason)

    def candidates(self, actor: Actor, task_id: int) -> list[tuple[str, str]]:
        """Who a step may be reassigned to: (username, name)."""
        return tasks.candidates(self.ctx, actor, task_id)

    def reassign(self, actor: Actor, task_id: int, to: Any, reason: Any) -> Done:
        """转办 an open step to another person who may do it (role, unit and recusal checked)."""
        return tasks.reassign(self.ctx, actor, task_id, to, reason)

    def extend(
        self,
        actor: Actor,
        task_id: int,
        reason: Any,
        working_days: Any = None,
        due: Any = None,
        approved_by: Any = None,
    ) -> Done:
        """延期 an open step by working days (or to a date); the old date is kept in the record."""
        return tasks.extend(self.ctx, actor, task_id, reason, working_days, due, approved_by)

    def suspend(self, actor: Actor, instance_id: int, reason: Any) -> Done:
        return cases.suspend(self.ctx, actor, instance_id, reason)

    def resume(self, actor: Actor, instance_id: int, reason: Any) -> Done:
        return cases.resume(self.ctx, actor, instance_id, reason)

    def cancel(self, actor: Actor, instance_id: int, reason: Any) -> Done:
        return cases.cancel(self.ctx, actor, instance_id, reason)

    def retry(self, actor: Actor, instance_id: int, reason: Any, data: Any = None) -> Done:
        return cases.retry(self.ctx, actor, instance_id, reason, data)

    def void_document(
        self, actor: Actor, document_id: int, reason: Any, reissue: bool = False, corrections: Any = None
    ) -> Done:
        """作废 one document (its issuing office only); with `reissue`, a replacement under a new number."""
        return documents.void_document(self.ctx, actor, document_id, reason, reissue, corrections)
