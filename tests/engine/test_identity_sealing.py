"""A reporter's identity is sealed at rest (issue 11 #8): the workflow state, the search text and the
audit trail hold only a token or a keyed hash; 信访室 reads the name, everyone else 【保密】; the raw
database file does not contain it; `keys rotate` seals everything under a new key and drops the old."""

from __future__ import annotations

import json
import stat
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select, update

from engine import Engine
from engine.db.models import AuditEvent, ProcessInstance
from engine.errors import Refused
from engine.identity import KEY_FILE, MASK, SEALED_FIELDS
from engine.records import Actor
from tests.conftest import WORKFLOWS
from tests.engine.test_notices import START, actor

NAME = "欧阳举报人"


def _case(engine: Engine, name: str = NAME) -> int:
    return engine.start(actor(engine, "zhaoliu"), "mini", {**START, "reporter_name": name})


def _petitions(engine: Engine) -> Actor:
    """赵六 holding 信访室's role as well (the mini process is his office's)."""
    found = actor(engine, "zhaoliu")
    return replace(found, roles=found.roles | {"XF"})


def _stored(engine: Engine, instance_id: int) -> tuple[str, list[str]]:
    with engine.ctx.db.reading() as session:
        state = session.get(ProcessInstance, instance_id).state_json  # type: ignore[union-attr]
        payloads = list(
            session.scalars(select(AuditEvent.payload).where(AuditEvent.instance_id == instance_id))
        )
    return state, payloads


def _raw_database(engine: Engine) -> bytes:
    folder = Path(engine.settings.instance_dir)
    return b"".join(p.read_bytes() for p in folder.glob("qinglian.db*"))


def _spellings(text: str) -> list[bytes]:
    """The ways a value can lie in a database file: UTF-8, and JSON's \\u escapes."""
    return [text.encode("utf-8"), json.dumps(text).strip('"').encode("ascii")]


def test_the_state_and_the_audit_trail_hold_no_reporter_name(mini_engine: Engine) -> None:
    instance_id = _case(mini_engine)
    state, payloads = _stored(mini_engine, instance_id)
    assert NAME not in state and "sealed:" in state
    assert not any(NAME in p for p in payloads) and any("keyed:" in p for p in payloads)
    assert not any(s in _raw_database(mini_engine) for s in _spellings(NAME))
    ring = Path(mini_engine.settings.instance_dir) / KEY_FILE
    assert stat.S_IMODE(ring.stat().st_mode) == 0o600


def test_only_the_petitions_office_reads_the_name(mini_engine: Engine) -> None:
    instance_id = _case(mini_engine)
    assert mini_engine.instance(_petitions(mini_engine), instance_id).data["reporter_name"] == NAME
    for other in ("zhaoliu", "lisi"):  # the registrar without the role, a supervisor
        assert mini_engine.instance(actor(mini_engine, other), instance_id).data["reporter_name"] == MASK
    history = str(mini_engine.instance(_petitions(mini_engine), instance_id).history)
    assert NAME not in history and "keyed:" not in history  # the trail keeps a hash, shown as 【保密】


def test_rotation_seals_under_a_new_key_and_drops_the_old(mini_engine: Engine) -> None:
    instance_id = _case(mini_engine)
    ring = Path(mini_engine.settings.instance_dir) / KEY_FILE
    old_key = ring.read_text(encoding="ascii").split()[0]
    old_state, _ = _stored(mini_engine, instance_id)
    assert mini_engine.operations.rotate_identity_keys() == 1
    keys = ring.read_text(encoding="ascii").split("\n")
    assert len([k for k in keys if k]) == 1 and not keys[0].startswith(old_key)
    state, _ = _stored(mini_engine, instance_id)
    assert f"sealed:{old_key}:" in old_state and f"sealed:{old_key}:" not in state
    assert mini_engine.instance(_petitions(mini_engine), instance_id).data["reporter_name"] == NAME
    assert mini_engine.verify_audit() is None  # the trail's keyed hashes are not touched


def test_rotation_seals_names_stored_before_sealing_existed(mini_engine: Engine) -> None:
    instance_id = _case(mini_engine)
    state, _ = _stored(mini_engine, instance_id)
    legacy = json.loads(state)
    legacy["data"]["reporter_name"] = NAME  # as a database of the last release holds it
    with mini_engine.ctx.db.transaction() as session:
        session.execute(
            update(ProcessInstance)
            .where(ProcessInstance.id == instance_id)
            .values(state_json=json.dumps(legacy, ensure_ascii=False))
        )
    assert mini_engine.operations.rotate_identity_keys() >= 1
    state, _ = _stored(mini_engine, instance_id)
    assert NAME not in state


def test_a_token_whose_key_is_gone_is_refused_by_rotation_and_masked_on_the_page(mini_engine: Engine) -> None:
    instance_id = _case(mini_engine)
    ring = Path(mini_engine.settings.instance_dir) / KEY_FILE
    ring.write_text("0badc0de " + "00" * 32 + "\n", encoding="ascii")  # the ring was replaced, not rotated
    assert mini_engine.instance(_petitions(mini_engine), instance_id).data["reporter_name"] == MASK
    with pytest.raises(Refused, match="不在密钥环中"):
        mini_engine.operations.rotate_identity_keys()


def _restricted(schema: object) -> set[str]:
    if isinstance(schema, dict):
        props = schema.get("properties", {})
        own = {k for k, v in props.items() if isinstance(v, dict) and v.get("x-restricted")}
        return own | {found for v in schema.values() for found in _restricted(v)}
    if isinstance(schema, list):
        return {found for v in schema for found in _restricted(v)}
    return set()


def test_every_field_a_form_marks_restricted_is_sealed() -> None:
    marked = {
        f
        for p in WORKFLOWS.glob("*/forms/*.schema.json")
        for f in _restricted(json.loads(p.read_text("utf-8")))
    }
    assert marked and marked <= SEALED_FIELDS
