"""`qinglian reindex`: rebuild what the supervisors read (handling office, searchable text, case facts)
from every case's state as it stands — for cases stored before these existed, or after the rules of
workflows/statistics.toml changed. Facts only seen in a step that has passed (a 函询 round's dates) come
back only as far as the state still holds them."""

from __future__ import annotations

from sqlalchemy import select

from . import spiff
from .advance import index_case
from .context import EngineContext
from .db.models import ProcessInstance

BATCH = 200


def reindex(ctx: EngineContext) -> int:
    """Index every case again, each under its lock in a transaction of its own; returns how many."""
    with ctx.db.reading() as session:
        ids = list(session.scalars(select(ProcessInstance.id).order_by(ProcessInstance.id)))
    for instance_id in ids:
        with ctx.db.transaction() as session:
            instance = ctx.db.lock_instance(session, instance_id)
            if instance is None:
                continue
            version = ctx.specs.get(session, instance.version_id)
            wf = spiff.load(version.specs, instance.state_json, instance.serializer_version)
            index_case(ctx, session, instance, spiff.current_data(wf), {})
    return len(ids)
