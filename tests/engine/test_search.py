"""Finding cases in Chinese (issue 8): two-character names, case numbers and opinions, on SQLite (FTS5)
and PostgreSQL (GIN); never a case the searcher may not see, never by the whistleblower's name."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from engine import Engine
from engine.caselist import CaseFilter
from engine.search import tokens
from tests.conftest import WORKFLOWS, build_engine, make_workflows_dir
from tests.engine.clues import actor, assign, complete, open_clue

CLUES = {  # clue number: (person concerned, unit, handling office and officer or None)
    "XS-2026-0001": ("冯乙", "SJJ", ("JC1", "qianqi")),
    "XS-2026-0002": ("冯甲乙", "CZJ", ("PZ1", "wushi")),
    "XS-2026-0003": ("张冯乙", "SPJ", None),
    "XS-2026-0004": ("陈丙", "CZJ", ("JC1", "qianqi")),
}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple]:
    tmp = tmp_path_factory.mktemp("search")
    url, cluster, name = "", None, ""
    if request.param == "postgresql":
        cluster = request.getfixturevalue("pg_cluster")
        template = request.getfixturevalue("pg_county_template")
        name = f"search_{uuid.uuid4().hex[:8]}"
        url = cluster.create_database(name, template=template)
    engine = build_engine(tmp, make_workflows_dir(tmp, WORKFLOWS / "clue_disposal"), url)
    ids = {}
    for clue_no, (subject, unit, office) in CLUES.items():
        extra = {"is_real_name": True, "reporter_name": "李举报", "reporter_contact": "13800000000"}
        ids[clue_no] = open_clue(engine, clue_no, subject, unit, **(extra if clue_no.endswith("1") else {}))
        if office:
            assign(engine, ids[clue_no], *office)
    complete(
        engine,
        "qianqi",
        ids["XS-2026-0004"],
        "A3_propose",
        {
            "method": "THHX",
            "talk_or_letter": "函询",
            "reasons": "反映其违规发放津贴补贴。",
            "plan_matters": "津贴补贴的发放依据和标准。",
            "plan_staffing": "承办人负责，10个工作日内发出函询通知书。",
        },
    )
    complete(
        engine,
        "lisi",
        ids["XS-2026-0004"],
        "A4_fg_approve",
        {"fg_decision": "同意", "fg_opinion": "同意，注意核实账目。"},
    )
    yield engine, ids
    engine.close()
    if cluster is not None:
        cluster.drop_database(name)


def found(engine: Engine, username: str, q: str) -> set[str]:
    page = engine.supervisor.cases(actor(engine, username), CaseFilter(q=q, per_page=100))
    assert page.total == len(page.items)
    return {row.business_key for row in page.items}


def test_text_is_cut_into_bigrams_and_words() -> None:
    assert list(tokens("冯乙丙")) == ["冯乙", "乙丙", "丙"]
    assert list(tokens("XS-2025-0031 冯乙")) == ["xs", "2025", "0031", "冯乙", "乙"]


def test_a_two_character_name_finds_that_person_only(world: tuple) -> None:
    engine, _ids = world
    # 张冯乙 contains 冯乙; 冯甲乙 does not (its characters are not next to each other)
    assert found(engine, "zhangsan", "冯乙") == {"XS-2026-0001", "XS-2026-0003"}
    assert found(engine, "zhangsan", "冯甲乙") == {"XS-2026-0002"}
    assert found(engine, "zhangsan", "冯") == {"XS-2026-0001", "XS-2026-0002", "XS-2026-0003"}
    assert found(engine, "zhangsan", "陈丙 冯乙") == set()  # every word must match


def test_case_numbers_and_opinions_are_found(world: tuple) -> None:
    engine, _ids = world
    assert found(engine, "zhangsan", "XS-2026-0002") == {"XS-2026-0002"}
    assert found(engine, "zhangsan", "0004") == {"XS-2026-0004"}
    assert found(engine, "zhangsan", "核实账目") == {"XS-2026-0004"}  # 分管副书记's opinion
    assert found(engine, "zhangsan", "津贴补贴") == {"XS-2026-0004"}  # the officer's reasons


def test_the_whistleblowers_name_is_never_searchable(world: tuple) -> None:
    engine, _ids = world
    assert found(engine, "zhangsan", "李举报") == set()
    assert found(engine, "wangwu", "李举报") == set()  # not even for 信访室, who may read it
    assert found(engine, "wangwu", "冯乙") == {"XS-2026-0001", "XS-2026-0003"}  # 王五 registered them


def test_search_never_returns_a_case_the_searcher_may_not_see(world: tuple) -> None:
    engine, _ids = world
    assert found(engine, "sunba", "冯乙") == set()  # recused from cases about 冯乙 (county.toml)
    assert found(engine, "wushi", "冯乙") == set()  # another office's officer
    assert found(engine, "wushi", "冯甲乙") == {"XS-2026-0002"}  # his own
    assert found(engine, "qianqi", "冯") == {"XS-2026-0001"}  # her office's case only
    assert found(engine, "fengyi", "冯乙") == set()  # the person concerned never sees the case file


EVERY = set(CLUES)


@pytest.mark.parametrize(
    ("hostile", "expected"),
    [
        ('" OR 1=1 --', set()),  # the words "or", "1", "1": no case has them
        ("%", EVERY),  # nothing searchable: no search filter at all
        ("_", EVERY),
        ("\\", EVERY),
        ("*", EVERY),
        ("！？", EVERY),
        ("冯乙:*", {"XS-2026-0001", "XS-2026-0003"}),
        ('冯乙" OR "', set()),  # 冯乙 and the word "or"
        ("NEAR(冯乙", set()),
        ("' ; DROP TABLE x", set()),
    ],
)
def test_hostile_queries_find_what_they_say_and_nothing_else(
    world: tuple, hostile: str, expected: set
) -> None:
    engine, _ids = world
    assert found(engine, "zhangsan", hostile) == expected
