"""Backup and restore (issue 11 #16): an online copy of the database and the stored files, restored into
an empty place on SQLite and on PostgreSQL, gives the same counts, a verified audit chain and the same
files; a restore never overwrites a database that holds data, and a backup never mixes into a used folder."""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path

import pytest

from engine import CHINA_TZ, Engine, FrozenClock, Refused, Settings, files
from tests.conftest import AUDIT_KEY, FIXTURES, SESSION_KEY, build_engine, make_workflows_dir
from tests.engine.test_notices import START, actor
from tests.pgcluster import PgCluster

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
AT = datetime(2025, 9, 26, 10, 0, tzinfo=CHINA_TZ)


def _with_a_case(engine: Engine) -> str:
    """A case with a step done and a file attached; the file's hash."""
    case = engine.start(actor(engine, "zhaoliu"), "mini", START)
    officer = actor(engine, "qianqi")
    task = next(t for t in engine.inbox(officer) if t.instance_id == case)
    engine.complete(officer, task.id, {"served_at": "2025-09-26"})
    return engine.upload(officer, "送达回证.pdf", PDF, case).sha256


def _empty(tmp: Path, workflows: Path, database_url: str = "") -> Engine:
    settings = Settings(
        database_url=database_url,
        instance_dir=str(tmp / "restored"),
        workflows_dir=str(workflows),
        secret_key=SESSION_KEY,
        audit_key=AUDIT_KEY,  # the restored deployment keeps the audit key: the chain stays verifiable
    )
    return Engine(settings, clock=FrozenClock(AT))


def _round_trip(source: Engine, target: Engine, folder: Path) -> None:
    try:
        _check_round_trip(source, target, folder)
    finally:
        source.close()
        target.close()


def _check_round_trip(source: Engine, target: Engine, folder: Path) -> None:
    sha = _with_a_case(source)
    copy = source.operations.backup(folder)
    assert copy.counts["instances"] == 1 and copy.counts["attachments"] == 1
    restored = target.operations.restore(folder)
    assert restored.counts == copy.counts
    assert target.verify_audit() is None
    assert files.path_of(target.settings.files_dir, sha).read_bytes() == PDF
    assert [t.title for t in target.inbox(actor(target, "fengyi"))]  # the case goes on where it stood


def test_a_sqlite_deployment_is_copied_online_and_restored_into_an_empty_place(tmp_path: Path) -> None:
    workflows = make_workflows_dir(tmp_path, FIXTURES / "mini")
    source = build_engine(tmp_path, workflows, at=AT)
    _round_trip(source, _empty(tmp_path, workflows), tmp_path / "backup")


def test_a_postgresql_deployment_is_copied_and_restored_into_an_empty_database(
    tmp_path: Path, fresh_postgres: str, pg_cluster: PgCluster
) -> None:
    workflows = make_workflows_dir(tmp_path, FIXTURES / "mini")
    source = build_engine(tmp_path, workflows, database_url=fresh_postgres, at=AT)
    empty = pg_cluster.create_database(f"r_{uuid.uuid4().hex[:12]}")
    _round_trip(source, _empty(tmp_path, workflows, empty), tmp_path / "backup")


def test_restore_refuses_a_database_that_holds_data_and_backup_a_used_folder(tmp_path: Path) -> None:
    workflows = make_workflows_dir(tmp_path, FIXTURES / "mini")
    engine = build_engine(tmp_path, workflows, at=AT)
    copy = engine.operations.backup(tmp_path / "backup")
    with pytest.raises(Refused, match="不是空的"):
        engine.operations.restore(copy.folder)
    with pytest.raises(Refused, match="不是空的"):
        engine.operations.backup(copy.folder)
    engine.close()
