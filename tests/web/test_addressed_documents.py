"""A unit's liaison sees, on her step's page, the documents addressed to her unit, and can open them;
the case file itself stays closed to her."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from engine import Engine
from tests.conftest import WORKFLOWS, build_engine, make_workflows_dir

START = json.loads(
    (WORKFLOWS / "unit_inspection" / "scenarios" / "average_no_interview.json").read_text("utf-8")
)["start"]


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    built = build_engine(
        tmp_path,
        make_workflows_dir(tmp_path, WORKFLOWS / "unit_inspection"),
        at=datetime.fromisoformat(START["at"]),
    )
    yield built
    built.close()


def test_the_liaison_opens_the_inspection_notice_from_her_step(as_user, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    office = engine.actor_by_name("zhoujiu")
    assert office is not None
    case = engine.start(office, "unit_inspection", START["data"])
    notice = engine.instance(office, case).documents[0]
    liaison = as_user("hanmei")
    task = next(t for t in engine.inbox(engine.actor_by_name("hanmei")) if t.instance_id == case)  # type: ignore[arg-type]
    page = liaison.client.get(f"/tasks/{task.id}").text
    assert "发给您的文书" in page and notice.number in page
    download = liaison.client.get(f"/attachments/{notice.pdf_attachment}")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    download.close()
    assert liaison.client.get(f"/instances/{case}").status_code == 404  # the case file is not hers
