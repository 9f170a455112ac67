"""Many identical cases, fast: the newest case's rows (instance, its steps, its participants) copied until
`total` cases stand where it stands (the timer and load benchmarks)."""

from __future__ import annotations

from sqlalchemy import func, insert, select, text

from engine import Engine
from engine.db.models import HumanTask, InstanceParticipant, ProcessInstance


def clone_cases(engine: Engine, total: int) -> None:
    with engine.ctx.db.transaction() as session:
        model = session.scalars(select(ProcessInstance).order_by(ProcessInstance.id.desc()).limit(1)).one()
        have = session.scalar(select(func.count(ProcessInstance.id))) or 0
        tasks = list(session.scalars(select(HumanTask).where(HumanTask.instance_id == model.id)))
        people = list(
            session.scalars(select(InstanceParticipant).where(InstanceParticipant.instance_id == model.id))
        )
        columns = [c.key for c in ProcessInstance.__table__.columns if c.key != "id"]
        task_columns = [c.key for c in HumanTask.__table__.columns if c.key not in ("id", "instance_id")]
        for first in range(model.id + 1, model.id + 1 + total - have, 5000):
            ids = range(first, min(first + 5000, model.id + 1 + total - have))
            rows = [
                {**{c: getattr(model, c) for c in columns}, "id": i, "business_key": f"M-{i}"} for i in ids
            ]
            session.execute(insert(ProcessInstance), rows)
            session.execute(
                insert(HumanTask),
                [{**{c: getattr(t, c) for c in task_columns}, "instance_id": i} for i in ids for t in tasks],
            )
            session.execute(
                insert(InstanceParticipant),
                [{"instance_id": i, "user_id": p.user_id, "kind": p.kind} for i in ids for p in people],
            )
    if engine.ctx.db.is_postgres:  # the ids were given: move the sequence past them
        with engine.ctx.db.transaction() as session:
            session.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence('process_instance', 'id'), max(id)) "
                    "FROM process_instance"
                )
            )
