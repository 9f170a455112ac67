"""Approval items imported from a CSV or XLSX file (issue 12 D1): every good row becomes a case, every bad
row is reported with its line and the reason, nothing is half-imported, and the import is audited."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from engine import CHINA_TZ, Engine, NotFound, NotPermitted, Refused
from engine.db.models import AuditEvent, ProcessInstance
from tests.conftest import WORKFLOWS, build_engine, make_workflows_dir
from tests.engine.clues import actor

HEADER = ",".join(
    (
        *("办件编号", "审批事项", "申请企业", "承办部门", "受理日期", "申请材料齐全", "一次性告知日期"),
        *("补正次数", "时限类别", "办理时限（工作日）", "办结日期"),
    )
)
GOOD_LATE = ",".join(
    (
        *("SP-2025-0201", "食品经营许可（新办）", "云岭食品有限公司", "县行政审批服务局", "2025-09-01", "是"),
        *("", "0", "承诺时限", "5", "2025-09-12"),
    )
)
GOOD_OPEN = "SP-2025-0202,建设工程规划许可,东湖置业有限公司,SPJ,2025/9/3,否,2025/9/4,1,法定时限,20,"


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    workflows = make_workflows_dir(tmp_path, WORKFLOWS / "approval_supervision")
    built = build_engine(tmp_path, workflows, at=datetime(2025, 9, 15, 9, tzinfo=CHINA_TZ))
    yield built
    built.close()


def _cases(engine: Engine) -> int:
    with engine.ctx.db.reading() as session:
        return int(session.scalar(select(func.count(ProcessInstance.id))) or 0)


def test_good_rows_become_cases_and_each_bad_row_is_reported_with_its_line(engine: Engine) -> None:
    text = "\n".join(
        [
            HEADER,
            GOOD_LATE,
            "SP-2025-0203,药品零售许可,康宁药房,县行政审批服务局,2025-13-40,是,,0,承诺时限,5,",  # line 3
            "SP-2025-0204,药品零售许可,康宁药房,县财政所,2025-09-01,是,,0,承诺时限,5,",  # line 4
            "SP-2025-0205,药品零售许可,康宁药房,SPJ,2025-09-01,也许,,两次,承诺时限,5,",  # line 5
            "",
            GOOD_OPEN,  # line 7
            GOOD_LATE.replace("云岭食品", "另一家"),  # line 8: the same 办件编号 again
            "SP-2025-0206,药品零售许可,康宁药房,SPJ,2025-09-05,是,,0,承诺时限,5,2025-09-02",  # line 9
        ]
    )
    report = engine.imports.run(actor(engine, "gaoyuan"), "approval_supervision", "items.csv", text.encode())
    assert [line for line, _id, _title in report.imported] == [2, 7]
    refused = dict(report.refused)
    assert sorted(refused) == [3, 4, 5, 8, 9]
    assert "受理日期" in refused[3]
    assert "承办部门" in refused[4]
    assert set(refused[5]) == {"申请材料齐全", "补正次数"}
    assert "_" in refused[8] and "重复" in refused[8]["_"]
    assert refused[9] == {"办结日期": "办结日期不能早于受理日期"}
    assert _cases(engine) == 2
    officer = actor(engine, "gaoyuan")
    late = engine.instance(officer, report.imported[0][1])
    assert late.title == "SP-2025-0201 食品经营许可（新办）（县行政审批服务局）"
    assert [t.bpmn_id for t in late.ready_tasks] == ["D1_remind"]  # finished after its limit
    still_open = engine.instance(officer, report.imported[1][1])
    assert [t.bpmn_id for t in still_open.ready_tasks] == ["D1_complete"]


def test_an_xlsx_workbook_with_date_and_number_cells_and_a_gb18030_csv_import_alike(engine: Engine) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(
        [
            *("SP-2025-0301", "食品经营许可", "云岭食品", "县行政审批服务局", date(2025, 9, 1), "是", None),
            *(0.0, "承诺时限", 5.0, datetime(2025, 9, 5)),
        ]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    officer = actor(engine, "gaoyuan")
    report = engine.imports.run(officer, "approval_supervision", "台账.xlsx", buffer.getvalue())
    assert (report.refused, len(report.imported)) == ([], 1)
    case = engine.instance(officer, report.imported[0][1])
    assert case.status == "completed"  # on time, nothing to remind
    gbk = "\n".join([HEADER, GOOD_OPEN]).encode("gb18030")
    assert len(engine.imports.run(officer, "approval_supervision", "items.csv", gbk).imported) == 1


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("items.csv", (HEADER + ",备注\n" + GOOD_LATE + ",x").encode(), "未知的列：备注"),
        ("items.csv", ("办件编号,审批事项\nSP-1,许可").encode(), "缺少必填的列"),
        ("items.txt", (HEADER + "\n" + GOOD_LATE).encode(), "只能导入"),
        ("items.xlsx", b"PK\x03\x04 not a workbook", "不是有效的 Excel"),
        ("items.csv", b"", "文件是空的"),
    ],
)
def test_a_file_that_is_not_the_table_imports_nothing(
    engine: Engine, name: str, content: bytes, reason: str
) -> None:
    with pytest.raises(Refused, match=reason):
        engine.imports.run(actor(engine, "gaoyuan"), "approval_supervision", name, content)
    assert _cases(engine) == 0


def test_only_the_office_that_starts_the_process_imports_and_only_where_the_process_allows(
    engine: Engine,
) -> None:
    content = "\n".join([HEADER, GOOD_LATE]).encode()
    with pytest.raises(NotPermitted):
        engine.imports.run(actor(engine, "lichou"), "approval_supervision", "items.csv", content)
    with pytest.raises(NotFound):
        engine.imports.run(actor(engine, "gaoyuan"), "no_such_process", "items.csv", content)
    assert [
        (title, required)
        for title, _name, required in engine.imports.columns(actor(engine, "gaoyuan"), "approval_supervision")
    ][:2] == [("办件编号", True), ("审批事项", True)]
    assert _cases(engine) == 0


def test_the_import_is_one_audited_event_and_the_chain_stays_intact(engine: Engine) -> None:
    content = "\n".join([HEADER, GOOD_LATE, GOOD_LATE]).encode()
    report = engine.imports.run(actor(engine, "gaoyuan"), "approval_supervision", "items.csv", content)
    with engine.ctx.db.reading() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.kind == "cases_imported")).one()
    assert '"refused": [3]' in event.payload and f'"imported": [{report.imported[0][1]}]' in event.payload
    assert engine.verify_audit() is None
