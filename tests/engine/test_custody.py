"""涉案款物 (issue 12 item 6): an item in custody keeps its clue or case from being archived — while it waits
to be received, while it is in the store, while it is out — and the dashboard counts it until it is
disposed of. (The whole walk, two people on every move, is workflows/custody/scenarios.)"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from engine import CHINA_TZ, Engine, InvalidSubmission
from engine.stats import StatFilter
from tests.conftest import WORKFLOWS, build_engine, make_workflows_dir
from tests.engine.clues import actor, assign, complete, open_clue

ITEM = {
    "item_no": "KW-2025-0009",
    "handling_office": "JC1",
    "item_kind": "涉案物品",
    "description": "笔记本电脑",
    "quantity": "1台",
    "obtained_by": "调取",
    "obtained_on": "2025-09-01",
    "holder_name": "褚丁",
}


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    workflows = make_workflows_dir(tmp_path, WORKFLOWS / "clue_disposal", WORKFLOWS / "custody")
    built = build_engine(tmp_path, workflows, at=datetime(2025, 9, 1, 9, tzinfo=CHINA_TZ))
    yield built
    built.close()


def _to_archive(engine: Engine, clue_no: str) -> int:
    case = open_clue(engine, clue_no, "褚丁", "SPJ")
    assign(engine, case, "JC1", "qianqi")
    complete(engine, "qianqi", case, "A3_propose", {"method": "YYLJ", "reasons": "查无实据，予以了结。"})
    complete(engine, "lisi", case, "A4_fg_approve", {"fg_decision": "同意", "fg_opinion": "同意。"})
    complete(engine, "zhangsan", case, "A4_sj_approve", {"sj_decision": "同意", "sj_opinion": "同意。"})
    return case


ARCHIVE = {"archive_no": "AG-2025-9", "archived_on": "2025-09-01", "integrity_file_updated": True}


def test_a_clue_with_an_item_not_yet_received_is_not_archived_and_one_of_another_case_does_not_count(
    engine: Engine,
) -> None:
    case = _to_archive(engine, "XS-2025-0161")
    engine.start(actor(engine, "qianqi"), "custody", {**ITEM, "case_no": "XS-2025-0161"})
    open_clue(engine, "XS-2025-0999", "冯乙", "SJJ")  # another clue, with an item of its own
    engine.start(
        actor(engine, "qianqi"), "custody", {**ITEM, "item_no": "KW-2025-0010", "case_no": "XS-2025-0999"}
    )
    with pytest.raises(InvalidSubmission) as refused:
        complete(engine, "zhaoliu", case, "A_archive", ARCHIVE)
    assert "KW-2025-0009" in refused.value.errors["_"] and "KW-2025-0010" not in refused.value.errors["_"]
    assert [t.bpmn_id for t in engine.instance(actor(engine, "zhaoliu"), case).ready_tasks] == ["A_archive"]
    f = StatFilter.parse({"from": "2025-09-01", "to": "2025-09-30"}, engine.clock.now().date())
    table = engine.supervisor.statistic(actor(engine, "zhaoliu"), "custody", f).tables[0]
    assert [[c.value for c in row] for row in table.rows][1] == ["涉案物品", 2, 2, 0]


def test_a_cancelled_item_no_longer_holds_the_case(engine: Engine) -> None:
    case = _to_archive(engine, "XS-2025-0162")
    item = engine.start(actor(engine, "qianqi"), "custody", {**ITEM, "case_no": "XS-2025-0162"})
    engine.interventions.cancel(actor(engine, "zhangsan"), item, "登记错误，作废")
    complete(engine, "zhaoliu", case, "A_archive", ARCHIVE)
    assert engine.instance(actor(engine, "zhaoliu"), case).status == "completed"


def test_a_typical_case_is_published_only_from_a_concluded_case_of_the_county(tmp_path: Path) -> None:
    """Issue 12 items 4 and 6: the 通报曝光 starts from a concluded case — a number the county never
    registered, or a case still being handled, is refused at the 案件编号 field; a 涉案款物 belongs to a
    registered 线索 or 案件."""
    from engine.storyline import load_scenario, process_id_of
    from tests.demo_county import TODAY, played_demo

    engine = played_demo(tmp_path, TODAY)
    try:
        path = WORKFLOWS / "case_publication" / "scenarios" / "tb_returned_then_published.json"
        start = load_scenario(path, process_id_of(path.parent.parent))["start"]
        office = engine.actor_by_name(start["as"])
        assert office is not None
        for number, words in (
            ("XS-2099-0001", "没有编号为 XS-2099-0001 的线索或案件"),
            ("XS-2026-0650", "尚未办结"),
        ):
            data = {**start["data"], "publication_no": "TB-2026-0901", "case_no": number}
            with pytest.raises(InvalidSubmission) as refused:
                engine.start(office, "case_publication", data)
            assert words in refused.value.errors["case_no"]
        concluded = {**start["data"], "publication_no": "TB-2026-0902", "case_no": "XS-2025-0031"}
        assert engine.start(office, "case_publication", concluded)
        item = (
            WORKFLOWS / "custody" / "scenarios" / "kw_transferred.json"
        )  # 涉案款物 of a case never registered
        register = load_scenario(item, "custody")["start"]
        handler = engine.actor_by_name(register["as"])
        assert handler is not None
        with pytest.raises(InvalidSubmission) as refused:
            engine.start(
                handler, "custody", {**register["data"], "item_no": "KW-2026-0901", "case_no": "XS-2099-0002"}
            )
        assert "没有编号为 XS-2099-0002 的线索或案件" in refused.value.errors["case_no"]
    finally:
        engine.close()
