"""Bulk-clone one real instance (row, tasks, participants) to fill the database for the inbox benchmark."""

from __future__ import annotations

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from bench.cases import Case
from engine import Engine
from engine.db.models import HumanTask, InstanceParticipant, ProcessInstance

ACTIVE_SHARE = 20  # one clone in 20 is still running (5 %); its open task belongs to someone
OTHERS = (("JC", "JC2"), ("JC", "PZ1"), ("FG", None), ("SJ", None), ("ZZ", None), ("DW", "CZJ"), ("SL", None))
OWN_OPEN = 100  # the benchmarked officer's own open tasks among the clones: a heavy but human workload


def clone_instances(engine: Engine, case: Case, total: int) -> None:
    """Add copies of the newest instance until `total` instances are stored; most of them finished."""
    with engine.ctx.db.transaction() as session:
        have = session.scalar(select(func.count(ProcessInstance.id))) or 0
        role = _role(session)  # the benchmarked role's open tasks already stored (by earlier calls)
        own_open = session.scalar(
            select(func.count(HumanTask.id)).where(HumanTask.status == "ready", HumanTask.role == role)
        )
        if have >= total:
            return
        model = session.scalars(select(ProcessInstance).order_by(ProcessInstance.id.desc()).limit(1)).one()
        tasks = list(session.scalars(select(HumanTask).where(HumanTask.instance_id == model.id)))
        people = list(
            session.scalars(select(InstanceParticipant).where(InstanceParticipant.instance_id == model.id))
        )
        next_id = (session.scalar(select(func.max(ProcessInstance.id))) or 0) + 1
        columns = [c.key for c in ProcessInstance.__table__.columns if c.key != "id"]
        for start in range(0, total - have, 5000):
            batch = range(next_id + start, next_id + min(start + 5000, total - have))
            rows = [
                {**{c: getattr(model, c) for c in columns}, "id": i, "business_key": f"B-{i}"} for i in batch
            ]
            session.execute(insert(ProcessInstance), rows)
            session.execute(
                insert(HumanTask),
                [
                    {**_task_values(t), "instance_id": i, **_state(i, have, t, own_open)}
                    for i in batch
                    for t in tasks
                ],
            )
            session.execute(
                insert(InstanceParticipant),
                [{"instance_id": i, "user_id": p.user_id, "kind": p.kind} for i in batch for p in people],
            )


def _role(session: Session) -> str:
    newest = session.scalars(select(HumanTask).order_by(HumanTask.id.desc()).limit(1)).one()
    return newest.role


def _state(i: int, first: int, task: HumanTask, own_open: int) -> dict:
    """Most clones are finished; of the running ones, 100 wait for the benchmarked role, the rest for
    other people (other offices, approvers, units), as in a county where everyone has their own work."""
    if i % ACTIVE_SHARE:
        return {"status": "completed"}
    if (i - first) // ACTIVE_SHARE < OWN_OPEN - own_open:
        return {"status": "ready"}
    role, unit = OTHERS[i % len(OTHERS)]
    return {"status": "ready", "role": role, "unit_id": unit}


def _task_values(task: HumanTask) -> dict:
    return {
        c.key: getattr(task, c.key) for c in HumanTask.__table__.columns if c.key not in ("id", "instance_id")
    }
