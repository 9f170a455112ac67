"""Case facts are recorded as cases move on (workflows/statistics.toml): what the dashboard counts is
what the walks through the real processes did — a 函询 round's dates, the measures taken, an extension,
a return, a 销号 — also where the process keeps the value only for a moment."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from engine import Engine
from engine.db.models import ProcessInstance
from engine.db.oversight import CaseFact
from engine.facts import FactBook, FactRule, record
from engine.storyline import Walk, load_scenario
from engine.submission import action
from tests.conftest import WORKFLOWS, build_engine, make_workflows_dir

D = date.fromisoformat


def walked(tmp_path: Path, process: str, scenario: str, *others: str) -> tuple[Engine, Walk]:
    path = WORKFLOWS / process / "scenarios" / f"{scenario}.json"
    steps = load_scenario(path, process)
    folders = [WORKFLOWS / p for p in dict.fromkeys((process, *steps.get("with", ()), *others))]
    engine = build_engine(
        tmp_path, make_workflows_dir(tmp_path, *folders), at=datetime.fromisoformat(steps["start"]["at"])
    )
    walk = Walk(engine)
    walk.start(steps["start"])
    for step in steps["steps"]:
        walk.act(step)
    return engine, walk


def facts_of(engine: Engine, instance_id: int, kind: str) -> list[tuple]:
    with engine.ctx.db.reading() as session:
        rows = session.scalars(
            select(CaseFact)
            .where(CaseFact.instance_id == instance_id, CaseFact.kind == kind)
            .order_by(CaseFact.key)
        )
        return [(f.key, f.code, f.person, f.at, f.due, f.done_at, f.num) for f in rows]


def test_a_clue_from_registration_to_its_sanction(tmp_path: Path) -> None:
    engine, walk = walked(tmp_path, "clue_disposal", "demo_fengyi_xs_2025_0031", "dual_inquiry")
    case = walk.own_id
    assert facts_of(engine, case, "clue") == [
        ("", "信访举报", "冯乙", D("2025-09-03"), None, D("2026-01-27"), None)
    ]
    assert [c for _k, c, *_ in facts_of(engine, case, "disposal")] == ["THHX"]
    # the round's dates live only while it runs; served 09-26, due 10-23 (National Day), answered late
    assert facts_of(engine, case, "inquiry") == [
        ("1", "countersigned", "冯乙", D("2025-09-26"), D("2025-10-23"), D("2025-11-05"), 24.0)
    ]
    assert [(k, c) for k, c, *_ in facts_of(engine, case, "filing")] == [("", "LA")]
    assert facts_of(engine, case, "measure") == [
        ("DJ:警告", "DJ:警告", "冯乙", D("2026-01-27"), None, None, None)
    ]
    engine.close()


def test_an_extension_moves_the_tasks_due_date_and_the_closing_is_counted(tmp_path: Path) -> None:
    engine, walk = walked(tmp_path, "rectification", "extension_granted_second_refused")
    task_no = "SJ-2026-0301-01"
    assert facts_of(engine, walk.own_id, "rect_task")[0][:6] == (
        task_no, "限期整改", "yaogui", D("2026-03-04"), D("2026-05-29"), D("2026-05-22"),
    )  # fmt: skip
    assert [c for _k, c, *_ in facts_of(engine, walk.own_id, "rect_extension")] == ["同意延期"]
    assert [c for _k, c, *_ in facts_of(engine, walk.own_id, "rect_check")] == ["同意销号"]
    engine.close()


def test_a_return_is_counted_and_the_later_closing_too(tmp_path: Path) -> None:
    engine, walk = walked(tmp_path, "rectification", "verification_returned_for_supplement")
    checks = facts_of(engine, walk.own_id, "rect_check")
    assert [(k, c) for k, c, *_ in checks] == [
        ("XC-2026-0301-01/0", "退回补充"),
        ("XC-2026-0301-01/1", "同意销号"),
    ]
    assert facts_of(engine, walk.own_id, "rect_task")[0][5] == D("2026-04-15")
    engine.close()


@pytest.fixture
def case(mini_engine: Engine) -> ProcessInstance:
    actor = mini_engine.actor_by_name("zhaoliu")
    start = {
        "case_no": "M-101",
        "subject_name": "冯乙",
        "subject_unit": "SJJ",
        "subject_user": "fengyi",
        "handling_office": "JC1",
    }
    instance_id = mini_engine.start(actor, "mini", start)  # type: ignore[arg-type]
    with mini_engine.ctx.db.reading() as session:
        found = session.get(ProcessInstance, instance_id)
        assert found is not None
        return found


def recorded(engine: Engine, instance: ProcessInstance, rules: list[FactRule], *datas: dict) -> list[tuple]:
    engine.ctx.facts = FactBook(tuple(rules), {})
    for data in datas:
        with engine.ctx.db.transaction() as session, action(engine.ctx):
            record(engine.ctx, session, session.merge(instance), data)
    return facts_of(engine, instance.id, "t")


def test_a_name_the_case_lacks_reads_as_none_and_a_fact_once_seen_stays(mini_engine: Engine, case) -> None:  # type: ignore[no-untyped-def]
    rule = FactRule("mini", "t", when="served_at", exprs={"code": "kind_of or 'x'", "done_at": "answered"})
    got = recorded(
        mini_engine,
        case,
        [rule],
        {"served_at": "2026-01-05"},
        {},
        {"served_at": "2026-01-05", "answered": "2026-01-09"},
    )
    assert got == [("", "x", "", D("2025-09-01"), None, D("2026-01-09"), None)]  # at: the day first seen


def test_once_writes_a_fact_the_first_time_only(mini_engine: Engine, case) -> None:  # type: ignore[no-untyped-def]
    rule = FactRule("mini", "t", each="items", once=True, exprs={"key": "item['no']", "due": "item['due']"})
    first = {"items": [{"no": "A", "due": "2026-03-01"}]}
    later = {"items": [{"no": "A", "due": "2026-09-01"}, {"no": "B", "due": "2026-04-01"}]}
    got = recorded(mini_engine, case, [rule], first, later)
    assert [(k, due) for k, _c, _p, _a, due, *_ in got] == [("A", D("2026-03-01")), ("B", D("2026-04-01"))]


def test_a_rule_that_does_not_fit_the_data_records_nothing(mini_engine: Engine, case) -> None:  # type: ignore[no-untyped-def]
    rule = FactRule("mini", "t", each="items", exprs={"code": "item['missing']"})
    assert recorded(mini_engine, case, [rule], {"items": ["not a dict"]}) == [
        ("0", "", "", D("2025-09-01"), None, None, None)
    ]
    other = FactRule("mini", "t", when="1 / zero", exprs={"key": "'z'"})
    assert recorded(mini_engine, case, [other], {"zero": 0}) == [
        ("0", "", "", D("2025-09-01"), None, None, None)
    ]


def test_reindex_rebuilds_search_text_office_and_facts_from_the_cases_state(tmp_path: Path) -> None:
    from sqlalchemy import delete, update

    from engine.caselist import CaseFilter
    from engine.db.oversight import CaseText
    from engine.reindex import reindex

    engine, walk = walked(tmp_path, "clue_disposal", "demo_fengyi_xs_2025_0031", "dual_inquiry")
    with engine.ctx.db.transaction() as session:  # as stored before issue 8: nothing to read
        session.execute(delete(CaseFact))
        session.execute(delete(CaseText))
        session.execute(update(ProcessInstance).values(handling_office=None))
    secretary = engine.actor_by_name("zhangsan")
    assert engine.supervisor.cases(secretary, CaseFilter(q="冯乙")).total == 0  # type: ignore[arg-type]
    assert reindex(engine.ctx) == 3  # the clue, its 一案双查 and the 整改 of its 纪律检查建议书
    assert engine.supervisor.cases(secretary, CaseFilter(q="冯乙")).total == 2  # type: ignore[arg-type]
    assert engine.supervisor.cases(secretary, CaseFilter(office="JC1")).total == 1  # type: ignore[arg-type]
    assert [c for _k, c, *_ in facts_of(engine, walk.own_id, "measure")] == ["DJ:警告"]
    engine.close()


def test_a_late_answer_to_a_real_name_reporter_is_on_record(tmp_path: Path) -> None:
    """D2/D8 (实施条例 §175): not only a notice to 信访室 — the case keeps how late the reporter was told."""
    engine, walk = walked(tmp_path, "clue_disposal", "realname_d2_d8_timers")
    assert facts_of(engine, walk.own_id, "reporter_notice") == [
        ("D2", "late", "褚丁", D("2025-09-23"), D("2025-09-22"), D("2025-09-23"), 1.0),
        ("D8", "late", "褚丁", D("2025-10-22"), D("2025-10-21"), D("2025-10-22"), 1.0),
    ]
