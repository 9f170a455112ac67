"""`qinglian keys rotate`: every reporter's identity sealed again under a new key (issue 11 #8).

The new key joins the ring first, so a failure part-way leaves every token readable; the case states,
the open steps' data and the messages waiting to be delivered are re-sealed in one transaction (identity
values written before sealing existed are sealed on the way); only then are the old keys dropped. The
audit trail keeps keyed hashes, which no key rotation touches.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from .context import EngineContext
from .db.models import HumanTask, ProcessInstance
from .db.oversight import MessagePost
from .errors import Refused
from .identity import SEALED_FIELDS, TOKEN, Sealer


def rotate(ctx: EngineContext) -> int:
    """Seal every identity value under a new key; the number of values sealed again."""
    sealer = ctx.identity
    new = sealer.ring.add()
    count = [0]
    with ctx.db.transaction() as session:
        for instance in session.scalars(select(ProcessInstance)):
            state = json.dumps(_resealed(sealer, json.loads(instance.state_json), count), ensure_ascii=False)
            if state != instance.state_json:
                instance.state_json = state
        for post in session.scalars(select(MessagePost)):
            post.payload = _resealed(sealer, post.payload, count)
        for step in session.scalars(select(HumanTask).where(HumanTask.data.is_not(None))):
            step.data = _resealed(sealer, step.data, [0])  # a copy of the state's values: counted there
    sealer.ring.keep_only(new)
    return count[0]


def _resealed(sealer: Sealer, value: Any, count: list[int], key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _resealed(sealer, v, count, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_resealed(sealer, v, count) for v in value]
    if not isinstance(value, str) or not value:
        return value
    found = TOKEN.fullmatch(value)
    if found is None:
        if key not in SEALED_FIELDS or value.startswith("keyed:"):
            return value
        count[0] += 1
        return sealer.seal_value(key, value)
    if found.group(1) == sealer.ring.current()[0]:
        return value
    plain = sealer.open_value(value)
    if plain is None:
        raise Refused(f"身份信息密钥 {found.group(1)} 不在密钥环中，无法重新加密；请先恢复该密钥")
    count[0] += 1
    return sealer.seal_value(key, plain, digest=found.group(2))
