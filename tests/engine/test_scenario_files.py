"""A scenario may follow another of its folder (engine/storyline.load_scenario): a variant of a long walk
names only where it parts from it; a `follows` that names no sibling file, or runs in a circle, is refused
with the reason (the designer shows it as the scenario's failure)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.storyline import load_scenario

BASE = {
    "title": "base",
    "start": {"as": "wangwu", "at": "2025-09-01T09:00:00+08:00", "data": {"clue_no": "XS-1", "x": 1}},
    "steps": [{"complete": "a"}, {"complete": "b"}, {"complete": "c"}],
    "end": {"status": "completed"},
    "with": ["unit_inspection"],
}


def _write(folder: Path, name: str, content: dict) -> Path:
    path = folder / name
    path.write_text(json.dumps(content), encoding="utf-8")
    return path


def test_a_variant_plays_the_first_steps_of_the_walk_it_follows_then_its_own(tmp_path: Path) -> None:
    _write(tmp_path, "base.json", BASE)
    variant = {
        "title": "variant",
        "follows": {"scenario": "base.json", "until": 2, "data": {"clue_no": "XS-2"}},
        "steps": [{"complete": "d"}],
        "end": {"status": "running"},
    }
    got = load_scenario(_write(tmp_path, "variant.json", variant), "clue_disposal")
    assert [s["complete"] for s in got["steps"]] == ["a", "b", "d"]
    assert got["start"]["data"] == {"clue_no": "XS-2", "x": 1} and got["start"]["process"] == "clue_disposal"
    assert got["title"] == "variant" and got["end"] == {"status": "running"}
    assert got["with"] == ["unit_inspection"]  # the folders the walk needs come along


@pytest.mark.parametrize(
    "follows",
    [
        {"scenario": "missing.json"},
        {"scenario": "../base.json"},
        {"scenario": "self.json"},
        {"scenario": "base.json", "until": "two"},
        "base.json",
    ],
)
def test_a_follows_that_names_no_other_file_of_the_folder_is_refused(tmp_path: Path, follows: object) -> None:
    _write(tmp_path, "base.json", BASE)
    path = _write(tmp_path, "self.json", {"title": "x", "follows": follows, "steps": []})
    with pytest.raises(ValueError, match="follows"):
        load_scenario(path, "clue_disposal")


def test_walks_that_follow_each_other_in_a_circle_are_refused(tmp_path: Path) -> None:
    _write(tmp_path, "a.json", {"title": "a", "follows": {"scenario": "b.json"}, "steps": []})
    path = _write(tmp_path, "b.json", {"title": "b", "follows": {"scenario": "a.json"}, "steps": []})
    with pytest.raises(ValueError, match="follows"):
        load_scenario(path, "clue_disposal")
