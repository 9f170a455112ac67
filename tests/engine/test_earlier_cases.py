"""The 重复件 check at A-1: a new clue lists the earlier clues on the same person, the latest 20 at
most (the list travels in the case data, which every step copies)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from tests.conftest import WORKFLOWS, build_engine, make_workflows_dir

CLUE = json.loads((WORKFLOWS / "clue_disposal/scenarios/thhx_letter_r2_archive.json").read_text("utf-8"))[
    "start"
]


def test_a_clue_lists_the_latest_earlier_clues_on_the_same_person(tmp_path: Path) -> None:
    engine = build_engine(
        tmp_path,
        make_workflows_dir(tmp_path, WORKFLOWS / "clue_disposal"),
        at=datetime.fromisoformat(CLUE["at"]),
    )
    try:
        registrar = engine.actor_by_name(CLUE["as"])
        assert registrar is not None
        ids = [
            engine.start(registrar, "clue_disposal", {**CLUE["data"], "clue_no": f"XS-2025-{n:04d}"})
            for n in range(1, 24)
        ]
        other = engine.start(
            registrar, "clue_disposal", {**CLUE["data"], "clue_no": "XS-2025-0100", "subject_name": "褚丁"}
        )
        supervisor = engine.actor_by_name("zhaoliu")
        assert supervisor is not None
        assert engine.instance(supervisor, ids[0]).data["earlier_cases"] == []
        assert engine.instance(supervisor, ids[1]).data["earlier_cases"] == ["XS-2025-0001"]
        latest = engine.instance(supervisor, ids[-1]).data["earlier_cases"]
        assert latest == [f"XS-2025-{n:04d}" for n in range(3, 23)]
        assert engine.instance(supervisor, other).data["earlier_cases"] == []
    finally:
        engine.close()
