"""The demo county as `qinglian init --demo` seeds it (workflows/storyline.json played to a fixed day),
with the web app around it: one per test session, for the tests that read what a user would find."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from flask import Flask

from engine import CHINA_TZ, Engine, FrozenClock, Settings
from engine.storyline import play
from tests.conftest import AUDIT_KEY, SESSION_KEY, WORKFLOWS, build_engine, make_workflows_dir
from web import create_app

TODAY = datetime(2026, 12, 4, 9, 0, tzinfo=CHINA_TZ)


_PLAYED: dict[datetime, Path] = {}  # one played county per day, kept for the whole test session
_CACHE: list[Path] = []


@pytest.fixture(scope="session", autouse=True)
def _played_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    _CACHE[:] = [tmp_path_factory.mktemp("played")]


def _play(folder: Path, today: datetime) -> None:
    """Every process deployed, the storyline played up to `today`, and what fell due by then fired."""
    workflows = make_workflows_dir(folder, *sorted(p.parent for p in WORKFLOWS.glob("*/process.toml")))
    shutil.copy(WORKFLOWS / "storyline.json", workflows / "storyline.json")
    engine = build_engine(folder, workflows, at=datetime(2025, 9, 1, 9, 0, tzinfo=CHINA_TZ))
    play(engine, workflows, workflows / "storyline.json", today)
    engine.clock.set(today)  # type: ignore[attr-defined]
    engine.fire_due_timers()
    engine.close()


def played_demo(tmp: Path, today: datetime) -> Engine:
    """The demo county played up to `today`, in `tmp`: the storyline is played once per day and test
    session (≈ 100 s), and each caller gets its own copy (database, files, keys) to change at will."""
    if today not in _PLAYED:
        folder = _CACHE[0] / today.strftime("%Y%m%d")
        folder.mkdir()
        _play(folder, today)
        _PLAYED[today] = folder
    shutil.copytree(_PLAYED[today], tmp, dirs_exist_ok=True)
    settings = Settings(
        instance_dir=str(tmp / "instance"),
        workflows_dir=str(tmp / "workflows"),
        secret_key=SESSION_KEY,
        audit_key=AUDIT_KEY,
    )
    return Engine(settings, clock=FrozenClock(today))


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, Flask]]:
    engine = played_demo(tmp_path_factory.mktemp("demo"), TODAY)
    app = create_app(engine.settings, engine)
    app.config["WTF_CSRF_ENABLED"] = False
    yield engine, app
    engine.close()
