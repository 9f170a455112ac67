"""What the benchmarks complete: a process, the steps walked before, and the timed task with its data."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Case:
    """A process and the walk of user tasks the benchmarks time; `task`/`actor`/`data` is the step whose
    open instances fill the inbox and the server benchmark."""

    process_id: str
    folder: Path
    starter: str
    start_data: Callable[[int], dict[str, Any]]
    walk: list[tuple[str, str, dict[str, Any]]]  # (bpmn id, username, data), each step timed
    task: str
    actor: str
    data: dict[str, Any] = field(default_factory=dict)


DATE = re.compile(r"\d{4}-\d{2}-\d{2}(T|$)")
LETTER_PATH = ROOT / "workflows" / "clue_disposal" / "scenarios" / "thhx_letter_r2_archive.json"


def _letter_path() -> tuple[dict[str, Any], list[tuple[str, str, dict[str, Any]]]]:
    """The 函询 path of the browser test (a scenario file): its start data and every user task on it.

    Every date of the walk is today (the real date), so no deadline has passed and no date check refuses
    a step: the server benchmark runs on the real clock, and a letter served in the past would have its
    whole D4 ladder fire at once.
    """
    scenario = json.loads(LETTER_PATH.read_text(encoding="utf-8"))
    walk = [  # the steps that are accepted (a step the scenario expects refused is not one)
        (step["complete"], step["as"], _today(step["data"]))
        for step in scenario["steps"]
        if "complete" in step and "error" not in step
    ]
    return scenario["start"]["data"], walk


def _today(value: Any) -> Any:
    """`value` with every date (and the date of every date-time) replaced by today's."""
    if isinstance(value, dict):
        return {k: _today(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_today(v) for v in value]
    if isinstance(value, str) and DATE.match(value):
        return date.today().isoformat() + value[10:]
    return value


LETTER_START, LETTER_WALK = _letter_path()


def _clue(n: int) -> dict[str, Any]:
    return {**LETTER_START, "clue_no": f"XS-2025-{n:04d}"}


CASES = {
    "clue_disposal": Case(
        process_id="clue_disposal",
        folder=ROOT / "workflows" / "clue_disposal",
        starter="wangwu",
        start_data=_clue,
        walk=LETTER_WALK,
        task="A2_assign",
        actor="zhaoliu",
        data={"handling_office": "JC1", "handling_officer": "qianqi"},
    ),
    "mini": Case(
        process_id="mini",
        folder=ROOT / "tests" / "fixtures" / "mini",
        starter="zhaoliu",
        start_data=lambda n: {
            "case_no": f"M-{n % 1000:03d}",
            "subject_name": "冯乙",
            "subject_unit": "SJJ",
            "subject_user": "fengyi",
            "handling_office": "JC1",
        },
        walk=[("serve", "qianqi", {"served_at": "2025-09-26"})],
        task="serve",
        actor="qianqi",
        data={"served_at": "2025-09-26"},
    ),
}


def workflows_folder(folder: Path, process: Path) -> Path:
    """A workflows/ folder under `folder` with the county's files and one process folder: what the
    benchmarks deploy."""
    workflows = folder / "workflows"
    workflows.mkdir(parents=True)
    for name in ("roles.toml", "county.toml", "statistics.toml", "four_forms.toml"):
        shutil.copy(ROOT / "workflows" / name, workflows / name)
    shutil.copytree(ROOT / "workflows" / "documents", workflows / "documents")
    shutil.copytree(process, workflows / process.name)
    return workflows
