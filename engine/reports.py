"""The monthly and quarterly report to the upper level (定期向上级报告, issue 8), written from the same
figures as the dashboard: one DOCX with a sentence and the table of every statistic, stamped with who
produced it and when."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt, RGBColor

from .clock import CHINA_TZ
from .errors import InvalidSubmission
from .stats import Statistic, StatTable

SECTIONS = ("clues", "inquiries", "forms", "inspections", "rectification", "accountability")
NUMERALS = "一二三四五六七八九十"
RED = RGBColor(0xC0, 0x00, 0x00)


@dataclass(frozen=True)
class ReportPeriod:
    kind: str  # month | quarter
    first: date
    last: date
    label: str  # 2026年11月, 2026年第四季度


def report_period(kind: str, value: str) -> ReportPeriod:
    """`month` with YYYY-MM, or `quarter` with YYYY-Qn; refused naming the field otherwise."""
    month = re.fullmatch(r"(\d{4})-(\d{2})", value or "") if kind == "month" else None
    quarter = re.fullmatch(r"(\d{4})-Q([1-4])", value or "") if kind == "quarter" else None
    if month and 1 <= int(month.group(2)) <= 12:
        year, first_month, months = int(month.group(1)), int(month.group(2)), 1
        label = f"{year}年{first_month}月"
    elif quarter:
        year, n = int(quarter.group(1)), int(quarter.group(2))
        first_month, months = 3 * n - 2, 3
        label = f"{year}年第{NUMERALS[n - 1]}季度"
    else:
        raise InvalidSubmission({"period": "报告期应为 month=YYYY-MM 或 quarter=YYYY-Qn"})
    first = date(year, first_month, 1)
    after = date(year + (first_month + months > 12), (first_month + months - 1) % 12 + 1, 1)
    return ReportPeriod(kind, first, after - timedelta(days=1), label)


def _figure(table: StatTable, label: str) -> object:
    row = next((r for r in table.rows if r[0].value == label), None)
    return row[1].value if row else 0


SENTENCES = {  # each section's opening sentence: {table|row label} stands for that figure
    "clues": "本期受理问题线索{clues_by_source|合计}件；处置{disposals|合计}件，其中{ways}。",
    "inquiries": "本期收到函询答复{inquiry_summary|本期收到答复}件，"
    "其中逾期答复{inquiry_summary|其中逾期答复}件；目前待答复{inquiry_summary|待答复（当前）}件，"
    "已逾期未答复{inquiry_summary|已逾期未答复（当前）}件。",
    "forms": "运用监督执纪“四种形态”处理{forms|合计}人次，其中{forms_parts}。",
    "inspections": "计划检查单位{inspection_coverage|计划检查单位}个，"
    "已完成评分{inspection_coverage|已评分单位}个，覆盖率{inspection_coverage|覆盖率}。",
    "rectification": "应整改任务{rectification_rates|应整改任务}项，已销号{rectification_rates|已销号}项，"
    "整改完成率{rectification_rates|整改完成率}，按期完成率{rectification_rates|按期完成率}；"
    "逾期未销号{rectification_rates|逾期未销号}项。",
    "accountability": "启动一案双查{dual_inquiries|启动一案双查}件，已办结{dual_inquiries|已办结}件。",
}


def _sentence(statistic: Statistic) -> str:
    """The paragraph that opens a section, from the section's own figures."""
    tables = {table.name: table for table in statistic.tables}

    def figure(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "ways":
            return "、".join(
                f"{r[0].value}{r[1].value}件（{r[2].value}）" for r in tables["disposals"].rows[:-1]
            )
        if name == "forms_parts":
            return "、".join(
                f"{r[0].value}{r[1].value}人次（{r[2].value}）" for r in tables["forms"].rows[:-1]
            )
        table, _, label = name.partition("|")
        return str(_figure(tables[table], label))

    return re.sub(r"\{([^}]+)\}", figure, SENTENCES[statistic.name])


def _table(doc: object, table: StatTable) -> None:
    grid = doc.add_table(rows=1, cols=len(table.columns))  # type: ignore[attr-defined]
    grid.style = "Table Grid"
    for cell, text in zip(grid.rows[0].cells, table.columns, strict=True):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    for row in table.rows:
        cells = grid.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = "" if value.value is None else str(value.value)


def render_report(
    period: ReportPeriod, statistics: list[Statistic], author: str, at: datetime, county: str
) -> bytes:
    """The report as DOCX: a title, then per statistic a heading, its sentence and its tables."""
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name, style.font.size = "仿宋", Pt(14)
    head = doc.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = head.add_run(f"中共{county}纪律检查委员会 {county}监察委员会")
    run.bold, run.font.size, run.font.color.rgb = True, Pt(20), RED
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    heading = title.add_run(f"{county}纪委监委{period.label}监督执纪工作情况报告")
    heading.bold, heading.font.size = True, Pt(20)
    doc.add_paragraph(
        f"统计期间：{period.first.isoformat()}至{period.last.isoformat()}。数据来源：清廉平台，与监督看板同一口径。"
    )
    for n, statistic in enumerate(statistics):
        section = doc.add_paragraph()
        section.add_run(f"{NUMERALS[n]}、{statistic.title}情况").bold = True
        doc.add_paragraph("　　" + _sentence(statistic))
        for table in statistic.tables:
            if table.name in ("rectification_ledger",):
                continue  # the full ledger is an export of its own
            doc.add_paragraph(table.title)
            _table(doc, table)
    local = at.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")
    doc.add_paragraph(
        f"制表：{author}　　生成时间：{local}（内部资料，注意保密）"
    ).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    doc.core_properties.author = author
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
