"""A seeded set of case facts with known figures (issue 8): what the statistics tests count by hand,
and what the dashboard's web tests show. Cases are rows with facts, not walks: fast, and exact."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from engine import CHINA_TZ, Engine
from engine.db.models import ProcessInstance, ProcessVersion
from engine.db.oversight import CaseFact
from tests.conftest import WORKFLOWS, build_engine, make_workflows_dir

TODAY = datetime(2026, 7, 1, 9, 0, tzinfo=CHINA_TZ)
PERIOD = {"from": "2026-01-01", "to": "2026-06-30"}
D = date.fromisoformat

# case: (process, unit, handling office, status, facts as (kind, key, code, person, at, due, done_at, num))
CASES: dict[str, tuple[str, str, str, str, list[tuple[Any, ...]]]] = {
    "c1": (
        "clue_disposal",
        "SJJ",
        "JC1",
        "running",
        [
            ("clue", "", "信访举报", "甲", "2026-01-10", None, None, None),
            ("disposal", "1", "THHX", "甲", "2026-01-15", None, None, None),
            ("inquiry", "1", "countersigned", "甲", "2026-02-02", "2026-02-27", "2026-02-20", 12),
            ("measure", "TXTH", "TXTH", "甲", "2026-01-20", None, None, None),
            ("measure", "PPJY", "PPJY", "甲", "2026-01-20", None, None, None),
        ],
    ),
    "c2": (
        "clue_disposal",
        "CZJ",
        "PZ1",
        "completed",
        [
            ("clue", "", "审计移交", "乙", "2026-02-05", None, None, None),
            ("disposal", "1", "CBHS", "乙", "2026-02-10", None, None, None),
            ("verification", "", "CBHS", "乙", "2026-02-20", None, None, None),
            ("filing", "", "LA", "乙", "2026-04-01", None, None, None),
            ("measure", "DJQ", "DJQ", "乙", "2026-05-10", None, None, None),
        ],
    ),
    "c3": (
        "clue_disposal",
        "SJJ",
        "JC1",
        "running",
        [
            ("clue", "", "信访举报", "甲", "2026-03-01", None, None, None),
            ("disposal", "1", "THHX", "甲", "2026-03-01", None, None, None),
            ("inquiry", "1", "countersigned", "甲", "2026-03-02", "2026-03-27", None, None),
            ("inquiry", "2", "direct", "甲", "2026-06-01", "2026-06-22", "2026-06-25", 17),
            ("verification", "", "CBHS", "甲", "2026-06-26", None, None, None),
            ("measure", "JM-T", "JM-T", "甲", "2026-06-30", None, None, None),
            ("measure", "ZZCL", "ZZCL", "甲", "2026-06-30", None, None, None),
        ],
    ),
    "c4": (
        "clue_disposal",
        "SPJ",
        "JC1",
        "completed",
        [
            ("clue", "", "信访举报", "丁", "2025-12-20", None, None, None),  # received before the period
            ("disposal", "1", "YYLJ", "丁", "2026-01-03", None, None, None),
            ("measure", "LJ", "LJ", "丁", "2026-01-05", None, None, None),  # 予以了结: no form
        ],
    ),
    "c5": (
        "dual_inquiry",
        "SJJ",
        "DFS",
        "running",
        [
            ("dual_inquiry", "", "问责", "甲", "2026-03-20", None, None, None),
            ("accountability", "0", "诫勉", "丙", "2026-04-01", None, None, None),
            ("measure", "wz-0", "问责:诫勉", "丙", "2026-04-01", None, None, None),
        ],
    ),
    "p1": (
        "inspection_plan",
        "",
        "DFS",
        "completed",
        [
            ("planned_unit", "SJJ", "年度", "", "2026-02-01", None, None, None),
            ("planned_unit", "CZJ", "年度", "", "2026-02-01", None, None, None),
            ("planned_unit", "SPJ", "年度", "", "2026-02-01", None, None, None),
        ],
    ),
    "u1": (
        "unit_inspection",
        "SJJ",
        "DFS",
        "completed",
        [
            ("inspection", "", "一般", "", "2026-04-10", None, None, 77),
            ("finding", "0", "主体责任部署与研究", "", "2026-04-12", None, None, None),
            ("finding", "1", "作风建设（八项规定、四风）", "", "2026-04-12", None, None, None),
            ("interview", "", "主体责任约谈", "", "2026-04-20", None, None, None),
        ],
    ),
    "u2": (
        "unit_inspection",
        "CZJ",
        "DFS",
        "running",
        [
            ("inspection", "", "差", "", "2026-04-11", None, None, 65),
        ],
    ),
    "r1": (
        "rectification",
        "SJJ",
        "DFS",
        "running",
        [
            ("rect_task", "A", "限期整改", "", "2026-02-01", "2026-03-31", "2026-03-20", None),
            ("rect_task", "B", "限期整改", "", "2026-02-01", "2026-04-30", "2026-05-10", None),
            ("rect_task", "C", "立行立改", "", "2026-02-01", "2026-06-10", None, None),
            ("rect_task", "D", "长期坚持", "", "2026-02-01", "2026-12-31", None, None),
            ("rect_check", "A/0", "同意销号", "", "2026-03-20", None, None, None),
            ("rect_check", "B/0", "退回补充", "", "2026-05-01", None, None, None),
            ("rect_check", "B/1", "同意销号", "", "2026-05-10", None, None, None),
            ("rect_extension", "B/0", "同意延期", "", "2026-03-15", None, None, None),
            ("rect_extension", "C/0", "不同意延期", "", "2026-05-15", None, None, None),
            ("rect_recheck", "A", "反弹", "", "2026-06-01", None, None, None),
            ("rect_recheck", "B", "巩固", "", "2026-06-02", None, None, None),
        ],
    ),
}


PROCESSES = ("clue_disposal", "dual_inquiry", "inspection_plan", "unit_inspection", "rectification")


def seeded_engine(tmp: Path) -> Iterator[Engine]:
    """An engine with the five processes deployed and the CASES above stored, at TODAY."""
    found = build_engine(tmp, make_workflows_dir(tmp, *(WORKFLOWS / p for p in PROCESSES)), at=TODAY)
    starter = found.actor_by_name("zhaoliu").id  # type: ignore[union-attr]
    with found.ctx.db.transaction() as session:
        versions = dict(session.execute(select(ProcessVersion.process_id, ProcessVersion.id)).all())
        for name, (process, unit, office, status, facts) in CASES.items():
            row = ProcessInstance(
                version_id=versions[process], process_id=process, status=status, state_json="{}",
                serializer_version="1.5", title=name, unit_id=unit or None, handling_office=office,
                started_by=starter, started_at=TODAY, updated_at=TODAY,
            )  # fmt: skip
            session.add(row)
            session.flush()
            for kind, key, code, person, at, due, done, num in facts:
                unit_id = key if kind == "planned_unit" else unit or None
                session.add(
                    CaseFact(
                        instance_id=row.id,
                        kind=kind,
                        key=key,
                        code=code,
                        label="",
                        person=person,
                        unit_id=unit_id,
                        at=D(at),
                        due=due and D(due),
                        done_at=done and D(done),
                        num=num,
                    )
                )
    yield found
    found.close()
