"""Runs every scenario file next to each diagram (workflows/*/scenarios/*.json) through the real engine.

A scenario says who does what with which data and when, and what must hold afterwards: the READY
tasks, the instance data, the notifications sent, the final status, the instances its messages
started and the documents issued. See workflows/README.md. The moves themselves are engine.storyline's
Walk, which also plays the demo storyline; the checks are engine.designer's, which `qinglian test` and the
designer's 运行场景 run too.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from engine.designer.scenario_checks import check_scenario
from engine.storyline import load_scenario, process_id_of
from tests.conftest import FIXTURES, WORKFLOWS, build_engine, make_workflows_dir

SCENARIOS = sorted([*WORKFLOWS.glob("*/scenarios/*.json"), *FIXTURES.glob("*/scenarios/*.json")])


@pytest.mark.parametrize("database", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_scenario(path: Path, database: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """Every scenario on SQLite and on PostgreSQL, so no SQLite-only SQL creeps into the engine."""
    scenario = load_scenario(path, process_id_of(path.parent.parent))
    url = request.getfixturevalue("fresh_postgres") if database == "postgresql" else ""
    linked = [path.parent.parent.parent / name for name in scenario.get("with", [])]  # sibling folders
    workflows = make_workflows_dir(tmp_path, path.parent.parent, *linked)
    at = datetime.fromisoformat(scenario["start"]["at"])
    engine = build_engine(tmp_path, workflows, database_url=url, at=at, seed=False)
    try:
        check_scenario(engine, scenario, path.name)
    finally:
        engine.close()
