"""The case list (issue 8): filters by process, version, status, unit, handling office, overdue and
period; sorting; pages with the total count; a bad filter refused naming the field."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from engine import CHINA_TZ, Engine, InvalidSubmission
from engine.caselist import CaseFilter
from tests.conftest import WORKFLOWS, build_engine, make_workflows_dir
from tests.engine.clues import actor, assign, open_clue

START = datetime(2026, 3, 2, 9, 0, tzinfo=CHINA_TZ)  # a Monday


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """Five clues registered on five days; three assigned (JC1, JC1, PZ1); one case of 一案双查."""
    tmp = tmp_path_factory.mktemp("caselist")
    folder = make_workflows_dir(tmp, WORKFLOWS / "clue_disposal", WORKFLOWS / "dual_inquiry")
    engine = build_engine(tmp, folder, at=START)
    units = ["SJJ", "CZJ", "SJJ", "SPJ", "CZJ"]
    for n, unit in enumerate(units, start=1):
        day = START + timedelta(days=n - 1)
        engine.clock.set(day)  # type: ignore[attr-defined]
        instance_id = open_clue(
            engine, f"XS-2026-00{n:02d}", f"甲{n}", unit, received_at=day.date().isoformat()
        )
        if n <= 3:
            assign(engine, instance_id, "PZ1" if n == 3 else "JC1", "wushi" if n == 3 else "qianqi")
    dual = {"case_no": "XS-2026-0001", "subject_name": "甲1", "subject_post": "副局长", "subject_unit": "SJJ"}
    engine.start(
        actor(engine, "zhoujiu"), "dual_inquiry", {**dual, "filing_no": "", "filed_at": "2026-03-02"}
    )
    yield engine
    engine.close()


def keys(engine: Engine, username: str = "zhangsan", **args: str) -> list[str | None]:
    page = engine.supervisor.cases(actor(engine, username), CaseFilter.parse(args))
    return [row.business_key or row.title for row in page.items]


def test_filters_narrow_the_list(world: Engine) -> None:
    assert keys(world, process="clue_disposal", sort="key", desc="0") == [
        f"XS-2026-00{n:02d}" for n in range(1, 6)
    ]
    assert keys(world, process="dual_inquiry") == ["一案双查 XS-2026-0001 县市场监督管理局"]
    assert sorted(keys(world, unit="CZJ")) == ["XS-2026-0002", "XS-2026-0005"]
    assert sorted(keys(world, office="JC1")) == ["XS-2026-0001", "XS-2026-0002"]
    assert keys(world, office="DFS") == ["一案双查 XS-2026-0001 县市场监督管理局"]
    assert sorted(keys(world, process="clue_disposal", **{"from": "2026-03-03", "to": "2026-03-04"})) == [
        "XS-2026-0002",
        "XS-2026-0003",
    ]
    assert keys(world, process="clue_disposal", version="1", status="completed") == []
    assert keys(world, process="clue_disposal", version="2") == []


def test_sorting_and_pages_with_the_total(world: Engine) -> None:
    args = {"process": "clue_disposal", "sort": "started", "per_page": "2"}
    first = world.supervisor.cases(actor(world, "zhangsan"), CaseFilter.parse(args))
    assert (first.total, first.pages, [r.business_key for r in first.items]) == (
        5,
        3,
        ["XS-2026-0005", "XS-2026-0004"],
    )
    last = world.supervisor.cases(actor(world, "zhangsan"), CaseFilter.parse({**args, "page": "3"}))
    assert [r.business_key for r in last.items] == ["XS-2026-0001"]
    assert keys(world, process="clue_disposal", sort="started", desc="0", per_page="1") == ["XS-2026-0001"]


def test_overdue_cases_are_those_with_a_step_past_its_due_date(world: Engine) -> None:
    assert keys(world, overdue="1") == []
    world.clock.set(START + timedelta(days=45))  # type: ignore[attr-defined]  # D1 (one month) has passed
    try:
        late = keys(world, overdue="1", process="clue_disposal", sort="key", desc="0")
        page = world.supervisor.cases(actor(world, "zhangsan"), CaseFilter.parse({"overdue": "1"}))
        # A-3 proposals not made in time (D1); 0004 and 0005 never assigned (A-2 分办: 3 working days)
        assert late == ["XS-2026-0001", "XS-2026-0002", "XS-2026-0003", "XS-2026-0004", "XS-2026-0005"]
        assert all(row.overdue for row in page.items)
    finally:
        world.clock.set(START + timedelta(days=4))  # type: ignore[attr-defined]


def test_the_list_holds_only_what_the_person_may_see(world: Engine) -> None:
    assert sorted(keys(world, "qianqi")) == ["XS-2026-0001", "XS-2026-0002"]  # her office's cases
    assert keys(world, "wushi") == ["XS-2026-0003"]
    assert keys(world, "zhoujiu") == ["一案双查 XS-2026-0001 县市场监督管理局"]  # the processes DF runs
    assert keys(world, "fengyi") == []


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"status": "open"}, "status"),
        ({"from": "2026-13-01"}, "from"),
        ({"page": "x"}, "page"),
        ({"sort": "id"}, "sort"),
    ],
)
def test_a_filter_that_cannot_be_read_is_refused_naming_it(args: dict, field: str) -> None:
    with pytest.raises(InvalidSubmission) as refused:
        CaseFilter.parse(args)
    assert field in refused.value.errors
