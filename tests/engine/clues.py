"""Opening and moving real clues for the supervisor tests: the letter scenario's start data, renamed."""

from __future__ import annotations

import json
from typing import Any

from engine import Actor, Engine
from tests.conftest import WORKFLOWS

LETTER = json.loads((WORKFLOWS / "clue_disposal/scenarios/thhx_letter_r2_archive.json").read_text("utf-8"))


def actor(engine: Engine, username: str) -> Actor:
    found = engine.actor_by_name(username)
    assert found is not None, username
    return found


def open_clue(engine: Engine, clue_no: str, subject: str, unit: str, **extra: Any) -> int:
    """Register a clue about `subject` of `unit` as 王五 (信访室); no login of the person concerned."""
    data = {**LETTER["start"]["data"], "clue_no": clue_no, "subject_name": subject, "subject_unit": unit}
    data.pop("subject_user")
    data.update(secrecy="内部", **extra)
    return engine.start(actor(engine, "wangwu"), "clue_disposal", data)


def complete(engine: Engine, username: str, instance_id: int, bpmn_id: str, data: dict) -> None:
    """Complete the person's open task `bpmn_id` of the case, as from their inbox."""
    person = actor(engine, username)
    task = next(t for t in engine.inbox(person) if t.instance_id == instance_id and t.bpmn_id == bpmn_id)
    engine.complete(person, task.id, data)


def assign(engine: Engine, instance_id: int, office: str, officer: str) -> None:
    complete(
        engine, "zhaoliu", instance_id, "A2_assign", {"handling_office": office, "handling_officer": officer}
    )
