"""Who may see and act on what, as SQL conditions: applied inside queries, never after loading."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true
from sqlalchemy.orm import Session

from .db.models import HumanTask, InstanceParticipant, InstanceRecusal, ProcessInstance, User, UserRole
from .records import Actor
from .roles import Role, RoleBook, Scope


def _not_recused(actor: Actor, instance_id: Any) -> ColumnElement[bool]:
    # NOT IN a small set, read once: cheaper than an anti-join per row over 100,000 cases
    recused = select(InstanceRecusal.instance_id).where(InstanceRecusal.user_id == actor.id)
    return instance_id.not_in(recused)


def in_scope(scope: Scope) -> ColumnElement[bool]:
    """The cases a supervision scope covers (roles.toml: monitor, sees, sees_office, sees_unit)."""
    if scope.county:
        return true()
    parts: list[ColumnElement[bool]] = []
    if scope.processes:
        parts.append(ProcessInstance.process_id.in_(sorted(scope.processes)))
    if scope.office:
        parts.append(ProcessInstance.handling_office == scope.office)
    if scope.unit:
        parts.append(
            and_(
                ProcessInstance.unit_id == scope.unit,
                ProcessInstance.process_id.in_(sorted(scope.unit_processes)),
            )
        )
    return or_(*parts) if parts else false()


def instance_visible(actor: Actor, roles: RoleBook, case_file: bool = True) -> ColumnElement[bool]:
    """Staff who take part in a case see its file, and so do the office's supervisors whose scope covers
    it — except at a need-to-know level (机密), which takes participation; recused people never see it.
    With `case_file=False`: the cases a person may count and list (a unit's party secretary: his unit's
    inspections and 整改, as figures and list rows, not their files)."""
    takes_part = exists().where(
        InstanceParticipant.instance_id == ProcessInstance.id,
        InstanceParticipant.user_id == actor.id,
        InstanceParticipant.kind == "staff",
    )
    scope = roles.scope(actor.roles, actor.unit_id, case_file=case_file)
    if scope is not None:
        supervised = in_scope(scope)
        if roles.need_to_know:
            supervised = and_(supervised, ProcessInstance.confidentiality.not_in(sorted(roles.need_to_know)))
        takes_part = or_(takes_part, supervised)
    return and_(takes_part, _not_recused(actor, ProcessInstance.id))


def task_actionable(actor: Actor) -> ColumnElement[bool]:
    """The READY tasks this actor may act on: their roles, their unit, assigned to them or to nobody."""
    if not actor.roles:
        return ~true()
    return and_(
        HumanTask.status == "ready",
        HumanTask.role.in_(sorted(actor.roles)),
        or_(HumanTask.unit_id.is_(None), HumanTask.unit_id == actor.unit_id),
        or_(HumanTask.assignee_id.is_(None), HumanTask.assignee_id == actor.id),
        _not_recused(actor, HumanTask.instance_id),
    )


def assignment(
    role: Role, data: dict[str, Any], user_id: Callable[[str], int | None]
) -> tuple[str | None, int | None]:
    """(unit, assignee) of a new task of `role`, from the instance variables roles.toml names."""
    unit = str(data[role.unit_var]) if role.unit_var and data.get(role.unit_var) else None
    person = data.get(role.person_var) if role.person_var else None
    assignee = user_id(str(person)) if person else None
    if role.scope == "person" and assignee is None:
        assignee = -1  # nobody may act until the variable names a known user
    return unit, assignee


def eligible_user_ids(session: Session, role: str, unit: str | None, assignee: int | None) -> list[int]:
    """Every active user who could act on a task with this role, unit and assignee."""
    query = (
        select(User.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == role, User.active.is_(True))
    )
    if unit is not None:
        query = query.where(User.unit_id == unit)
    if assignee is not None:
        query = query.where(User.id == assignee)
    return list(session.scalars(query))
