"""The demo county as `qinglian init --demo` seeds it (workflows/storyline.json played to a fixed day),
with the web app around it: one per test session, for the tests that read what a user would find."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from flask import Flask

from engine import CHINA_TZ, Engine
from engine.storyline import play
from tests.conftest import WORKFLOWS, build_engine, make_workflows_dir
from web import create_app

TODAY = datetime(2026, 12, 4, 9, 0, tzinfo=CHINA_TZ)


def played_demo(tmp: Path, today: datetime) -> Engine:
    """Every process deployed, the storyline played up to `today`, and what fell due by then fired."""
    workflows = make_workflows_dir(tmp, *sorted(p.parent for p in WORKFLOWS.glob("*/process.toml")))
    shutil.copy(WORKFLOWS / "storyline.json", workflows / "storyline.json")
    engine = build_engine(tmp, workflows, at=datetime(2025, 9, 1, 9, 0, tzinfo=CHINA_TZ))
    play(engine, workflows, workflows / "storyline.json", today)
    engine.clock.set(today)  # type: ignore[attr-defined]
    engine.fire_due_timers()
    return engine


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, Flask]]:
    engine = played_demo(tmp_path_factory.mktemp("demo"), TODAY)
    app = create_app(engine.settings, engine)
    app.config["WTF_CSRF_ENABLED"] = False
    yield engine, app
    engine.close()
