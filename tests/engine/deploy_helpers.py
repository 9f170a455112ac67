"""What the deploy tests share (test_deploy*.py): a copy of tests/fixtures/mini/ to edit, and the checks
that a deploy is refused with nothing stored and that version 1 still starts."""

from __future__ import annotations

import shutil
from itertools import count
from pathlib import Path

import pytest
from sqlalchemy import select

from engine import DeployRejected, Engine
from engine.db.models import ProcessVersion
from tests.conftest import FIXTURES

MINI = FIXTURES / "mini"
BAD = FIXTURES / "bad"
_case_numbers = count(1)


def start_data() -> dict[str, str]:
    return {
        "case_no": f"M-{next(_case_numbers) % 1000:03d}",
        "subject_name": "冯乙",
        "subject_unit": "SJJ",
        "handling_office": "JC1",
        "subject_user": "fengyi",
    }


def copy_of_mini(tmp_path: Path, relative: str = "upload/mini") -> Path:
    folder = tmp_path / relative
    shutil.copytree(MINI, folder, copy_function=shutil.copyfile)
    return folder


def edit(folder: Path, filename: str, old: str, new: str) -> str:
    """Replace `old` (which must occur) by `new` in one file of the folder; returns the new text."""
    path = folder / filename
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture changed: {old!r} not in {filename}"
    text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return text


def line_of(text: str, fragment: str, start: int = 0) -> int:
    return text[: text.index(fragment, start)].count("\n") + 1


def stored_versions(engine: Engine) -> list[tuple[str, int, str]]:
    with engine.ctx.db.reading() as session:
        rows = session.execute(
            select(ProcessVersion.process_id, ProcessVersion.version, ProcessVersion.sha256)
        )
        return sorted(tuple(r) for r in rows)  # type: ignore[misc]


def assert_refused(engine: Engine, folder: Path, *fragments: str) -> str:
    """Deploy must raise DeployRejected naming every fragment and store nothing; returns the message."""
    before = stored_versions(engine)
    with pytest.raises(DeployRejected) as refused:
        engine.deploy(folder)
    message = str(refused.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} missing from: {message}"
    assert stored_versions(engine) == before
    return message


def assert_version_1_still_starts(engine: Engine, actor) -> None:  # type: ignore[no-untyped-def]
    starter = actor("zhaoliu")
    instance_id = engine.start(starter, "mini", start_data())
    assert engine.instance(starter, instance_id).version == 1
    assert [t.title for t in engine.inbox(actor("qianqi"))] == ["送达函询"]
