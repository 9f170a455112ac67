"""The dashboard's figures over a seeded set of case facts, against the same figures counted by hand
(issue 8): clues, the four ways, 函询, 四种形态, inspections, 整改, 一案双查; and each person's scope."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from engine import Engine, NotFound
from engine.stats import StatFilter
from tests.engine.clues import actor
from tests.supervision_data import PERIOD, TODAY, seeded_engine


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    yield from seeded_engine(tmp_path_factory.mktemp("stats"))


def figures(engine: Engine, name: str, username: str = "zhangsan", **args: str) -> dict[str, list[list[Any]]]:
    f = StatFilter.parse({**PERIOD, **args}, TODAY.date())
    found = engine.supervisor.statistic(actor(engine, username), name, f)
    return {t.name: [[c.value for c in row] for row in t.rows] for t in found.tables}


def test_clues_by_source_the_four_ways_and_how_far_clues_went(engine: Engine) -> None:
    got = figures(engine, "clues")
    assert got["clues_by_source"] == [
        ["信访举报", 2, "66.7%"],
        ["审计移交", 1, "33.3%"],
        ["合计", 3, "100.0%"],
    ]
    assert got["disposals"] == [
        ["谈话函询", 2, "50.0%"],
        ["初步核实", 1, "25.0%"],
        ["暂存待查", 0, "0.0%"],
        ["予以了结", 1, "25.0%"],
        ["合计", 4, "100.0%"],
    ]
    assert got["conversion"] == [
        ["受理线索", 3, "100.0%"],
        ["其中：经函询", 2, "66.7%"],
        ["其中：经初步核实", 2, "100.0%"],
        ["其中：立案", 1, "50.0%"],
    ]


def test_four_forms_count_each_person_once_per_form_and_case(engine: Engine) -> None:
    got = figures(engine, "forms")
    # form 1: 甲 in c1 (谈话提醒 + 批评教育: once), 甲 in c3 (诫勉谈话), 丙 in c5 (问责：诫勉)
    # form 2: 乙, 甲 in c3
    assert got["forms"] == [
        ["第一种形态", 3, "60.0%"],
        ["第二种形态", 2, "40.0%"],
        ["第三种形态", 0, "0.0%"],
        ["第四种形态", 0, "0.0%"],
        ["合计", 5, "100.0%"],
    ]
    assert got["forms_by_period"] == [
        ["2026年01月", 1, 0, 0, 0, 1],
        ["2026年04月", 1, 0, 0, 0, 1],
        ["2026年05月", 0, 1, 0, 0, 1],
        ["2026年06月", 1, 1, 0, 0, 2],
    ]
    assert figures(engine, "forms", granularity="quarter")["forms_by_period"] == [
        ["2026年第1季度", 1, 0, 0, 0, 1],
        ["2026年第2季度", 2, 2, 0, 0, 4],
    ]
    assert got["forms_by_unit"] == [["县市场监督管理局", 3, 1, 0, 0, 4], ["县财政局", 0, 1, 0, 0, 1]]
    assert sorted(got["forms_first"]) == [
        ["批评教育", 1],
        ["诫勉谈话", 1],
        ["谈话提醒", 1],
        ["问责：诫勉", 1],
    ]
    assert figures(engine, "forms", unit="CZJ")["forms"][1] == ["第二种形态", 1, "100.0%"]


def test_inquiries_pending_overdue_answered_and_repeated(engine: Engine) -> None:
    got = figures(engine, "inquiries")
    assert got["inquiry_summary"] == [
        ["待答复（当前）", 1],
        ["已逾期未答复（当前）", 1],
        ["本期收到答复", 2],
        ["其中逾期答复", 1],
        ["平均答复用时（工作日）", 14.5],
    ]
    assert got["repeated_inquiries"] == [["甲", 3]]


def test_inspections_coverage_grades_findings_and_interviews(engine: Engine) -> None:
    got = figures(engine, "inspections")
    assert got["inspection_coverage"] == [["计划检查单位", 3], ["已评分单位", 2], ["覆盖率", "66.7%"]]
    assert got["inspection_scores"] == [["县市场监督管理局", 77, "一般", ""], ["县财政局", 65, "差", ""]]
    assert got["inspection_grades"] == [
        ["好", 0, "0.0%"],
        ["较好", 0, "0.0%"],
        ["一般", 1, "50.0%"],
        ["差", 1, "50.0%"],
    ]
    assert sorted(got["findings_by_category"]) == [
        ["主体责任部署与研究", 1],
        ["作风建设（八项规定、四风）", 1],
    ]
    assert got["interviews"] == [["主体责任约谈", 1]]


def test_rectification_rates_ageing_returns_extensions_and_relapses(engine: Engine) -> None:
    got = figures(engine, "rectification")
    # A closed on time, B closed late, C overdue since 06-10; D is 长期坚持, counted apart
    assert got["rectification_rates"] == [
        ["应整改任务", 3],
        ["已销号", 2],
        ["整改完成率", "66.7%"],
        ["按期完成率", "33.3%"],
        ["逾期未销号", 1],
        ["长期坚持任务（阶段性销号）", "0/1"],
    ]
    # 06-10 → 07-01: 14 working days (端午 06-19 is a holiday)
    assert got["rectification_ageing"] == [
        ["1–5个工作日", 0],
        ["6–10个工作日", 0],
        ["11–20个工作日", 1],
        ["20个工作日以上", 0],
    ]
    assert got["rectification_quality"] == [
        ["销号核验", 3],
        ["其中退回（退回补充、不予销号）", 1],
        ["退回率", "33.3%"],
        ["延期申请", 2],
        ["其中同意延期", 1],
        ["回头看", 2],
        ["其中反弹", 1],
        ["反弹率", "50.0%"],
    ]
    assert [row[5] for row in got["rectification_ledger"]] == ["已销号", "已销号", "逾期", "整改中"]


def test_dual_inquiries_and_accountability(engine: Engine) -> None:
    got = figures(engine, "accountability")
    assert got["dual_inquiries"] == [["启动一案双查", 1], ["已办结", 0], ["其中：问责", 1]]
    assert got["accountability_persons"] == [["诫勉", 1]]


def test_each_person_counts_only_what_they_supervise(engine: Engine) -> None:
    # 第一纪检监察室 (钱七): the clues it handles (c1, c3), not 派驻组's c2
    assert figures(engine, "clues", "qianqi")["clues_by_source"][-1] == ["合计", 2, "100.0%"]
    # 党风政风监督室 runs 一案双查, inspections and 整改: its 四种形态 are the 问责 of c5 only
    assert figures(engine, "forms", "zhoujiu")["forms"][0] == ["第一种形态", 1, "100.0%"]
    # a unit's party secretary: his unit's inspection and 整改, nothing of the clues
    assert figures(engine, "inspections", "zhengjia")["inspection_scores"] == [
        ["县市场监督管理局", 77, "一般", ""]
    ]
    assert figures(engine, "rectification", "zhengjia")["rectification_rates"][0] == ["应整改任务", 3]
    assert figures(engine, "clues", "zhengjia")["clues_by_source"] == [["合计", 0, "—"]]
    for outsider in ("wangwu", "fengyi", "hanmei", "yangren"):
        with pytest.raises(NotFound):
            figures(engine, "clues", outsider)


def test_every_figure_links_to_exactly_the_cases_it_counts(engine: Engine) -> None:
    from engine.caselist import CaseFilter

    zhangsan = actor(engine, "zhangsan")
    f = StatFilter.parse(PERIOD, TODAY.date())
    for name in ("clues", "forms", "inquiries", "rectification"):
        for table in engine.supervisor.statistic(zhangsan, name, f).tables:
            for row in table.rows:
                for cell in row:
                    if (
                        cell.link
                        and isinstance(cell.value, int)
                        and table.name not in ("rectification_ageing",)
                    ):
                        listed = engine.supervisor.cases(
                            zhangsan, CaseFilter.parse({**cell.link, "per_page": "100"})
                        )
                        assert listed.total <= cell.value or table.name in ("forms",), (table.name, row)
                        assert (listed.total == 0) == (cell.value == 0), (table.name, row)
    late = engine.supervisor.cases(zhangsan, CaseFilter.parse({"fact": "inquiry", "state": "overdue"}))
    assert [r.title for r in late.items] == ["c3"]
    forms2 = CaseFilter.parse({**PERIOD, "fact": "measure", "code": "DJQ,ZZCL"})
    assert sorted(r.title for r in engine.supervisor.cases(zhangsan, forms2).items) == ["c2", "c3"]
