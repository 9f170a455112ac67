"""Steps a case may not pass while something stands against it (issue 12): process.toml `[guards]` names a
guard of this module for a user task; completing that step is refused, with the guard's reason, while
the guard holds (checked inside the completing transaction, so no race lets one through).

`custody`: a clue or case is not archived (结案归档) while money, objects or files seized or handed over
in it are still in custody — every 涉案款物 item registered for it (process `custody`, fact kind
`custody`, labelled with the case number) must have been returned, transferred or handed to the
treasury first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .db.models import ProcessInstance
from .db.oversight import CaseFact
from .errors import InvalidSubmission


def custody_held(session: Session, instance: ProcessInstance) -> str | None:
    """Why the case may not close: its items still in custody, by number; None when there are none."""
    held = session.scalars(
        select(CaseFact.key)
        .join(ProcessInstance, ProcessInstance.id == CaseFact.instance_id)
        .where(
            CaseFact.kind == "custody",
            CaseFact.label == instance.business_key,
            CaseFact.done_at.is_(None),
            ProcessInstance.status != "cancelled",
        )
        .order_by(CaseFact.key)
    ).all()
    if not held:
        return None
    return f"尚有涉案款物 {'、'.join(held)} 在保管中：退还、移送或者上缴等处置完毕后，才能结案归档"


GUARDS: dict[str, Callable[[Session, ProcessInstance], str | None]] = {"custody": custody_held}


def refuse_if_held(session: Session, meta: dict[str, Any], instance: ProcessInstance, bpmn_id: str) -> None:
    """InvalidSubmission (nothing changed) when a guard of the step holds."""
    name = meta.get("guards", {}).get(bpmn_id)
    reason = GUARDS[name](session, instance) if name else None
    if reason:
        raise InvalidSubmission({"_": reason})


def unknown(meta: dict[str, Any]) -> list[str]:
    """Deploy's check: every guard named exists."""
    return [
        f"process.toml [guards]: {step} = {name!r} 不是引擎提供的检查（可用：{'、'.join(GUARDS)}）"
        for step, name in meta.get("guards", {}).items()
        if name not in GUARDS
    ]
