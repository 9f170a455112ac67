"""Engine-test fixtures: one engine per module over the mini process, reset from a snapshot per test."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import datetime
from pathlib import Path

import pytest

from engine import CHINA_TZ, Engine, FrozenClock
from engine.audit_anchor import ANCHOR_FILE
from engine.context import SpecCache
from tests.conftest import FIXTURES, build_engine, make_workflows_dir

T0 = datetime(2025, 9, 1, 9, 0, tzinfo=CHINA_TZ)


@pytest.fixture(scope="module")
def _mini_module(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, Path]]:
    """One engine per module and a snapshot of its freshly deployed database (cheaper than a new engine)."""
    tmp = tmp_path_factory.mktemp("mini")
    engine = build_engine(tmp, make_workflows_dir(tmp, FIXTURES / "mini"), at=T0)
    snapshot = tmp / "snapshot.db"
    copy_database(Path(engine.settings.instance_dir) / "qinglian.db", snapshot)
    yield engine, snapshot
    engine.close()


@pytest.fixture
def mini_engine(_mini_module: tuple[Engine, Path]) -> Engine:
    """Like the root `mini_engine` (mini deployed as version 1, clock at T0), reset for every test."""
    engine, snapshot = _mini_module
    engine.render_pdfs_in_place()  # a test may have made it render as a server does
    copy_database(snapshot, Path(engine.settings.instance_dir) / "qinglian.db")
    shutil.rmtree(engine.settings.files_dir, ignore_errors=True)
    (Path(engine.settings.instance_dir) / ANCHOR_FILE).unlink(missing_ok=True)  # the audit head of the last
    engine.ctx.specs = SpecCache()  # version ids are reused after a reset
    clock_of(engine).set(T0)
    return engine


def copy_database(source: Path, target: Path) -> None:
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def clock_of(engine: Engine) -> FrozenClock:
    clock = engine.clock
    assert isinstance(clock, FrozenClock)
    return clock
