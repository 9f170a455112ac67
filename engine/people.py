"""People are picked, not typed (issue 10 #2): a form's person field searches the directory by name,
unit or post and offers only those the field would accept — its role, its unit, no one recused or from
the unit inspected — with the very checks the submission runs (engine/forms.py); a person typed by his
name is stored by his login when the name is unique (engine/directory.py `by_name`)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from . import spiff
from .access import task_actionable
from .context import EngineContext
from .db.models import HumanTask, ProcessInstance, Unit, User
from .directory import field_texts
from .errors import NotFound
from .forms import check_person
from .records import Actor
from .starting import latest_version
from .submission import form_context

SHOWN = 15  # candidates offered at once
SEARCHED = 200  # directory rows looked at per search


@dataclass(frozen=True)
class PersonOption:
    username: str
    name: str
    unit: str
    post: str
    fills: str = ""  # what choosing the person puts into the field: the name if it is unique, else the login

    @property
    def label(self) -> str:
        where = self.post if self.post.startswith(self.unit) else self.unit + self.post
        return f"{self.name}（{where}）" if where else self.name


def field_spec(schema: dict[str, Any], field: str) -> dict[str, Any]:
    """The item spec of a person field: `team_members`, or a table's column as `tasks.lead_owner`."""
    name, _, column = field.partition(".")
    spec = schema.get("properties", {}).get(name, {})
    if spec.get("type") == "array":
        spec = spec.get("items", {})
    if column:
        spec = spec.get("properties", {}).get(column, {})
    if spec.get("format") != "username":
        raise NotFound("没有这个人员字段")
    return dict(spec)


def search(
    ctx: EngineContext,
    session: Session,
    actor: Actor,
    field: str,
    q: str,
    task_id: int | None = None,
    process_id: str | None = None,
) -> list[PersonOption]:
    """Who may be named in `field` of the actor's open step (or of a process's start form), matching q."""
    data: dict[str, Any] = {}
    instance_id = None
    if task_id is not None:
        row = session.scalar(select(HumanTask).where(HumanTask.id == task_id, task_actionable(actor)))
        instance = session.get(ProcessInstance, row.instance_id) if row else None
        if row is None or instance is None or not row.form_ref:
            raise NotFound("任务不存在")
        version = ctx.specs.get(session, instance.version_id)
        schema = version.form(row.form_ref).schema
        wf = spiff.load(version.specs, instance.state_json, instance.serializer_version)
        data = spiff.task_data(wf, row.task_guid)
        instance_id = instance.id
    else:
        schema = _start_schema(ctx, session, actor, process_id or "")
    spec = field_spec(schema, field)
    checks = form_context(ctx, session, instance_id, actor, data)
    found = []
    for user, unit in _matching(session, q):
        if check_person(spec, user.username, data, checks) is None:
            found.append(PersonOption(user.username, user.display_name, unit or "", user.post or ""))
            if len(found) == SHOWN:
                break
    return _with_fills(session, found)


def _with_fills(session: Session, found: list[PersonOption]) -> list[PersonOption]:
    texts = field_texts(session, {p.username for p in found})
    return [replace(p, fills=texts.get(p.username, p.username)) for p in found]


def _start_schema(ctx: EngineContext, session: Session, actor: Actor, process_id: str) -> dict[str, Any]:
    row = latest_version(session, process_id)
    process = row.meta["process"] if row else {}
    if row is None or not process.get("start_form") or not actor.roles & set(process.get("start_roles", ())):
        raise NotFound("流程不存在")
    return ctx.specs.get(session, row.id).form(process["start_form"]).schema


def _matching(session: Session, q: str) -> list[tuple[User, str | None]]:
    q = q.strip()
    if not q:
        return []
    rows = session.execute(
        select(User, Unit.name)
        .outerjoin(Unit, Unit.id == User.unit_id)
        .where(
            User.active.is_(True),
            or_(
                User.display_name.contains(q, autoescape=True),
                User.username.startswith(q, autoescape=True),
                Unit.name.contains(q, autoescape=True),
                User.post.contains(q, autoescape=True),
            ),
        )
        .order_by(User.display_name)
        .limit(SEARCHED)
    )
    return [(user, unit) for user, unit in rows]
